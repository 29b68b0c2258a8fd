package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/imageio/imagetest"
	"mlabel/workflow"
)

// One path from file bytes to network input: for each kind of input, the
// held-out metrics that train stores equal eval's on the test split it
// wrote, the scores predict writes equal those of the loader that training
// reads images through, and metrics on predict's scores agree with both.
func TestOnePathTrainEvalPredict(t *testing.T) {
	csvPath, images := demoData(t)
	tests := []struct {
		name   string
		csv    string // the tags CSV of the set
		images string
		flags  []string
	}{
		{"rgb-jpeg", csvPath, images, nil},
		{"bands-tiff", bandsSet(t, csvPath, images), "", []string{"--bands", "4,3,2"}},
		{"rgb16-png", rgb16Set(t, csvPath, images), "", nil},
		{"cmyk-jpeg", copySet(t, filepath.Join("testdata", "cmyk")), "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			imgs := tc.images
			if imgs == "" {
				imgs = filepath.Dir(tc.csv)
			}
			model := filepath.Join(t.TempDir(), "m.mlb")
			args := append([]string{"train", "--csv", tc.csv, "--images", imgs, "--out", model, "--test", "0.25", "--json"}, tc.flags...)
			code, out, stderr := runCLI(t, append(args, quickTrainArgs...)...)
			if code != 0 {
				t.Fatalf("train: exit %d: %s", code, stderr)
			}
			var tr struct {
				Metrics map[string]any `json:"metrics"`
				TestCSV string         `json:"test_csv"`
			}
			if err := json.Unmarshal([]byte(out), &tr); err != nil || tr.TestCSV == "" {
				t.Fatalf("train --json: %v, test split %q", err, tr.TestCSV)
			}
			testDir := filepath.Dir(tr.TestCSV)
			code, out, stderr = runCLI(t, "eval", "--model", model, "--csv", tr.TestCSV, "--images", testDir, "--json")
			if code != 0 {
				t.Fatalf("eval: exit %d: %s", code, stderr)
			}
			var ev map[string]any
			if err := json.Unmarshal([]byte(out), &ev); err != nil {
				t.Fatal(err)
			}
			sameFigures(t, "eval", ev, tr.Metrics, nil)

			ds, err := dataset.Load(dataset.Options{CSV: tr.TestCSV, Images: testDir})
			if err != nil {
				t.Fatal(err)
			}
			args = []string{"predict", "--model", model, "--format", "scores"}
			for _, it := range ds.Items {
				args = append(args, it.Path)
			}
			code, out, stderr = runCLI(t, args...)
			if code != 0 {
				t.Fatalf("predict: exit %d: %s", code, stderr)
			}
			scores := filepath.Join(t.TempDir(), "scores.csv")
			if err := os.WriteFile(scores, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			sameScores(t, model, ds, out)
			code, out, stderr = runCLI(t, "metrics", "--truth", tr.TestCSV, "--scores", scores, "--json")
			if code != 0 {
				t.Fatalf("metrics: exit %d: %s", code, stderr)
			}
			var met map[string]any
			if err := json.Unmarshal([]byte(out), &met); err != nil {
				t.Fatal(err)
			}
			// Figures that need no threshold (metrics applies 0.5).
			sameFigures(t, "metrics on predict's scores", met, tr.Metrics, []string{"map_macro", "map_micro", "roc_auc_macro", "lrap", "ranking_loss"})
		})
	}
}

// sameFigures reports the figures of want (those named in keys, or all of
// its numbers) that got lacks or that differ by more than 1e-6.
func sameFigures(t *testing.T, what string, got, want map[string]any, keys []string) {
	t.Helper()
	if keys == nil {
		for k, v := range want {
			if _, ok := v.(float64); ok {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) < 5 {
		t.Fatalf("only %d figures stored: %v", len(keys), want)
	}
	for _, k := range keys {
		w, ok1 := want[k].(float64)
		g, ok2 := got[k].(float64)
		if !ok1 || !ok2 || math.Abs(g-w) > 1e-6 {
			t.Errorf("%s: %s = %v, stored at training %v", what, k, got[k], want[k])
		}
	}
}

// sameScores checks predict's scores CSV against the scores of the loader
// path that training and threshold fitting read images through.
func sameScores(t *testing.T, model string, ds *dataset.Dataset, scoresCSV string) {
	t.Helper()
	b, err := bundle.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	m, err := b.InferenceModel()
	if err != nil {
		t.Fatal(err)
	}
	set, err := workflow.Predict(context.Background(), m, ds, b.Preprocess, 8)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(scoresCSV)).ReadAll()
	if err != nil || len(rows) != len(ds.Items)+1 {
		t.Fatalf("scores CSV: %d rows, %v", len(rows), err)
	}
	for i, row := range rows[1:] {
		for j, l := range rows[0][1:] {
			k := slices.Index(b.Labels, l)
			got, err := strconv.ParseFloat(row[j+1], 64)
			if err != nil || k < 0 {
				t.Fatalf("row %d label %s: %v", i, l, err)
			}
			if want := set.Scores[i][k]; math.Abs(got-want) > 1e-6 {
				t.Errorf("%s %s: predict %v, training's loader %v", row[0], l, got, want)
			}
		}
	}
}

// convertSet writes each image of the demo set with write, under a new
// folder with a copy of the tags CSV, and returns the CSV's path.
func convertSet(t *testing.T, csvPath, images, ext string, write func(f *os.File, img image.Image) error) string {
	t.Helper()
	dir := t.TempDir()
	rows := readRows(t, csvPath)
	for _, r := range rows[1:] {
		img, err := imageio.DecodeFile(filepath.Join(images, r[0]+".jpg"), 0)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dir, r[0]+ext))
		if err != nil {
			t.Fatal(err)
		}
		if err := write(f, img); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "tags.csv")
	data, err := os.ReadFile(csvPath)
	if err != nil || os.WriteFile(out, data, 0o644) != nil {
		t.Fatal(err)
	}
	return out
}

func readRows(t *testing.T, path string) [][]string {
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
	return rows
}

// bandsSet writes the demo set as 5-band TIFFs whose bands 4, 3 and 2 hold
// the picture's red, green and blue, and bands 1 and 5 other patterns.
func bandsSet(t *testing.T, csvPath, images string) string {
	return convertSet(t, csvPath, images, ".tif", func(f *os.File, img image.Image) error {
		b := img.Bounds()
		return imagetest.WriteTIFF(f, b.Dx(), b.Dy(), 5, 7, func(x, y, band int) uint8 {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			switch band {
			case 0:
				return uint8(7 * x)
			case 1:
				return uint8(bl >> 8)
			case 2:
				return uint8(g >> 8)
			case 3:
				return uint8(r >> 8)
			}
			return uint8(255 - 5*y)
		})
	})
}

// rgb16Set writes the demo set as 16-bit PNGs whose low bytes vary.
func rgb16Set(t *testing.T, csvPath, images string) string {
	return convertSet(t, csvPath, images, ".png", func(f *os.File, img image.Image) error {
		b := img.Bounds()
		out := image.NewRGBA64(image.Rect(0, 0, b.Dx(), b.Dy()))
		for y := range b.Dy() {
			for x := range b.Dx() {
				r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				lo := uint16(37 * (x + 3*y) % 256)
				out.SetRGBA64(x, y, color.RGBA64{uint16(r)&0xff00 | lo, uint16(g)&0xff00 | lo, uint16(bl)&0xff00 | (255 - lo), 0xffff})
			}
		}
		return png.Encode(f, out)
	})
}

// copySet copies a fixture set's folder, so that train's outputs beside
// its CSV stay out of testdata, and returns the copy's tags CSV.
func copySet(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil || os.WriteFile(filepath.Join(out, e.Name()), data, 0o644) != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(out, "tags.csv")
}
