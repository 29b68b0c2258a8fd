package main

import (
	"encoding/csv"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/internal/debpkg"
	"mlabel/mosaic"
)

// mlabel data mosaic builds mosaics from Debian's Fashion-MNIST: a tags CSV
// with one row per mosaic, each tag a Fashion-MNIST class, and grey PNG
// files of grid × 28 pixels a side.
func TestDataMosaicFashion(t *testing.T) {
	for _, f := range []string{"train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
		if _, err := os.Stat(filepath.Join(mosaic.FashionDefaultDir, f)); err != nil {
			debpkg.Missing(t, "dataset-fashion-mnist", err)
		}
	}
	dir := t.TempDir()
	code, out, stderr := runCLI(t, "data", "mosaic", "--out", dir, "--split", "test", "--source", "fashion", "--count", "12", "--grid", "2", "--seed", "5")
	if code != 0 || !strings.Contains(out, "wrote 12 mosaics over 10 labels") {
		t.Fatalf("data mosaic: exit %d, output %q: %s", code, out, stderr)
	}
	f, err := os.Open(filepath.Join(dir, mosaic.CSVName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 13 || strings.Join(rows[0], ",") != "image_name,tags" {
		t.Fatalf("tags CSV has %d rows starting %v, want the header and 12", len(rows), rows[0])
	}
	classes, _ := mosaic.Labels(mosaic.Fashion)
	for _, r := range rows[1:] {
		tags := strings.Fields(r[1])
		if len(tags) == 0 || len(tags) > 4 {
			t.Errorf("%s has tags %q, want 1 to 4 of a 2×2 grid", r[0], r[1])
		}
		for _, tag := range tags {
			if !strings.HasPrefix(tag, "fashion:") || !slices.Contains(classes, tag) {
				t.Errorf("%s: tag %q is no Fashion-MNIST class", r[0], tag)
			}
		}
		img := mosaicPNG(t, filepath.Join(dir, mosaic.ImagesDir, r[0]+".png"))
		if b := img.Bounds(); b.Dx() != 2*mosaic.Cell || b.Dy() != 2*mosaic.Cell {
			t.Errorf("%s is %v, want %d px square", r[0], b, 2*mosaic.Cell)
		}
		if _, ok := img.(*image.Gray); !ok {
			t.Errorf("%s decodes as %T, want grey", r[0], img)
		}
	}
}

// mosaicPNG decodes one mosaic file.
func mosaicPNG(t *testing.T, path string) image.Image {
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
	return img
}
