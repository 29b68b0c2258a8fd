// Package masks reads and writes per-pixel label masks, the data of the
// segmentation route.
//
// A mask folder holds, for each image, either
//
//   - one indexed PNG named after the image (DIR/<image>.png, 8-bit grey or
//     paletted) whose pixel value is the label's line number in the legend
//     DIR/legend.txt (one label per line, the first line being value 1),
//     0 for no label and 255 for an unlabelled pixel, to be ignored; or
//   - one binary PNG per label in a folder named after the image
//     (DIR/<image>/<label>.png), whose pixels are 0 (absent), 1 or 255
//     (present) or 128 (unlabelled). A label without a file is absent from
//     the whole image. Labels may overlap.
//
// A folder holding legend.txt is indexed; any other is binary. The image
// is named by its file name without its folder and extension, so that
// photos/a.jpg and a.jpg share DIR/a.png.
package masks

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Values of a Mask's pixels.
const (
	Absent  uint8 = 0
	Present uint8 = 1
	// Ignore marks a pixel whose labels nobody gave; it counts nowhere.
	Ignore uint8 = 255
)

// Values in the files.
const (
	// binaryIgnore is the value of an unlabelled pixel in a binary mask.
	binaryIgnore = 128
	// LegendName is the legend of an indexed mask folder.
	LegendName = "legend.txt"
)

// MaxPixels bounds a mask's width times height, checked from the PNG
// header before any pixel is allocated.
const MaxPixels = 1 << 26

// MaxValues bounds a mask's width × height × labels, the bytes of its
// Data, checked from the PNG header before any pixel is allocated: 256 MiB.
const MaxValues = 1 << 28

// Mask is one image's per-pixel labels: Data[(y*W+x)*len(Labels)+l] is
// Absent, Present or Ignore for label Labels[l].
type Mask struct {
	W, H   int
	Labels []string
	Data   []uint8
}

// New returns an all-absent w×h mask over labels.
func New(w, h int, labels []string) *Mask {
	return &Mask{W: w, H: h, Labels: labels, Data: make([]uint8, w*h*len(labels))}
}

// Layout is how a mask folder stores its masks.
type Layout string

// The layouts.
const (
	Indexed Layout = "indexed"
	Binary  Layout = "binary"
)

// Set is a mask folder.
type Set struct {
	Dir    string
	Layout Layout
	// Legend is an indexed folder's labels, value 1 first.
	Legend []string
}

// Open returns the mask folder dir, reading its legend when it has one.
func Open(dir string) (*Set, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("masks: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("masks: %s is not a folder", dir)
	}
	s := &Set{Dir: dir, Layout: Binary}
	f, err := os.Open(filepath.Join(dir, LegendName))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("masks: %w", err)
	}
	defer f.Close()
	s.Layout = Indexed
	if s.Legend, err = readLegend(f); err != nil {
		return nil, fmt.Errorf("masks: %s: %w", filepath.Join(dir, LegendName), err)
	}
	return s, nil
}

// readLegend reads a legend: one label per line, blank lines and lines
// starting with # skipped. It refuses duplicates, labels that cannot be
// file names and more than 254 labels (255 is the unlabelled value).
func readLegend(r io.Reader) ([]string, error) {
	var labels []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if err := checkLabel(l); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if seen[l] {
			return nil, fmt.Errorf("line %d: label %q is listed twice", line, l)
		}
		seen[l] = true
		labels = append(labels, l)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(labels) == 0 {
		return nil, errors.New("the legend lists no label")
	}
	if len(labels) > 254 {
		return nil, fmt.Errorf("the legend lists %d labels, at most 254 fit an 8-bit mask", len(labels))
	}
	return labels, nil
}

// checkLabel refuses a label that cannot name a file.
func checkLabel(l string) error {
	if l == "" || l == "." || l == ".." || strings.ContainsAny(l, `/\`+"\x00") || strings.TrimSpace(l) != l {
		return fmt.Errorf("label %q cannot name a mask file", l)
	}
	return nil
}

// Key is the name under which an image's mask is stored: its file name
// without folder or extension.
func Key(image string) string {
	if i := strings.LastIndexAny(image, `/\`); i >= 0 {
		image = image[i+1:]
	}
	return strings.TrimSuffix(image, filepath.Ext(image))
}

// Path returns where the mask of image is: its indexed PNG, or its folder
// of binary PNGs.
func (s *Set) Path(image string) string {
	if s.Layout == Indexed {
		return filepath.Join(s.Dir, Key(image)+".png")
	}
	return filepath.Join(s.Dir, Key(image))
}

// Has reports whether the folder holds a mask for image.
func (s *Set) Has(image string) bool {
	_, err := os.Stat(s.Path(image))
	return err == nil
}

// Labels returns the labels the folder gives image: the legend, or the
// binary files of its folder, in file-name order.
func (s *Set) Labels(image string) ([]string, error) {
	if s.Layout == Indexed {
		return s.Legend, nil
	}
	ents, err := os.ReadDir(s.Path(image))
	if err != nil {
		return nil, fmt.Errorf("masks: %w", err)
	}
	var out []string
	for _, e := range ents {
		if n := e.Name(); !e.IsDir() && strings.EqualFold(filepath.Ext(n), ".png") {
			out = append(out, strings.TrimSuffix(n, filepath.Ext(n)))
		}
	}
	return out, nil
}

// Load reads the mask of image over labels (the vocabulary's order). A
// label the folder has for the image but labels lacks is an error; a label
// of labels without pixels in the folder is absent everywhere.
func (s *Set) Load(image string, labels []string) (*Mask, error) {
	idx := make(map[string]int, len(labels))
	for i, l := range labels {
		idx[l] = i
	}
	if s.Layout == Indexed {
		return s.loadIndexed(image, labels, idx)
	}
	return s.loadBinary(image, labels, idx)
}

func (s *Set) loadIndexed(image string, labels []string, idx map[string]int) (*Mask, error) {
	p := s.Path(image)
	pix, w, h, err := readGray(p, len(labels))
	if err != nil {
		return nil, err
	}
	col := make([]int, len(s.Legend)+1)
	for v, l := range s.Legend {
		j, ok := idx[l]
		if !ok {
			return nil, fmt.Errorf("masks: %s: legend label %q is not among the labels %v", p, l, labels)
		}
		col[v+1] = j
	}
	m := New(w, h, labels)
	nl := len(labels)
	for i, v := range pix {
		switch {
		case v == 0:
		case v == 255:
			for j := range nl {
				m.Data[i*nl+j] = Ignore
			}
		case int(v) <= len(s.Legend):
			m.Data[i*nl+col[v]] = Present
		default:
			return nil, fmt.Errorf("masks: %s: pixel (%d, %d) has value %d, but the legend has %d labels (0 none, 255 unlabelled)", p, i%w, i/w, v, len(s.Legend))
		}
	}
	return m, nil
}

func (s *Set) loadBinary(image string, labels []string, idx map[string]int) (*Mask, error) {
	have, err := s.Labels(image)
	if err != nil {
		return nil, err
	}
	if len(have) == 0 {
		return nil, fmt.Errorf("masks: %s holds no PNG", s.Path(image))
	}
	var m *Mask
	nl := len(labels)
	for _, l := range have {
		p := filepath.Join(s.Path(image), l+".png")
		j, ok := idx[l]
		if !ok {
			return nil, fmt.Errorf("masks: %s: label %q is not among the labels %v", p, l, labels)
		}
		pix, w, h, err := readGray(p, nl)
		if err != nil {
			return nil, err
		}
		if m == nil {
			m = New(w, h, labels)
		} else if w != m.W || h != m.H {
			return nil, fmt.Errorf("masks: %s is %d×%d, the other masks of %s are %d×%d", p, w, h, Key(image), m.W, m.H)
		}
		for i, v := range pix {
			switch v {
			case 0:
			case 1, 255:
				m.Data[i*nl+j] = Present
			case binaryIgnore:
				m.Data[i*nl+j] = Ignore
			default:
				return nil, fmt.Errorf("masks: %s: pixel (%d, %d) has value %d (0 absent, 1 or 255 present, 128 unlabelled)", p, i%w, i/w, v)
			}
		}
	}
	return m, nil
}

// readGray decodes an 8-bit grey or paletted PNG into its values (palette
// indices for a paletted one), checking from the header first that its
// size is within MaxPixels and, as a mask over labels labels, MaxValues.
func readGray(path string, labels int) (pix []uint8, w, h int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("masks: %w", err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("masks: %s: %w", path, err)
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	if cfg.Width <= 0 || cfg.Height <= 0 || px > MaxPixels {
		return nil, 0, 0, fmt.Errorf("masks: %s: %d×%d pixels is empty or over the limit of %d", path, cfg.Width, cfg.Height, MaxPixels)
	}
	if v := px * int64(max(labels, 1)); v > MaxValues {
		return nil, 0, 0, fmt.Errorf("masks: %s: %d×%d pixels × %d labels = %d mask values, over the limit of %d: make the masks smaller", path, cfg.Width, cfg.Height, labels, v, MaxValues)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, 0, fmt.Errorf("masks: %w", err)
	}
	img, err := png.Decode(f)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("masks: %s: %w", path, err)
	}
	b := img.Bounds()
	w, h = b.Dx(), b.Dy()
	pix = make([]uint8, w*h)
	switch im := img.(type) {
	case *image.Gray:
		for y := range h {
			copy(pix[y*w:(y+1)*w], im.Pix[y*im.Stride:y*im.Stride+w])
		}
	case *image.Paletted:
		for y := range h {
			copy(pix[y*w:(y+1)*w], im.Pix[y*im.Stride:y*im.Stride+w])
		}
	default:
		return nil, 0, 0, fmt.Errorf("masks: %s is a %s PNG, want 8-bit grey or paletted", path, colorModelName(img.ColorModel()))
	}
	return pix, w, h, nil
}

func colorModelName(m color.Model) string {
	switch m {
	case color.Gray16Model:
		return "16-bit grey"
	case color.RGBAModel, color.NRGBAModel:
		return "colour"
	case color.RGBA64Model, color.NRGBA64Model:
		return "16-bit colour"
	}
	return "non-grey"
}

// Present reports, per label, whether any of the mask's pixels shows it.
func (m *Mask) Present() []bool {
	nl := len(m.Labels)
	out := make([]bool, nl)
	for i, v := range m.Data {
		if v == Present {
			out[i%nl] = true
		}
	}
	return out
}

// Tags returns the labels any pixel of the mask shows, in its labels'
// order: the image-level tags the mask implies.
func (m *Mask) Tags() []string {
	var out []string
	for j, p := range m.Present() {
		if p {
			out = append(out, m.Labels[j])
		}
	}
	return out
}

// Resize returns the mask scaled to w×h by nearest neighbour, the pixel
// centres of the result sampling the source.
func (m *Mask) Resize(w, h int) *Mask {
	if w == m.W && h == m.H {
		return m
	}
	out := New(w, h, m.Labels)
	nl := len(m.Labels)
	for y := range h {
		sy := min((2*y+1)*m.H/(2*h), m.H-1)
		for x := range w {
			sx := min((2*x+1)*m.W/(2*w), m.W-1)
			copy(out.Data[(y*w+x)*nl:(y*w+x+1)*nl], m.Data[(sy*m.W+sx)*nl:(sy*m.W+sx+1)*nl])
		}
	}
	return out
}

// CentreSquare returns the centre square of the mask, the part of an image
// that a centre-crop preprocessing keeps.
func (m *Mask) CentreSquare() *Mask {
	s := min(m.W, m.H)
	if m.W == m.H {
		return m
	}
	x0, y0 := (m.W-s)/2, (m.H-s)/2
	out := New(s, s, m.Labels)
	nl := len(m.Labels)
	for y := range s {
		copy(out.Data[y*s*nl:(y+1)*s*nl], m.Data[((y0+y)*m.W+x0)*nl:((y0+y)*m.W+x0+s)*nl])
	}
	return out
}
