package cam

import (
	"image"
	"image/color"
	"testing"
)

// The panel holds the image unchanged at the left, each map over it with
// the maps on one shared scale, and a colour bar from red at the top to
// blue at the bottom.
func TestPanel(t *testing.T) {
	const side = 40
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 128
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	strong := make([]float32, 16)
	strong[0] = 4 // top-left cell
	weak := make([]float32, 16)
	weak[0] = 1
	p, err := Panel(img, "a.png", []Map{{"water", 0.9, strong}, {"road", 0.6, weak}}, 4, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	if w, h := p.Bounds().Dx(), p.Bounds().Dy(); w != 3*(side+gap)+barWidth+barLabels || h != captionHeight+side {
		t.Fatalf("panel %dx%d", w, h)
	}
	tile := func(i, x, y int) color.RGBA { return p.RGBAAt(i*(side+gap)+x, captionHeight+y) }
	if c := tile(0, 2, 2); c != (color.RGBA{128, 128, 128, 255}) {
		t.Errorf("the original is drawn as %v", c)
	}
	hot, warm := tile(1, 2, 2), tile(2, 2, 2)
	if hot != colormap(1) {
		t.Errorf("the strongest map's peak is %v, want %v", hot, colormap(1))
	}
	if warm == hot || warm != colormap(0.25) {
		t.Errorf("the weaker map's peak is %v, want %v on the shared scale", warm, colormap(0.25))
	}
	if c := tile(1, side-2, side-2); c != colormap(0) {
		t.Errorf("no evidence draws as %v, want %v", c, colormap(0))
	}
	x := 3 * (side + gap)
	if top, bottom := p.RGBAAt(x+1, captionHeight), p.RGBAAt(x+1, captionHeight+side-1); top != colormap(1) || bottom != colormap(0) {
		t.Errorf("colour bar from %v to %v", top, bottom)
	}
	var ink bool // the captions are drawn
	for x := 0; x < side; x++ {
		for y := 0; y < captionHeight; y++ {
			ink = ink || p.RGBAAt(x, y) != (color.RGBA{255, 255, 255, 255})
		}
	}
	if !ink {
		t.Error("no caption over the image")
	}
	if _, err := Panel(img, "a.png", []Map{{"water", 0.9, strong[:3]}}, 4, 4, 1); err == nil {
		t.Error("accepted a map of the wrong size")
	}
}

func TestRGB(t *testing.T) {
	pix := []uint8{255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30}
	img, err := RGB(pix, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []color.RGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {10, 20, 30, 255}}
	for i, w := range want {
		if c := color.RGBAModel.Convert(img.At(i%2, i/2)).(color.RGBA); c != w {
			t.Errorf("pixel %d: %v, want %v", i, c, w)
		}
	}
	for _, tc := range []struct{ n, size, view int }{{11, 2, 2}, {12, 0, 2}, {12, 2, 0}} {
		if _, err := RGB(pix[:tc.n], tc.size, tc.view); err == nil {
			t.Errorf("RGB of %d bytes, size %d, view %d: no error", tc.n, tc.size, tc.view)
		}
	}
}
