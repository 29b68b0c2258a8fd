package imageio

import (
	"bytes"
	"errors"
	"image"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"mlabel/imageio/imagetest"

	"golang.org/x/image/tiff"
)

func TestGridRects(t *testing.T) {
	for _, tc := range []struct {
		w, h int
		g    Grid
		side image.Point // the tiles' size
	}{
		{100, 60, Grid{1, 0}, image.Pt(100, 60)},
		{100, 60, Grid{2, 0}, image.Pt(50, 30)},
		{100, 60, Grid{2, 0.25}, image.Pt(57, 34)},
		{100, 60, Grid{3, 0.5}, image.Pt(50, 30)},
		{256, 256, Grid{4, 0}, image.Pt(64, 64)},
		{3, 3, Grid{4, 0.5}, image.Pt(1, 1)},
	} {
		rects := tc.g.Rects(tc.w, tc.h)
		if len(rects) != tc.g.N*tc.g.N {
			t.Fatalf("%v: %d tiles", tc.g, len(rects))
		}
		covered := map[image.Point]bool{}
		for _, r := range rects {
			if r.Size() != tc.side {
				t.Errorf("%v of %dx%d: tile %v, want size %v", tc.g, tc.w, tc.h, r, tc.side)
			}
			if !r.In(image.Rect(0, 0, tc.w, tc.h)) {
				t.Fatalf("%v: tile %v outside the image", tc.g, r)
			}
			for y := r.Min.Y; y < r.Max.Y; y++ {
				for x := r.Min.X; x < r.Max.X; x++ {
					covered[image.Pt(x, y)] = true
				}
			}
		}
		if tc.g.N > 1 && len(covered) != tc.w*tc.h {
			t.Errorf("%v covers %d of %d pixels", tc.g, len(covered), tc.w*tc.h)
		}
	}
	for _, g := range []Grid{{0, 0}, {2, -0.1}, {2, 1}, {2, math.NaN()}} {
		if err := g.Check(); err == nil {
			t.Errorf("%v accepted", g)
		}
	}
}

// reduce is the reference block mean of a raster's window.
func reduce(full *Raster, r image.Rectangle, f int) *Raster {
	ow, oh := (r.Dx()+f-1)/f, (r.Dy()+f-1)/f
	out := &Raster{W: ow, H: oh, Bands: full.Bands, Pix: make([]float32, ow*oh*full.Bands), Max: full.Max}
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			for b := 0; b < full.Bands; b++ {
				var sum float64
				n := 0
				for y := r.Min.Y + oy*f; y < min(r.Min.Y+(oy+1)*f, r.Max.Y); y++ {
					for x := r.Min.X + ox*f; x < min(r.Min.X+(ox+1)*f, r.Max.X); x++ {
						sum += float64(full.At(x, y, b))
						n++
					}
				}
				out.Pix[(oy*ow+ox)*full.Bands+b] = float32(sum / float64(n))
			}
		}
	}
	return out
}

// The windows of a source, reduced or not, are the block means of the
// whole decoded image's pixels, for every TIFF layout the raster reader
// reads and for images decoded whole.
func TestSourceWindows(t *testing.T) {
	files := []string{"bgrn_tiled_lzw.tif", "bands5_strip_deflate.tif", "bands5_planar_u8.tif", "float32_packbits.tif",
		"gray16.tif", "rgb.jpg", "rgb16.png", "rgba.png", "palette.png"}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join("testdata", file)
			full, err := DecodeRasterFile(path, 0)
			if err != nil {
				t.Fatal(err)
			}
			src, err := OpenFile(path, SourceOptions{Bands: true})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			if w, h := src.Size(); w != full.W || h != full.H {
				t.Fatalf("source %dx%d, image %dx%d", w, h, full.W, full.H)
			}
			for _, r := range []image.Rectangle{
				image.Rect(0, 0, full.W, full.H),
				image.Rect(1, 2, full.W/2+1, full.H/2+3),
				image.Rect(full.W/3, full.H/4, full.W, full.H),
			} {
				for _, f := range []int{1, 2, 3} {
					got, err := src.Window(r, f)
					if err != nil {
						t.Fatalf("window %v /%d: %v", r, f, err)
					}
					want := reduce(full, r, f)
					if got.W != want.W || got.H != want.H || got.Bands != want.Bands || got.Max != want.Max {
						t.Fatalf("window %v /%d: %dx%dx%d max %g, want %dx%dx%d max %g", r, f, got.W, got.H, got.Bands, got.Max, want.W, want.H, want.Bands, want.Max)
					}
					compare(t, file, got.Pix, want.Pix, 1e-3*float64(want.Max))
				}
			}
		})
	}
}

// bigTIFF encodes a w×h noisy RGB image as an uncompressed TIFF in one
// strip.
func bigTIFF(t *testing.T, w, h int) []byte {
	t.Helper()
	img := imagetest.Noisy(w, h, 7)
	var buf bytes.Buffer
	at := func(x, y, b int) uint8 { return img.Pix[img.PixOffset(x, y)+b] }
	if err := imagetest.WriteTIFF(&buf, w, h, 3, h, at); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// WriteTIFF's files decode as the image they were written from, with
// golang.org/x/image/tiff and with the raster reader.
func TestWriteTIFF(t *testing.T) {
	img := imagetest.Noisy(37, 23, 3)
	want := RasterFromImage(img)
	at := func(x, y, b int) uint8 { return img.Pix[img.PixOffset(x, y)+b] }
	for _, rows := range []int{1, 5, 23, 100} {
		var buf bytes.Buffer
		if err := imagetest.WriteTIFF(&buf, 37, 23, 3, rows, at); err != nil {
			t.Fatal(err)
		}
		got, err := tiff.Decode(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("%d rows per strip: %v", rows, err)
		}
		compare(t, "x/image/tiff", RasterFromImage(got).Pix, want.Pix, 0)
		r, err := DecodeRasterBytes("w.tif", buf.Bytes(), 0)
		if err != nil {
			t.Fatal(err)
		}
		compare(t, "raster", r.Pix, want.Pix, 0)
	}
}

// A tile of a TIFF is read from its file a row at a time: each of the 16
// tiles of a 2000×2000 image (a single strip of 12 MB), reduced for a
// 64-pixel network, allocates less than an eighth of the image's raster.
func TestTIFFTilesReadInBoundedMemory(t *testing.T) {
	data := bigTIFF(t, 2000, 2000)
	src, err := OpenSource("big.tif", bytes.NewReader(data), int64(len(data)), SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(*rasterSource); !ok {
		t.Fatalf("an RGB TIFF opened as %T, want it read by windows", src)
	}
	p := DefaultPreprocess(64)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	xs, err := p.TileInputs(src, Grid{N: 4, Overlap: 0.25})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(xs) != 16 || len(xs[0]) != 64*64*3 {
		t.Fatalf("%d inputs of %d values", len(xs), len(xs[0]))
	}
	raster := uint64(2000 * 2000 * 3 * 4)
	if alloc := (after.TotalAlloc - before.TotalAlloc) / 16; alloc > raster/8 {
		t.Errorf("reading a tile allocated %d bytes, the image's raster holds %d", alloc, raster)
	}
	// The first tile's input is the reduced window of the decoded image.
	full, err := DecodeRasterBytes("big.tif", data, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := Grid{N: 4, Overlap: 0.25}.Rects(2000, 2000)[0]
	want, err := p.FromRaster(reduce(full, r, r.Dx()/p.TileSide()))
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "tile 1", xs[0], want, 1e-5)
}

func TestOpenSourceLimits(t *testing.T) {
	tif := bigTIFF(t, 300, 200)
	jpg := imagetest.JPEG(imagetest.Noisy(300, 200, 1))
	for _, tc := range []struct {
		name string
		data []byte
		o    SourceOptions
		err  error
		msg  string
	}{
		{"tiff under", tif, SourceOptions{MaxPixels: 60000}, nil, ""},
		{"tiff over", tif, SourceOptions{MaxPixels: 59999}, ErrTooLarge, "images read by windows"},
		{"tiff ignores the decoded limit", tif, SourceOptions{MaxDecodedPixels: 10}, nil, ""},
		{"jpeg under", jpg, SourceOptions{MaxDecodedPixels: 60000}, nil, ""},
		{"jpeg over", jpg, SourceOptions{MaxDecodedPixels: 59999}, ErrTooLarge, "over the limit"},
		{"png bomb", imagetest.PNGHeader(1<<15, 1<<15), SourceOptions{}, ErrTooLarge, "over the limit"},
		{"empty", nil, SourceOptions{}, ErrEmpty, ""},
		{"cut tiff", tif[:100], SourceOptions{}, nil, "outside the 100-byte file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := OpenSource("x", bytes.NewReader(tc.data), int64(len(tc.data)), tc.o)
			if tc.err == nil && tc.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				if w, h := src.Size(); w != 300 || h != 200 {
					t.Errorf("size %dx%d", w, h)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("error %v, want %v", err, tc.err)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), `"x"`) {
				t.Errorf("error %q should name the file and say %q", err, tc.msg)
			}
		})
	}
}

// A TIFF whose bands Raster.Image would not render as its RGB picture is
// decoded whole for RGB tiles, and read by windows for band tiles.
func TestOpenSourceRGBOfBands(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "bgrn_tiled_lzw.tif"))
	if err != nil {
		t.Fatal(err)
	}
	tf, err := parseTIFF(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, bands := range []bool{false, true} {
		src, err := OpenSource("bgrn.tif", bytes.NewReader(data), int64(len(data)), SourceOptions{Bands: bands})
		if err != nil {
			t.Fatal(err)
		}
		_, windowed := src.(*rasterSource)
		if want := bands || tf.rgbFromBands(); windowed != want {
			t.Errorf("bands %v: read by windows %v, want %v", bands, windowed, want)
		}
	}
}
