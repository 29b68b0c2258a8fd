package show

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"mlabel/imageio"
	"mlabel/imageio/imagetest"
)

func writeImages(t *testing.T, dir string, names ...string) []string {
	t.Helper()
	var paths []string
	for i, n := range names {
		p := filepath.Join(dir, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, imagetest.PNG(imagetest.Noisy(40, 30, uint32(i+1))), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestOutputNames(t *testing.T) {
	got := outputNames([]string{"a/x.jpg", "b/x.tif", "c/y.png", "x.jpeg"})
	want := []string{"x.png", "x-2.png", "y.png", "x-3.png"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestWriteEach(t *testing.T) {
	dir := t.TempDir()
	paths := writeImages(t, dir, "one.png", "sub/two.png")
	out := t.TempDir()
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"plain", Options{Pre: imageio.DefaultPreprocess(24)}},
		{"augmented", Options{Pre: imageio.DefaultPreprocess(24), Augment: true, Seed: 3}},
		{"squash", Options{Pre: imageio.Preprocess{Size: 16, Mode: imageio.ModeSquash, Std: [3]float32{1, 1, 1}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := WriteEach(out, paths, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(files, []string{filepath.Join(out, "one.png"), filepath.Join(out, "two.png")}) {
				t.Fatalf("files %v", files)
			}
			for _, f := range files {
				if b := readPNG(t, f).Bounds(); b.Dx() != tc.o.Pre.Size || b.Dy() != tc.o.Pre.Size {
					t.Errorf("%s: %v, want %dx%d", f, b, tc.o.Pre.Size, tc.o.Pre.Size)
				}
			}
		})
	}
	// The plain picture is the preprocessing's pixels.
	o := Options{Pre: imageio.DefaultPreprocess(24)}
	img, err := Picture(paths[0], o, 0)
	if err != nil {
		t.Fatal(err)
	}
	pix, err := o.Pre.LoadPixels(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 24*24; i++ {
		for c := 0; c < 3; c++ {
			if img.Pix[4*i+c] != pix[3*i+c] {
				t.Fatalf("pixel %d channel %d: %d, want %d", i, c, img.Pix[4*i+c], pix[3*i+c])
			}
		}
	}
	if _, err := WriteEach(out, []string{filepath.Join(dir, "missing.png")}, o); err == nil {
		t.Error("missing image accepted")
	}
}

func TestGrid(t *testing.T) {
	dir := t.TempDir()
	paths := writeImages(t, dir, "a.png", "b.png", "c.png", "d.png", "e.png")
	for _, tc := range []struct {
		n, size    int
		w, h, cols int
	}{
		{1, 32, 4 + 84 + 4, 4 + 32 + 2 + 39 + 4, 1},
		{5, 32, 4 + 3*(84+4), 4 + 2*(32+2+39+4), 3},
		{4, 100, 4 + 2*(100+4), 4 + 2*(100+2+39+4), 2},
	} {
		w, h, cols := GridSize(tc.n, tc.size)
		if w != tc.w || h != tc.h || cols != tc.cols {
			t.Errorf("GridSize(%d, %d) = %d, %d, %d; want %d, %d, %d", tc.n, tc.size, w, h, cols, tc.w, tc.h, tc.cols)
		}
	}
	o := Options{Pre: imageio.DefaultPreprocess(32), Augment: true}
	grid := filepath.Join(t.TempDir(), "grid.png")
	tags := map[string][]string{paths[0]: {"water", "road"}}
	if err := WriteGrid(grid, paths, tags, o); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, grid)
	w, h, _ := GridSize(5, 32)
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("grid %v, want %dx%d", b, w, h)
	}
	// Text is drawn under the first cell: some caption pixels are light.
	light := 0
	for y := pad + 32 + 2; y < pad+32+2+captionLines*lineHeight; y++ {
		for x := pad; x < pad+84; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r > 0xc000 {
				light++
			}
		}
	}
	if light < 20 {
		t.Errorf("caption area has %d light pixels: no text drawn", light)
	}
	if _, err := Grid(nil, nil, o); err == nil {
		t.Error("empty grid accepted")
	}
}

func TestCaption(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tags  []string
		width int
		want  []string
	}{
		{"a.jpg", nil, 12, []string{"a.jpg"}},
		{"a.jpg", []string{"water", "road"}, 12, []string{"a.jpg", "water road"}},
		{"a.jpg", []string{"agriculture", "cultivation", "habitation", "road"}, 12, []string{"a.jpg", "agriculture", "cultivation~"}},
		{"a_very_long_name.jpg", []string{"x"}, 8, []string{"a_very_~", "x"}},
	} {
		if got := caption(tc.name, tc.tags, tc.width); !slices.Equal(got, tc.want) {
			t.Errorf("caption(%q, %v, %d) = %q, want %q", tc.name, tc.tags, tc.width, got, tc.want)
		}
	}
}
