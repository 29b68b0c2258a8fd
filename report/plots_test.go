package report

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"gonum.org/v1/plot/plotter"
)

// A plot's legend goes below its axes: the plot is drawn the same with or
// without legend entries, even with a curve through the corner a legend
// used to take, and the entries add rows beneath it.
func TestLegendBelowPlot(t *testing.T) {
	render := func(named bool) image.Image {
		p := unitPlot("legend", "x", "y")
		curve := plotter.XYs{{X: 0, Y: 0.98}, {X: 0.3, Y: 0.97}, {X: 1, Y: 0.1}}
		for i, e := range []string{"a legend entry as long as a threshold's, P and R", "another entry"} {
			if !named {
				e = ""
			}
			if err := line(p, curve, []color.Color{blue, red}[i], e, i > 0); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := writePNG(&buf, p); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	bare, with := render(false), render(true)
	b, w := bare.Bounds(), with.Bounds()
	if w.Dx() != b.Dx() || w.Dy() <= b.Dy() {
		t.Fatalf("with a legend %v, without %v: want the same width and more height", w, b)
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if bare.At(x, y) != with.At(x, y) {
				t.Fatalf("the legend draws over the plot at (%d, %d)", x, y)
			}
		}
	}
}
