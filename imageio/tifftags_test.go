package imageio

import (
	"bytes"
	"errors"
	"testing"

	"mlabel/imageio/imagetest"
)

// ReadTIFFTags reads a TIFF's size and any tag's values without its
// pixels, and tells a file that is not a TIFF.
func TestReadTIFFTags(t *testing.T) {
	data := bigTIFF(t, 37, 23)
	tt, err := ReadTIFFTags(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if tt.Width != 37 || tt.Height != 23 || tt.Bands != 3 || tt.Bits != 8 || tt.Format != 1 {
		t.Errorf("tags %+v, want 37×23, 3 bands of 8-bit unsigned", tt)
	}
	if u, err := tt.Uints(tBitsPerSample); err != nil || len(u) != 3 || u[0] != 8 {
		t.Errorf("BitsPerSample = %v, %v; want [8 8 8]", u, err)
	}
	if f, err := tt.Floats(tImageWidth); err != nil || len(f) != 1 || f[0] != 37 {
		t.Errorf("Floats(ImageWidth) = %v, %v; want [37]", f, err)
	}
	if tt.Has(33550) {
		t.Error("Has(33550) on a TIFF without it")
	}
	if _, err := tt.Floats(33550); err == nil {
		t.Error("Floats of a missing tag: no error")
	}
	if _, err := tt.ASCII(tImageWidth); err == nil {
		t.Error("ASCII of a SHORT tag: no error")
	}
	png := imagetest.PNG(imagetest.Noisy(4, 4, 1))
	if _, err := ReadTIFFTags(bytes.NewReader(png), int64(len(png))); !errors.Is(err, ErrNotTIFF) {
		t.Errorf("a PNG: %v, want ErrNotTIFF", err)
	}
	if _, err := ReadTIFFTags(bytes.NewReader(data[:40]), 40); err == nil || errors.Is(err, ErrNotTIFF) {
		t.Errorf("a cut TIFF: %v, want a header error", err)
	}
}
