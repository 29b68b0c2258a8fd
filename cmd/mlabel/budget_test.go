package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"mlabel/bundle"
	"mlabel/train"
)

// train --budget measures, chooses the size and epochs, says so, finishes
// within the budget and 10%, and records the choice in the bundle.
func TestTrainBudget(t *testing.T) {
	csvPath, images := demoData(t)
	out := filepath.Join(t.TempDir(), "m.mlb")
	const budget = 20 * time.Second
	start := time.Now()
	code, _, stderr := runCLI(t, "train", "--csv", csvPath, "--images", images, "--out", out,
		"--budget", budget.String(), "--arch", "small", "--width", "8", "--batch", "16")
	took := time.Since(start)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if took > budget*11/10 {
		t.Errorf("took %s, over %s and 10%%", took, budget)
	}
	b, err := bundle.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	var cfg train.Config
	if err := json.Unmarshal(b.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	r := cfg.Budget
	// The demo images are 32 px: no candidate is larger.
	if r == nil || r.Budget != "20s" || r.Size != 32 || cfg.Size != 32 || r.Epochs != cfg.Epochs || r.Epochs < 8 || len(r.Candidates) != 1 || r.Expected <= 0 {
		t.Fatalf("bundle config size %d, epochs %d, budget record %+v", cfg.Size, cfg.Epochs, r)
	}
	want := "chose 32 px, " + strconv.Itoa(cfg.Epochs) + " epochs"
	if !strings.Contains(stderr, "budget: candidates 32 px") || !strings.Contains(stderr, want) {
		t.Errorf("the output does not say %q:\n%s", want, stderr)
	}
}

// train --budget refuses what it cannot plan, and a size and epochs given
// that the budget cannot hold.
func TestTrainBudgetRefuses(t *testing.T) {
	csvPath, images := demoData(t)
	dir := t.TempDir()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--budget", "1m", "--resume"}, 2, "--resume"},
		{[]string{"--budget", "-1m"}, 2, "positive"},
		{[]string{"--budget", "1m", "--tiles", "2"}, 2, "--tiles"},
		{[]string{"--budget", "1m", "--size", "32", "--epochs", "100000"}, 1, "32 px for 100000 epochs, needs about"},
	}
	for _, tc := range tests {
		args := append([]string{"train", "--csv", csvPath, "--images", images, "--out", filepath.Join(dir, "m.mlb"),
			"--arch", "small", "--width", "8", "--batch", "16", "--view", "overhead", "--quiet"}, tc.args...)
		code, _, stderr := runCLI(t, args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}
