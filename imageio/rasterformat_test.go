package imageio

import (
	"bytes"
	"errors"
	"image"
	"io"
	"slices"
	"testing"
)

// fakeRaster is a registered raster format's file for the test: a 3×2
// image of 5 bands whose sample b of pixel (x, y) is 100·b + 10·y + x.
type fakeRaster struct{ unsupported bool }

func (fakeRaster) dims() (int, int)       { return 3, 2 }
func (fakeRaster) sampleSize() (int, int) { return 5, 16 }
func (fakeRaster) rgbFromBands() bool     { return true }
func (f fakeRaster) supported() error {
	if f.unsupported {
		return errRasterUnsupported
	}
	return nil
}
func (f fakeRaster) decode(maxPixels int64) (*Raster, error) {
	return f.window(image.Rect(0, 0, 3, 2), 1, maxPixels)
}
func (fakeRaster) window(win image.Rectangle, _ int, _ int64) (*Raster, error) {
	win = win.Intersect(image.Rect(0, 0, 3, 2))
	r := &Raster{W: win.Dx(), H: win.Dy(), Bands: 5, Max: 65535}
	for y := win.Min.Y; y < win.Max.Y; y++ {
		for x := win.Min.X; x < win.Max.X; x++ {
			for b := range 5 {
				r.Pix = append(r.Pix, float32(100*b+10*y+x))
			}
		}
	}
	return r, nil
}

// A raster format registered from one file is inspected, decoded whole,
// as a picture and window by window through it, with no other change.
func TestRegisterRaster(t *testing.T) {
	saved := slices.Clone(rasterFormats)
	t.Cleanup(func() { rasterFormats = saved })
	registerRaster(rasterFormat{
		name: "fake", title: "FAKE",
		match: func(head []byte) bool { return bytes.HasPrefix(head, []byte("FAKE")) },
		open: func(r io.ReaderAt, size int64) (rasterFile, error) {
			var b [5]byte
			if _, err := r.ReadAt(b[:], 0); err != nil {
				return nil, err
			}
			return fakeRaster{unsupported: b[4] == 'U'}, nil
		},
	})
	data := []byte("FAKE raster bytes")

	info, err := InspectBytes("a.fake", data, 0)
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != "fake" || info.Width != 3 || info.Height != 2 || info.Bands != 5 || info.BitsPerSample != 16 || !info.raster {
		t.Errorf("info %+v", info)
	}
	r, err := DecodeRasterBytes("a.fake", data, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.W != 3 || r.H != 2 || r.Bands != 5 || r.At(2, 1, 4) != 412 {
		t.Errorf("raster %dx%d of %d bands, sample (2, 1, 4) %g, want 3x2 of 5 and 412", r.W, r.H, r.Bands, r.At(2, 1, 4))
	}
	img, err := DecodeBytes("a.fake", data, 0)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 3 || b.Dy() != 2 {
		t.Errorf("picture of %v", b)
	}
	src, err := OpenSource("a.fake", bytes.NewReader(data), int64(len(data)), SourceOptions{Bands: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(*rasterSource); !ok {
		t.Fatalf("source %T, want one read by windows", src)
	}
	win, err := src.Window(image.Rect(1, 1, 3, 2), 1)
	if err != nil {
		t.Fatal(err)
	}
	if win.W != 2 || win.H != 1 || win.At(0, 0, 1) != 111 {
		t.Errorf("window %dx%d, sample (0, 0, 1) %g, want 2x1 and 111", win.W, win.H, win.At(0, 0, 1))
	}

	// A file its reader leaves to the ordinary decoder, of which the
	// format has none, is refused with the reader's reason.
	_, err = DecodeBytes("u.fake", []byte("FAKEU"), 0)
	if !errors.Is(err, errRasterUnsupported) {
		t.Errorf("unsupported file: error %v, want errRasterUnsupported", err)
	}
}
