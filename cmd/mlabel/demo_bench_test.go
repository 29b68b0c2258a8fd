package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mlabel demo on its smallest setting runs the whole job and reports a
// saved bundle, test-split metrics and predictions.
func TestDemoTiny(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, stderr := runCLI(t, "demo", "--out", dir, "--count", "100", "--size", "32", "--width", "8",
		"--epochs", "1", "--workers", "2", "--view", "overhead", "--quiet", "--json")
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var r struct {
		Bundle      string            `json:"bundle"`
		Data        string            `json:"data"`
		F2          *float64          `json:"f2_samples"`
		MAP         *float64          `json:"map_macro"`
		BestEpoch   int               `json:"best_epoch"`
		Predictions []json.RawMessage `json:"predictions"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		t.Fatalf("last line is not the JSON result: %v\n%s", err, out)
	}
	if r.Bundle != filepath.Join(dir, "model.mlb") || r.BestEpoch != 1 {
		t.Errorf("bundle %q, best epoch %d; want %s and 1", r.Bundle, r.BestEpoch, filepath.Join(dir, "model.mlb"))
	}
	for _, p := range []string{r.Bundle, r.Data} {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("demo output %q: %v", p, err)
		}
	}
	if r.F2 == nil || *r.F2 < 0 || *r.F2 > 1 || r.MAP == nil || *r.MAP <= 0 || *r.MAP > 1 {
		t.Errorf("f2_samples %v, map_macro %v; want both within [0, 1]", r.F2, r.MAP)
	}
	if len(r.Predictions) != 5 {
		t.Errorf("%d predictions, want 5 test images", len(r.Predictions))
	}
	if code, _, stderr := runCLI(t, "demo", "--out", dir, "--count", "99"); code != 2 || !strings.Contains(stderr, "--count") {
		t.Errorf("demo --count 99: exit %d (%s), want 2 naming --count", code, stderr)
	}
}

// mlabel bench engine runs a few steps and reports speeds, memory and,
// with --breakdown, the time of each kind of layer.
func TestBenchEngineFewSteps(t *testing.T) {
	args := []string{"bench", "engine", "--size", "32", "--batch", "4", "--labels", "3", "--steps", "2"}
	code, out, stderr := runCLI(t, append(args, "--breakdown", "--json")...)
	if code != 0 {
		t.Fatalf("bench engine: exit %d: %s", code, stderr)
	}
	var r struct {
		Arch      string            `json:"arch"`
		Size      int               `json:"size"`
		Batch     int               `json:"batch"`
		Gemm      string            `json:"gemm"`
		TrainImgS float64           `json:"train_img_s"`
		InferImgS float64           `json:"infer_img_s"`
		PeakRSSMB float64           `json:"peak_rss_mb"`
		GFLOPs    float64           `json:"gflops_per_img"`
		Ops       []json.RawMessage `json:"ops"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if r.Arch != "small" || r.Size != 32 || r.Batch != 4 || r.Gemm == "" {
		t.Errorf("ran %s at %d px batch %d on gemm %q, want small at 32 px batch 4", r.Arch, r.Size, r.Batch, r.Gemm)
	}
	if !(r.TrainImgS > 0 && r.InferImgS > 0 && r.PeakRSSMB > 0 && r.GFLOPs > 0) || len(r.Ops) == 0 {
		t.Errorf("train %v img/s, inference %v img/s, %v MB, %v GFLOP/img, %d layer kinds: want all positive", r.TrainImgS, r.InferImgS, r.PeakRSSMB, r.GFLOPs, len(r.Ops))
	}
	code, out, stderr = runCLI(t, args...)
	if code != 0 || !strings.HasPrefix(out, "small 32 px batch 4, gemm ") || !strings.Contains(out, "img/s") {
		t.Errorf("bench engine: exit %d, output %q: %s", code, out, stderr)
	}
	if code, _, _ := runCLI(t, "bench", "engine", "--arch", "nosuch", "--steps", "1"); code == 0 {
		t.Errorf("bench engine --arch nosuch succeeded")
	}
}
