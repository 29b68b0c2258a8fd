package detect

import (
	"image"
	"image/color"
	"image/draw"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// palette holds the box colours; a class always gets the same one.
var palette = []color.RGBA{
	{230, 25, 75, 255}, {60, 180, 75, 255}, {255, 225, 25, 255}, {0, 130, 200, 255},
	{245, 130, 48, 255}, {145, 30, 180, 255}, {70, 240, 240, 255}, {240, 50, 230, 255},
}

// Draw returns a copy of img with each box outlined and labelled with its
// class name and score.
func Draw(img image.Image, boxes []Box) *image.RGBA {
	r := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(out, out.Bounds(), img, r.Min, draw.Src)
	face := basicfont.Face7x13
	for _, b := range boxes {
		col := palette[b.Class%len(palette)]
		x0, y0, x1, y1 := int(b.X0), int(b.Y0), int(b.X1), int(b.Y1)
		const thick = 2
		for _, e := range []image.Rectangle{
			image.Rect(x0, y0, x1, y0+thick), image.Rect(x0, y1-thick, x1, y1),
			image.Rect(x0, y0, x0+thick, y1), image.Rect(x1-thick, y0, x1, y1),
		} {
			draw.Draw(out, e.Intersect(out.Bounds()), image.NewUniform(col), image.Point{}, draw.Src)
		}
		text := b.Label + " " + percent(b.Score)
		width := font.MeasureString(face, text).Ceil()
		ty := max(y0, face.Height)
		bg := image.Rect(x0, ty-face.Height, x0+width+4, ty).Intersect(out.Bounds())
		draw.Draw(out, bg, image.NewUniform(col), image.Point{}, draw.Src)
		d := font.Drawer{Dst: out, Src: image.NewUniform(color.Black), Face: face,
			Dot: fixed.P(x0+2, ty-face.Descent)}
		d.DrawString(text)
	}
	return out
}

// percent formats a score in [0, 1] as a whole percentage.
func percent(s float64) string {
	p := int(s*100 + 0.5)
	return strconv.Itoa(p) + "%"
}
