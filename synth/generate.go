package synth

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Names of what Generate writes inside Options.Dir.
const (
	// ImagesDir is the folder of JPEG tiles, named tile_00000.jpg and on.
	ImagesDir = "images"
	// CSVName is the tags CSV. Like Planet's train_v2.csv it has the header
	// "image_name,tags", names the images without their extension, and
	// separates tags with single spaces.
	CSVName = "tags.csv"
)

// Defaults for zero Options fields.
const (
	DefaultSize    = 64 // tile side, pixels
	DefaultQuality = 90 // JPEG quality
)

// Options configures Generate.
type Options struct {
	Dir     string // output folder, created if missing
	Count   int    // number of tiles, at least 1
	Size    int    // tile side in pixels; 0 means DefaultSize
	Seed    uint64 // the same seed gives byte-identical output
	Quality int    // JPEG quality 1..100; 0 means DefaultQuality
	// Masks also writes, under Dir/MasksDir, one binary PNG per tag per
	// tile: the pixels that show it (see tileMasks).
	Masks bool
}

// Generate writes opts.Count tiles as JPEG files under opts.Dir/ImagesDir
// and their tags to opts.Dir/CSVName, whose path it returns. Tiles are
// rendered in parallel, but tile i depends only on (Seed, i), so the output
// is the same whatever the number of cores.
func Generate(opts Options) (csvPath string, err error) {
	if opts.Size == 0 {
		opts.Size = DefaultSize
	}
	if opts.Quality == 0 {
		opts.Quality = DefaultQuality
	}
	switch {
	case opts.Dir == "":
		return "", errors.New("synth: no output folder given")
	case opts.Count < 1:
		return "", fmt.Errorf("synth: count %d: need at least one tile", opts.Count)
	case opts.Size < MinSize || opts.Size > MaxSize:
		return "", fmt.Errorf("synth: size %d px: must be within %d..%d", opts.Size, MinSize, MaxSize)
	case opts.Quality < 1 || opts.Quality > 100:
		return "", fmt.Errorf("synth: JPEG quality %d: must be within 1..100", opts.Quality)
	}
	imgDir := filepath.Join(opts.Dir, ImagesDir)
	if err := os.MkdirAll(imgDir, 0o755); err != nil {
		return "", fmt.Errorf("synth: creating output folder: %w", err)
	}
	names := make([]string, opts.Count)
	tags := make([][]string, opts.Count)
	errs := make([]error, opts.Count)
	width := max(5, len(fmt.Sprint(opts.Count-1)))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), opts.Count) {
		wg.Go(func() {
			for i := range jobs {
				names[i] = fmt.Sprintf("tile_%0*d", width, i)
				tags[i], errs[i] = writeTile(opts.Dir, names[i], tileRNG(opts.Seed, i), opts)
			}
		})
	}
	for i := range opts.Count {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	csvPath = filepath.Join(opts.Dir, CSVName)
	if err := WriteTags(csvPath, names, tags); err != nil {
		return "", err
	}
	return csvPath, nil
}

// tileRNG returns the random stream of tile i of a data set.
func tileRNG(seed uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, mix64(uint64(i))))
}

// writeTile renders tile name and writes its JPEG and, when asked, its
// masks under dir.
func writeTile(dir, name string, rng *rand.Rand, opts Options) ([]string, error) {
	img, tags, m := tileMasks(rng, opts.Size)
	err := WriteFile(filepath.Join(dir, ImagesDir, name+".jpg"), func(w io.Writer) error {
		return jpeg.Encode(w, img, &jpeg.Options{Quality: opts.Quality})
	})
	if err == nil && opts.Masks {
		err = writeMasks(dir, name, img.Bounds().Dx(), m)
	}
	return tags, err
}

// WriteFile creates path and fills it through a buffered writer with
// encode, reporting any encoding, flushing or closing error with the path.
func WriteFile(path string, encode func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	w := bufio.NewWriter(f)
	err = encode(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("synth: writing %s: %w", path, err)
	}
	return nil
}

// WriteTags writes a Planet-style tags CSV: the header "image_name,tags",
// then one row per image with its tags joined by single spaces. It writes
// through a temporary file renamed into place, so that a failure never
// leaves a truncated CSV at path.
func WriteTags(path string, names []string, tags [][]string) error {
	if len(names) != len(tags) {
		return fmt.Errorf("synth: writing tags CSV %s: %d names but %d tag lists", path, len(names), len(tags))
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tags-*.csv")
	if err != nil {
		return fmt.Errorf("synth: writing tags CSV: %w", err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	cw := csv.NewWriter(bw)
	_ = cw.Write([]string{"image_name", "tags"})
	for i, name := range names {
		_ = cw.Write([]string{name, strings.Join(tags[i], " ")})
	}
	cw.Flush()
	err = cw.Error()
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("synth: writing tags CSV %s: %w", path, err)
	}
	return nil
}
