package imageio

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"path/filepath"
	"reflect"
	"testing"
)

// bands returns a w×h image with a red left third, green middle third and
// blue right third.
func bands(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{0, 0, 255, 255}
			if x < w/3 {
				c = color.RGBA{255, 0, 0, 255}
			} else if x < 2*w/3 {
				c = color.RGBA{0, 255, 0, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func TestPixelsModes(t *testing.T) {
	img := bands(90, 30)
	for _, tc := range []struct {
		mode      string
		left, mid uint8 // dominant channel index at the left edge and the centre
	}{
		{ModeSquash, 0, 1}, // whole width kept: left edge is red
		{ModeCrop, 1, 1},   // centre square is the green band
	} {
		p := Preprocess{Size: 12, Mode: tc.mode, Std: [3]float32{1, 1, 1}}
		pix := p.Pixels(img)
		if len(pix) != 12*12*3 {
			t.Fatalf("%s: %d values", tc.mode, len(pix))
		}
		at := func(x, y int) uint8 {
			o := (y*12 + x) * 3
			best := uint8(0)
			for c := uint8(1); c < 3; c++ {
				if pix[o+int(c)] > pix[o+int(best)] {
					best = c
				}
			}
			return best
		}
		if got := at(0, 6); got != tc.left {
			t.Errorf("%s: left edge channel %d, want %d", tc.mode, got, tc.left)
		}
		if got := at(6, 6); got != tc.mid {
			t.Errorf("%s: centre channel %d, want %d", tc.mode, got, tc.mid)
		}
	}
}

func TestInputNormalises(t *testing.T) {
	img := image.NewUniform(color.RGBA{255, 0, 51, 255})
	p := Preprocess{Size: 4, Mode: ModeSquash, Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.5, 0.25, 0.1}}
	rgba := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < len(rgba.Pix); i += 4 {
		c := img.C.(color.RGBA)
		rgba.Pix[i], rgba.Pix[i+1], rgba.Pix[i+2], rgba.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, rgba); err != nil {
		t.Fatal(err)
	}
	x, err := p.Input("red.png", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != 48 {
		t.Fatalf("len %d", len(x))
	}
	want := [3]float32{1, -2, -3}
	for i, v := range x {
		if math.Abs(float64(v-want[i%3])) > 1e-4 {
			t.Fatalf("value %d = %v, want %v", i, v, want[i%3])
		}
	}
}

func TestLoadAndJSON(t *testing.T) {
	p := DefaultPreprocess(8)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var q Preprocess
	if err := json.Unmarshal(b, &q); err != nil || !reflect.DeepEqual(q, p) {
		t.Fatalf("round trip: %v %+v", err, q)
	}
	path := writeFile(t, "a.png", encode(t, "png", quadrants(20, 10)))
	x, err := q.Load(path)
	if err != nil || len(x) != 8*8*3 {
		t.Fatalf("load: %v, %d values", err, len(x))
	}
	if _, err := (Preprocess{Size: 8, Mode: "zoom", Std: [3]float32{1, 1, 1}}).Load(path); err == nil {
		t.Error("bad mode accepted")
	}
	if _, err := q.LoadPixels(filepath.Join(filepath.Dir(path), "nope.png")); err == nil {
		t.Error("missing file accepted")
	}
}

// FromFloat undoes ToFloat and clamps values outside [0, 1].
func TestFromFloat(t *testing.T) {
	pix := []uint8{0, 1, 127, 128, 254, 255}
	if got := FromFloat(make([]uint8, len(pix)), ToFloat(pix)); !bytes.Equal(got, pix) {
		t.Errorf("round trip %v, want %v", got, pix)
	}
	if got := FromFloat(make([]uint8, 3), []float32{-0.5, 1.5, 0.5}); !bytes.Equal(got, []uint8{0, 255, 128}) {
		t.Errorf("clamped %v, want [0 255 128]", got)
	}
}
