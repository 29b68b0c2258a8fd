package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/imageio/imagetest"
	"mlabel/predict"
)

// train --tiles stores thresholds for that grid; predict --tiles reads an
// image over the model's pixel limit tile by tile, uses them when its grid
// matches and warns when it does not.
func TestTrainAndPredictTiles(t *testing.T) {
	csvPath, images := demoData(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "t.mlb")
	args := append([]string{"train", "--csv", csvPath, "--images", images, "--out", model, "--tiles", "2", "--max-pixels", "1000000"}, quickTrainArgs...)
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("train --tiles: exit %d: %s", code, stderr)
	}
	b, err := bundle.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	if b.Tiles == nil || b.Tiles.Grid != 2 || b.Tiles.Overlap != 0.25 || b.Tiles.Rules == nil || b.Tiles.Images == 0 {
		t.Fatalf("tiles section %+v", b.Tiles)
	}

	code, out, _ := runCLI(t, "inspect", model)
	if want := "tile thresholds: for predict --tiles 2 --tile-overlap 0.25"; code != 0 || !strings.Contains(out, want) {
		t.Errorf("inspect: exit %d, output lacks %q:\n%s", code, want, out)
	}

	// A 1200×1000 scene: over the model's limit of a megapixel whole.
	src := imagetest.Noisy(1200, 1000, 4)
	big := filepath.Join(dir, "scene.tif")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := imagetest.WriteTIFF(f, 1200, 1000, 3, 16, func(x, y, c int) uint8 { return src.Pix[src.PixOffset(x, y)+c] }); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if code, _, stderr := runCLI(t, "predict", "--model", model, big); code != 1 || !strings.Contains(stderr, "over the limit") {
		t.Errorf("predict whole: exit %d, %s", code, stderr)
	}
	for _, tc := range []struct {
		name string
		args []string
		warn string
	}{
		{"fitted grid", []string{"--tiles", "2"}, ""},
		{"other grid", []string{"--tiles", "3"}, "predict with --tiles 2 --tile-overlap 0.25"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, append([]string{"predict", "--model", model, "--json", big}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var preds []predict.Prediction
			if err := json.Unmarshal([]byte(out), &preds); err != nil || len(preds) != 1 {
				t.Fatalf("%d predictions, %v", len(preds), err)
			}
			if tc.warn == "" && strings.Contains(stderr, "warning") {
				t.Errorf("warned: %s", stderr)
			}
			if tc.warn != "" && !strings.Contains(stderr, tc.warn) {
				t.Errorf("stderr %q, want a warning saying %q", stderr, tc.warn)
			}
			// The labels are those whose score reaches the tile thresholds
			// when the grid matches, the whole-image ones otherwise.
			if len(preds[0].Labels) == 0 {
				t.Fatalf("no labels predicted: %+v", preds[0])
			}
			thr := b.Rules.PerClass
			if tc.warn == "" {
				thr = b.Tiles.Rules.PerClass
			}
			for _, l := range preds[0].Labels {
				j := slices.Index(b.Labels, l.Label)
				if l.Threshold != thr[j] {
					t.Errorf("%s decided at %v, want %v", l.Label, l.Threshold, thr[j])
				}
			}
		})
	}
	if code, _, stderr := runCLI(t, append([]string{"train", "--csv", csvPath, "--images", images, "--out", filepath.Join(dir, "x.mlb"), "--tiles", "2", "--tile-overlap", "1"}, quickTrainArgs...)...); code != 2 || !strings.Contains(stderr, "overlap") {
		t.Errorf("--tile-overlap 1: exit %d, %s", code, stderr)
	}
}
