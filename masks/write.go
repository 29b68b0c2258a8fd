package masks

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"mlabel/atomicfile"
)

// WriteBinary writes the binary mask of one label of image name into the binary
// folder dir: DIR/<image>/<label>.png, 255 where on[y*w+x] is set and 0
// elsewhere.
func WriteBinary(dir, name, label string, w, h int, on []bool) error {
	if err := checkLabel(label); err != nil {
		return fmt.Errorf("masks: %w", err)
	}
	if len(on) != w*h {
		return fmt.Errorf("masks: %d pixels for a %d×%d mask", len(on), w, h)
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range on {
		if v {
			img.Pix[i] = 255
		}
	}
	sub := filepath.Join(dir, Key(name))
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return fmt.Errorf("masks: %w", err)
	}
	return writePNG(filepath.Join(sub, label+".png"), img)
}

// WriteLegend writes the legend of an indexed folder: one label per line.
func WriteLegend(dir string, labels []string) error {
	for _, l := range labels {
		if err := checkLabel(l); err != nil {
			return fmt.Errorf("masks: %w", err)
		}
	}
	if len(labels) > 254 {
		return fmt.Errorf("masks: %d labels, at most 254 fit an 8-bit mask", len(labels))
	}
	err := atomicfile.Write(filepath.Join(dir, LegendName), func(w io.Writer) error {
		_, err := io.WriteString(w, strings.Join(labels, "\n")+"\n")
		return err
	})
	if err != nil {
		return fmt.Errorf("masks: legend: %w", err)
	}
	return nil
}

// WriteIndexed writes an indexed mask as a paletted PNG at path: class[i]
// is 0 for no label, j+1 for label j of the legend, or Ignore. Each label
// has its Palette colour, so that the file is the picture of the mask and
// reads back as an indexed mask.
func WriteIndexed(path string, w, h int, class []uint8, labels int) error {
	if len(class) != w*h {
		return fmt.Errorf("masks: %d pixels for a %d×%d mask", len(class), w, h)
	}
	img := image.NewPaletted(image.Rect(0, 0, w, h), Palette(labels))
	for i, v := range class {
		if v != Ignore && int(v) > labels {
			return fmt.Errorf("masks: pixel %d has class %d of %d labels", i, v, labels)
		}
	}
	copy(img.Pix, class)
	return writePNG(path, img)
}

// Palette returns the colours of an indexed mask of n labels: black for
// no label, a distinct colour per label (hues spaced by the golden angle)
// and grey at 255 for unlabelled pixels.
func Palette(n int) color.Palette {
	p := make(color.Palette, 256)
	for i := range p {
		p[i] = color.RGBA{0, 0, 0, 255}
	}
	for j := range n {
		p[j+1] = hue(float64(j) * 0.381966)
	}
	p[Ignore] = color.RGBA{128, 128, 128, 255}
	return p
}

// hue returns a saturated colour of hue h (in turns).
func hue(h float64) color.RGBA {
	h -= float64(int(h))
	f := func(off float64) uint8 {
		k := h*6 + off
		k -= float64(int(k/6)) * 6
		v := max(0, min(1, min(k, 4-k)))
		return uint8(55 + 200*v)
	}
	return color.RGBA{f(5), f(3), f(1), 255}
}

func writePNG(path string, img image.Image) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return fmt.Errorf("masks: %w", err)
	}
	return nil
}
