// Package show renders what a network sees: each image decoded, oriented,
// colour-converted, band-selected and resized by a preprocessing (and
// optionally augmented), as pictures or as one contact sheet with each
// image's tags under it.
package show

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"mlabel/atomicfile"
	"mlabel/augment"
	"mlabel/imageio"
)

// Options says how images are shown.
type Options struct {
	// Pre is the preprocessing the network applies: size, resize mode and
	// band selection (normalisation is not shown).
	Pre imageio.Preprocess
	// Augment shows a training-time augmented view (augment.Default())
	// instead of the plain input.
	Augment bool
	// Seed makes the augmented views reproducible.
	Seed uint64
}

// Grid layout, in pixels.
const (
	pad          = 4
	lineHeight   = 13 // basicfont.Face7x13
	charWidth    = 7
	captionLines = 3 // the image name, then its tags wrapped on two lines
	minCellWidth = 12 * charWidth
)

// Picture returns what the network sees of the image at path as an RGB
// picture: 3 channels as red, green and blue; one or two as grey (the
// first); more than 3 as their first three. view selects the augmented
// view when o.Augment is set.
func Picture(path string, o Options, view int) (*image.RGBA, error) {
	pix, err := o.Pre.LoadPixels(path)
	if err != nil {
		return nil, fmt.Errorf("show: %w", err)
	}
	n := o.Pre.Size
	if o.Augment {
		rng := rand.New(rand.NewPCG(o.Seed, uint64(view)))
		imageio.FromFloat(pix, augment.Default().Apply(imageio.ToFloat(pix), n, rng))
	}
	rgb := o.Pre.ViewRGB(pix)
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	for i := 0; i < n*n; i++ {
		copy(img.Pix[4*i:4*i+3], rgb[3*i:3*i+3])
		img.Pix[4*i+3] = 255
	}
	return img, nil
}

// outputNames returns the PNG file name for each image path: its base name
// with the extension replaced by .png, with -2, -3, ... added where two
// images would share a name.
func outputNames(paths []string) []string {
	seen := map[string]int{}
	out := make([]string, len(paths))
	for i, p := range paths {
		base := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		seen[base]++
		if k := seen[base]; k > 1 {
			base = fmt.Sprintf("%s-%d", base, k)
		}
		out[i] = base + ".png"
	}
	return out
}

// WriteEach writes one PNG per image into dir, named by outputNames, and
// returns the files written.
func WriteEach(dir string, paths []string, o Options) ([]string, error) {
	names := outputNames(paths)
	files := make([]string, len(paths))
	for i, p := range paths {
		img, err := Picture(p, o, i)
		if err != nil {
			return files[:i], err
		}
		files[i] = filepath.Join(dir, names[i])
		if err := writePNG(files[i], img); err != nil {
			return files[:i], err
		}
	}
	return files, nil
}

// GridSize returns the dimensions of the contact sheet of n images of the
// given size: ceil(sqrt(n)) columns, each cell the picture with captionLines
// lines of text under it.
func GridSize(n, size int) (w, h, cols int) {
	cols = 1
	for cols*cols < n {
		cols++
	}
	rows := (n + cols - 1) / cols
	cw, ch := cellSize(size)
	return pad + cols*(cw+pad), pad + rows*(ch+pad), cols
}

func cellSize(size int) (w, h int) {
	return max(size, minCellWidth), size + 2 + captionLines*lineHeight
}

// Grid returns one contact sheet of the images at paths with, under each,
// its file name and tags[path] (when tags is not nil).
func Grid(paths []string, tags map[string][]string, o Options) (*image.RGBA, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("show: no images for the grid")
	}
	size := o.Pre.Size
	w, h, cols := GridSize(len(paths), size)
	cw, ch := cellSize(size)
	sheet := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(sheet, sheet.Rect, image.NewUniform(color.RGBA{32, 32, 32, 255}), image.Point{}, draw.Src)
	for i, p := range paths {
		img, err := Picture(p, o, i)
		if err != nil {
			return nil, err
		}
		x0 := pad + (i%cols)*(cw+pad)
		y0 := pad + (i/cols)*(ch+pad)
		draw.Draw(sheet, image.Rect(x0, y0, x0+size, y0+size), img, image.Point{}, draw.Src)
		lines := caption(filepath.Base(p), tags[p], cw/charWidth)
		for k, line := range lines {
			d := font.Drawer{
				Dst:  sheet,
				Src:  image.NewUniform(color.RGBA{230, 230, 230, 255}),
				Face: basicfont.Face7x13,
				Dot:  fixed.P(x0, y0+size+2+(k+1)*lineHeight-3),
			}
			d.DrawString(line)
		}
	}
	return sheet, nil
}

// caption returns the lines drawn under a cell: the name, then the tags
// wrapped to width characters, at most captionLines lines, each cut to
// width.
func caption(name string, tags []string, width int) []string {
	cut := func(s string) string {
		if len(s) > width {
			return s[:max(width-1, 0)] + "~"
		}
		return s
	}
	lines := []string{cut(name)}
	cur := ""
	for _, t := range tags {
		switch {
		case cur == "":
			cur = t
		case len(cur)+1+len(t) <= width:
			cur += " " + t
		default:
			lines = append(lines, cut(cur))
			cur = t
		}
	}
	if cur != "" {
		lines = append(lines, cut(cur))
	}
	if len(lines) > captionLines {
		lines = lines[:captionLines]
		lines[captionLines-1] = cut(lines[captionLines-1] + " ...")
	}
	return lines
}

// WriteGrid writes the contact sheet of Grid to path as a PNG.
func WriteGrid(path string, paths []string, tags map[string][]string, o Options) error {
	sheet, err := Grid(paths, tags, o)
	if err != nil {
		return err
	}
	return writePNG(path, sheet)
}

func writePNG(path string, img image.Image) error {
	err := atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, img) })
	if err != nil {
		return fmt.Errorf("show: write %s: %w", path, err)
	}
	return nil
}
