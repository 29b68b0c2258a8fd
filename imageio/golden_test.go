package imageio

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio"
)

// readGolden reads a float32 H×W×B .npy golden written by
// testdata/make_fixtures.py.
func readGolden(t *testing.T, path string) (shape []int, data []float32) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := npyio.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := r.Read(&data); err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("%s: %v", path, err)
	}
	shape = r.Header.Descr.Shape
	if len(shape) != 3 || shape[0]*shape[1]*shape[2] != len(data) {
		t.Fatalf("%s: shape %v for %d values", path, shape, len(data))
	}
	return shape, data
}

// compare checks got against a golden within tol, reporting the mean and
// largest absolute differences.
func compare(t *testing.T, what string, got []float32, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, golden has %d", what, len(got), len(want))
	}
	var sum, worst float64
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if math.IsNaN(d) {
			d = math.Inf(1)
		}
		sum += d
		worst = max(worst, d)
	}
	if worst > tol {
		t.Errorf("%s: largest difference %g (mean %.3f) over the tolerance %g", what, worst, sum/float64(len(got)), tol)
	}
}

func TestDecodeAgainstReference(t *testing.T) {
	for _, tc := range []struct {
		file, golden string
		rgbTol       float64 // tolerance of the RGB picture, in 8-bit levels (<0: no RGB golden)
		rasterTol    float64 // tolerance of the raw bands (<0: no raster golden)
	}{
		{"rgb.jpg", "rgb", 2, -1},
		{"cmyk_plain.jpg", "cmyk_plain", 2, -1},
		{"cmyk_adobe.jpg", "cmyk_adobe", 2, -1},
		{"ycck.jpg", "ycck", 2, -1},
		{"gray.png", "gray", 0, -1},
		{"palette.png", "palette", 0, -1},
		{"rgba.png", "rgba", 1, -1},
		{"gray16.png", "gray16", 0, 0},
		{"rgb16.png", "rgb16", 0, 0},
		{"gray16.tif", "gray16_tif", 0, 0},
		{"bgrn_tiled_lzw.tif", "bgrn_tiled_lzw", -1, 0},
		{"bands5_strip_deflate.tif", "bands5_strip_deflate", -1, 0},
		{"bands5_planar_u8.tif", "bands5_planar_u8", -1, 0},
		{"float32_packbits.tif", "float32_packbits", -1, 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			if tc.rgbTol >= 0 {
				shape, want := readGolden(t, filepath.Join("testdata", tc.golden+".rgb.npy"))
				img, err := DecodeFile(path, 0)
				if err != nil {
					t.Fatal(err)
				}
				r := RasterFromImage(toRGBA(img)) // 8-bit, as the network sees it
				if r.H != shape[0] || r.W != shape[1] || r.Bands != shape[2] {
					t.Fatalf("RGB: %dx%dx%d, golden %v", r.H, r.W, r.Bands, shape)
				}
				compare(t, "RGB", r.Pix, want, tc.rgbTol)
			}
			r, err := DecodeRasterFile(path, 0)
			if err != nil {
				t.Fatal(err)
			}
			if tc.rasterTol >= 0 {
				shape, want := readGolden(t, filepath.Join("testdata", tc.golden+".raster.npy"))
				if shape[2] == 1 && r.Bands == 3 { // a grey image gives 3 equal bands
					want = repeat3(want)
					shape[2] = 3
				}
				if r.H != shape[0] || r.W != shape[1] || r.Bands != shape[2] {
					t.Fatalf("raster: %dx%dx%d, golden %v", r.H, r.W, r.Bands, shape)
				}
				compare(t, "raster", r.Pix, want, tc.rasterTol)
			}
			// Every format also decodes to a picture of the right size.
			img, err := DecodeFile(path, 0)
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != r.W || b.Dy() != r.H {
				t.Errorf("picture %v, raster %dx%d", b, r.W, r.H)
			}
		})
	}
}

func repeat3(v []float32) []float32 {
	out := make([]float32, 0, 3*len(v))
	for _, x := range v {
		out = append(out, x, x, x)
	}
	return out
}

// TestCorruptFixtures cuts and damages the new formats: each must give a
// clear error naming the file, never a panic.
func TestCorruptFixtures(t *testing.T) {
	for _, file := range []string{"cmyk_plain.jpg", "ycck.jpg", "bgrn_tiled_lzw.tif", "bands5_strip_deflate.tif", "bands5_planar_u8.tif", "float32_packbits.tif", "gray16.tif", "rgb16.png"} {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		variants := map[string][]byte{}
		for _, frac := range []int{2, 4, 8} {
			variants["cut to 1/"+string(rune('0'+frac))] = data[:len(data)/frac]
		}
		variants["header only"] = data[:min(len(data), 12)]
		if isTIFF(data) {
			variants["huge offsets"] = corruptTIFFOffsets(data)
		}
		for name, bad := range variants {
			t.Run(file+"/"+name, func(t *testing.T) {
				_, err1 := DecodeBytes(file, bad, 0)
				_, err2 := DecodeRasterBytes(file, bad, 0)
				for _, err := range []error{err1, err2} {
					if err == nil {
						t.Fatal("damaged file decoded without error")
					}
					if !strings.Contains(err.Error(), file) {
						t.Errorf("error %q does not name the file", err)
					}
				}
			})
		}
	}
}

// corruptTIFFOffsets returns a copy of a TIFF whose IFD entries all point
// past the end of the file.
func corruptTIFFOffsets(data []byte) []byte {
	out := append([]byte(nil), data...)
	t, err := parseTIFF(data)
	if err != nil {
		return out
	}
	ifd := int(t.bo.Uint32(out[4:]))
	n := int(t.bo.Uint16(out[ifd:]))
	for i := 0; i < n; i++ {
		e := ifd + 2 + 12*i
		if tag := t.bo.Uint16(out[e:]); tag == tStripOffsets || tag == tTileOffsets || tag == tBitsPerSample {
			t.bo.PutUint32(out[e+4:], 1<<30) // count
		}
	}
	return out
}
