package cam

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Map is one label's class-activation map, for Panel.
type Map struct {
	Label  string
	Score  float64   // the label's probability
	Values []float32 // gh×gw, row order, as Maps returns them
}

// Panel layout, in pixels.
const (
	captionHeight = 18 // a line of basicfont.Face7x13 and its margin
	gap           = 6
	barWidth      = 16
	barLabels     = 52 // room for the scale's numbers right of the bar
	charWidth     = 7
)

// Panel draws, side by side with a caption over each: img (titled title),
// the heat map of each of maps over img, and a colour bar. All maps share
// one scale, from 0 to the largest positive value among them, so their
// colours compare; the bar is labelled with that value (the evidence for a
// label at a position of the feature map, in logits). Negative evidence
// draws as 0.
func Panel(img image.Image, title string, maps []Map, gh, gw int, opacity float64) (*image.RGBA, error) {
	var peak float32
	for _, m := range maps {
		if len(m.Values) != gh*gw || gh == 0 || gw == 0 {
			return nil, fmt.Errorf("cam: %d values for a %d×%d map of %q", len(m.Values), gh, gw, m.Label)
		}
		for _, v := range m.Values {
			peak = max(peak, v)
		}
	}
	b := img.Bounds()
	side, height := b.Dx(), b.Dy()
	tiles := 1 + len(maps)
	out := image.NewRGBA(image.Rect(0, 0, tiles*(side+gap)+barWidth+barLabels, captionHeight+height))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	at := func(i int) image.Point { return image.Pt(i*(side+gap), captionHeight) }
	draw.Draw(out, image.Rectangle{Min: at(0), Max: at(0).Add(image.Pt(side, height))}, img, b.Min, draw.Src)
	label(out, title, 0, side)
	for i, m := range maps {
		ov, err := overlay(img, m.Values, gh, gw, opacity, peak)
		if err != nil {
			return nil, err
		}
		p := at(1 + i)
		draw.Draw(out, image.Rectangle{Min: p, Max: p.Add(image.Pt(side, height))}, ov, image.Point{}, draw.Src)
		label(out, fmt.Sprintf("%s %.2f", m.Label, m.Score), p.X, side)
	}
	x0 := tiles * (side + gap)
	for y := 0; y < height; y++ {
		c := colormap(1 - float64(y)/float64(max(1, height-1)))
		for x := x0; x < x0+barWidth; x++ {
			out.SetRGBA(x, captionHeight+y, c)
		}
	}
	label(out, "scale", x0, barWidth+barLabels)
	face := basicfont.Face7x13
	text := func(s string, y int) {
		d := font.Drawer{Dst: out, Src: image.Black, Face: face, Dot: fixed.P(x0+barWidth+3, y)}
		d.DrawString(s)
	}
	text(fmt.Sprintf("%.3g", peak), captionHeight+10)
	text(fmt.Sprintf("%.3g", peak/2), captionHeight+height/2+4)
	text("0", captionHeight+height-2)
	return out, nil
}

// label writes s, cut to fit width, in the caption strip from x.
func label(dst *image.RGBA, s string, x, width int) {
	if n := width / charWidth; len(s) > n {
		if n < 1 {
			return
		}
		s = s[:n-1] + "."
	}
	d := font.Drawer{Dst: dst, Src: image.NewUniform(color.Black), Face: basicfont.Face7x13, Dot: fixed.P(x+1, captionHeight-5)}
	d.DrawString(s)
}

// RGB turns size×size 8-bit RGB pixels in HWC order (the network's input
// as Preprocess.Pixels gives it) into an image of view×view pixels.
func RGB(pix []uint8, size, view int) (image.Image, error) {
	if size <= 0 || view <= 0 || len(pix) != 3*size*size {
		return nil, fmt.Errorf("cam: %d bytes for %d×%d RGB pixels", len(pix), size, size)
	}
	src := image.NewRGBA(image.Rect(0, 0, size, size))
	for i := 0; i < size*size; i++ {
		copy(src.Pix[4*i:4*i+3], pix[3*i:3*i+3])
		src.Pix[4*i+3] = 255
	}
	dst := image.NewRGBA(image.Rect(0, 0, view, view))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
	return dst, nil
}
