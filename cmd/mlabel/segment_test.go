package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/masks"
	"mlabel/synth"
)

// The segmentation route end to end through the CLI: synth with masks,
// data check --masks, train --masks, inspect, predict --json --gsd
// --masks-out, eval --masks --json.
func TestSegmentationRoute(t *testing.T) {
	dir := t.TempDir()
	csvPath, images, mdir := synthWithMasks(t, dir, "60", "4")
	code, out, stderr := runCLI(t, "data", "check", "--csv", csvPath, "--images", images, "--masks", mdir, "--min-examples", "1")
	if code != 0 || !strings.Contains(out, "masks ("+mdir+", binary): 60 images") || !strings.Contains(out, "0 errors") {
		t.Fatalf("data check --masks: exit %d: %s%s", code, out, stderr)
	}

	model := filepath.Join(dir, "seg.mlb")
	code, out, stderr = runCLI(t, "train", "--csv", csvPath, "--images", images, "--masks", mdir, "--out", model,
		"--width", "4", "--size", "32", "--epochs", "2", "--refit", "false", "--json")
	if code != 0 {
		t.Fatalf("train --masks: exit %d: %s", code, stderr)
	}
	var tr struct {
		Segment struct {
			PixelThreshold float64    `json:"pixel_threshold"`
			IoU            []*float64 `json:"iou"`
		} `json:"segment"`
		Rules struct {
			PerClass []float64 `json:"per_class_thresholds"`
		} `json:"rules"`
	}
	if err := json.Unmarshal([]byte(out), &tr); err != nil {
		t.Fatalf("train output %q: %v", out, err)
	}
	if tr.Segment.PixelThreshold != 0.5 || len(tr.Segment.IoU) != 14 || len(tr.Rules.PerClass) != 14 {
		t.Fatalf("train output: %+v", tr)
	}
	code, out, _ = runCLI(t, "inspect", model)
	if code != 0 || !strings.Contains(out, "segmenter bundle") || !strings.Contains(out, "held-out pixel IoU") {
		t.Fatalf("inspect: exit %d: %s", code, out)
	}

	one := filepath.Join(images, "tile_00000.jpg")
	maskOut := filepath.Join(dir, "masks-out")
	code, out, stderr = runCLI(t, "predict", "--model", model, "--json", "--gsd", "0.5", "--masks-out", maskOut, one)
	if code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	var preds []struct {
		Image  string             `json:"image"`
		Scores map[string]float64 `json:"scores"`
		Area   map[string]struct {
			Fraction float64 `json:"fraction"`
			M2       float64 `json:"m2"`
			Hectares float64 `json:"hectares"`
		} `json:"area"`
	}
	if err := json.Unmarshal([]byte(out), &preds); err != nil || len(preds) != 1 {
		t.Fatalf("predict output %q: %v", out, err)
	}
	for l, a := range preds[0].Area {
		// A 32×32 tile at 0.5 m per pixel covers 256 m².
		if a.Fraction != preds[0].Scores[l] || math.Abs(a.M2-a.Fraction*256) > 1e-9 || math.Abs(a.Hectares-a.M2/1e4) > 1e-12 {
			t.Errorf("%s: area %+v, score %v", l, a, preds[0].Scores[l])
		}
	}
	set, err := masks.Open(maskOut)
	if err != nil || set.Layout != masks.Indexed || len(set.Legend) != 14 {
		t.Fatalf("masks-out folder: %v %+v", err, set)
	}
	m, err := set.Load("tile_00000", set.Legend)
	if err != nil || m.W != 32 || m.H != 32 {
		t.Fatalf("written mask: %v %+v", err, m)
	}

	code, out, stderr = runCLI(t, "eval", "--model", model, "--csv", csvPath, "--images", images, "--masks", mdir, "--json")
	if code != 0 {
		t.Fatalf("eval --masks: exit %d: %s", code, stderr)
	}
	var ev struct {
		F2   float64             `json:"f2_samples"`
		MIoU *float64            `json:"miou_macro"`
		IoU  map[string]*float64 `json:"iou"`
	}
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatalf("eval output %q: %v", out, err)
	}
	if ev.MIoU == nil || *ev.MIoU <= 0 || *ev.MIoU > 1 || len(ev.IoU) != 14 {
		t.Fatalf("eval output: %s", out)
	}
	// Test-time augmentation averages a segmenter's probability maps.
	code, _, stderr = runCLI(t, "predict", "--model", model, "--tta", one)
	if code != 0 || !strings.Contains(stderr, "maps averaged") {
		t.Errorf("predict --tta on a segmenter: exit %d: %s", code, stderr)
	}
	os.RemoveAll(maskOut)
	// From tiles: the stitched mask at the image's size, areas of the
	// whole image decided by the same area thresholds.
	code, out, stderr = runCLI(t, "predict", "--model", model, "--json", "--tiles", "2", "--masks-out", maskOut, one)
	if code != 0 {
		t.Fatalf("predict --tiles on a segmenter: exit %d: %s", code, stderr)
	}
	var tiled []struct {
		Scores map[string]float64 `json:"scores"`
		Labels []struct {
			Label     string  `json:"label"`
			Threshold float64 `json:"threshold"`
		} `json:"labels"`
	}
	if err := json.Unmarshal([]byte(out), &tiled); err != nil || len(tiled) != 1 || len(tiled[0].Scores) != 14 {
		t.Fatalf("predict --tiles output %q: %v", out, err)
	}
	for _, l := range tiled[0].Labels {
		if j := slices.Index(set.Legend, l.Label); j < 0 || l.Threshold != tr.Rules.PerClass[j] || tiled[0].Scores[l.Label] < l.Threshold {
			t.Errorf("tiled label %+v: not decided by its area threshold", l)
		}
	}
	if set, err = masks.Open(maskOut); err != nil {
		t.Fatal(err)
	}
	if m, err := set.Load("tile_00000", set.Legend); err != nil || m.W != 32 || m.H != 32 {
		t.Fatalf("mask from tiles: %v %+v", err, m)
	}
	// What a segmenter does not do yet is refused as a usage error.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--shard", "1/2"}, "not sharded yet"},
		{[]string{"--out", filepath.Join(dir, "p.jsonl")}, "not sharded yet"},
	} {
		code, _, stderr := runCLI(t, append(append([]string{"predict", "--model", model}, tc.args...), one)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("predict %v on a segmenter: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	os.RemoveAll(maskOut)

	// train --tiles fits area thresholds on the validation images' tiles,
	// which predict --tiles of that grid decides with.
	tiledModel := filepath.Join(dir, "seg-tiles.mlb")
	code, _, stderr = runCLI(t, "train", "--csv", csvPath, "--images", images, "--masks", mdir, "--out", tiledModel,
		"--width", "4", "--size", "32", "--epochs", "1", "--refit", "false", "--tiles", "2", "--quiet")
	if code != 0 {
		t.Fatalf("train --masks --tiles: exit %d: %s", code, stderr)
	}
	tb, err := bundle.Load(tiledModel)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Tiles == nil || tb.Tiles.Grid != 2 || tb.Tiles.Rules == nil || tb.Kind != bundle.KindSegmenter {
		t.Fatalf("segmenter's tiles section %+v", tb.Tiles)
	}
	code, out, stderr = runCLI(t, "predict", "--model", tiledModel, "--json", "--tiles", "2", one)
	if code != 0 {
		t.Fatalf("predict --tiles with tile thresholds: exit %d: %s", code, stderr)
	}
	var tp []struct {
		Labels []struct {
			Label     string  `json:"label"`
			Threshold float64 `json:"threshold"`
		} `json:"labels"`
	}
	if err := json.Unmarshal([]byte(out), &tp); err != nil || len(tp) != 1 {
		t.Fatalf("predict --tiles output %q: %v", out, err)
	}
	tileThr := tb.Tiles.Rules.Thresholds()
	for _, l := range tp[0].Labels {
		if j := slices.Index(tb.Labels, l.Label); j < 0 || l.Threshold != tileThr[j] {
			t.Errorf("label %+v: not decided by its tile threshold", l)
		}
	}

	// Without a tags CSV the images' tags come from their masks.
	code, out, stderr = runCLI(t, "train", "--images", images, "--masks", mdir, "--out", filepath.Join(dir, "nocsv.mlb"),
		"--width", "4", "--size", "32", "--epochs", "1", "--refit", "false", "--json")
	if code != 0 || !strings.Contains(out, `"pixel_threshold":0.5`) {
		t.Fatalf("train --masks without a CSV: exit %d: %s%s", code, out, stderr)
	}
}

// Images larger than the input size train at a fixed scale: train
// chooses it (the median shorter side over --size), stores it with the
// pixel thresholds fitted per label on validation, and predict and eval
// --masks work from windows at that scale, at the image's resolution.
func TestSegmentationAtFixedScale(t *testing.T) {
	dir := t.TempDir()
	csvPath, images, mdir := synthWithMasks(t, dir, "40", "5")
	model := filepath.Join(dir, "seg.mlb")
	code, out, stderr := runCLI(t, "train", "--csv", csvPath, "--images", images, "--masks", mdir, "--out", model,
		"--width", "4", "--size", "16", "--epochs", "2", "--refit", "false", "--json")
	if code != 0 {
		t.Fatalf("train --masks: exit %d: %s", code, stderr)
	}
	var tr struct {
		Segment struct {
			Scale      int       `json:"scale"`
			Thresholds []float64 `json:"pixel_thresholds"`
		} `json:"segment"`
	}
	if err := json.Unmarshal([]byte(out), &tr); err != nil {
		t.Fatalf("train output %q: %v", out, err)
	}
	if tr.Segment.Scale != 2 || len(tr.Segment.Thresholds) != 14 {
		t.Fatalf("train output's segment: %+v, want scale 2 and 14 pixel thresholds", tr.Segment)
	}
	code, out, _ = runCLI(t, "inspect", model)
	if code != 0 || !strings.Contains(out, "reduced by 2") {
		t.Errorf("inspect does not give the scale: exit %d: %s", code, out)
	}
	code, out, stderr = runCLI(t, "eval", "--model", model, "--csv", csvPath, "--images", images, "--masks", mdir, "--json")
	if code != 0 {
		t.Fatalf("eval --masks: exit %d: %s", code, stderr)
	}
	var ev struct {
		MIoU   *float64 `json:"miou_macro"`
		Scored string   `json:"pixels_scored"`
	}
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatalf("eval output %q: %v", out, err)
	}
	if ev.MIoU == nil || !strings.Contains(ev.Scored, "at the image's resolution") || !strings.Contains(ev.Scored, "reduced by 2") {
		t.Errorf("eval --masks: %s", out)
	}
	one := filepath.Join(images, "tile_00000.jpg")
	maskOut := filepath.Join(dir, "masks-out")
	code, _, stderr = runCLI(t, "predict", "--model", model, "--tta", "--masks-out", maskOut, one)
	if code != 0 {
		t.Fatalf("predict --tta --masks-out: exit %d: %s", code, stderr)
	}
	set, err := masks.Open(maskOut)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := set.Load("tile_00000", set.Legend); err != nil || m.W != 32 || m.H != 32 {
		t.Fatalf("mask at scale: %v %+v, want the image's 32×32", err, m)
	}
}

// synthWithMasks writes count synthetic 32 px tiles of seed seed with their
// masks under dir/data and returns the tags CSV, the images folder and
// the masks folder.
func synthWithMasks(t *testing.T, dir, count, seed string) (csvPath, images, mdir string) {
	t.Helper()
	data := filepath.Join(dir, "data")
	code, _, stderr := runCLI(t, "data", "synth", "--out", data, "--count", count, "--size", "32", "--seed", seed, "--masks")
	if code != 0 {
		t.Fatalf("synth: exit %d: %s", code, stderr)
	}
	return filepath.Join(data, synth.CSVName), filepath.Join(data, synth.ImagesDir), filepath.Join(data, synth.MasksDir)
}
