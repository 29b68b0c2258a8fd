package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/decide"
)

// Eval and report count the decisions predict makes: with an exclusive
// weather group stored in the bundle, the group's labels are predicted
// exactly once per image in total, as they are not without it.
func TestEvalAndReportHonourStructure(t *testing.T) {
	dir := t.TempDir()
	model := trainQuick(t, dir)
	csvPath, images := demoData(t)
	b, err := bundle.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	weather := []string{"clear", "partly_cloudy", "haze", "cloudy"}
	// Thresholds of 0 decide every label: without the structure each image
	// gets all four weather tags.
	for j := range b.Rules.PerClass {
		b.Rules.PerClass[j] = 0
	}
	b.Rules.Structure = nil // the structure train found in the demo's tags
	plain := filepath.Join(dir, "plain.mlb")
	if err := b.Save(plain); err != nil {
		t.Fatal(err)
	}
	b.Rules.Structure = &decide.Structure{Exclusive: [][]string{weather}}
	structured := filepath.Join(dir, "structured.mlb")
	if err := b.Save(structured); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		model   string
		perTile int
	}{{plain, 4}, {structured, 1}} {
		code, stdout, stderr := runCLI(t, "eval", "--json", "--model", tc.model, "--csv", csvPath, "--images", images)
		if code != 0 {
			t.Fatalf("eval %s: exit %d: %s", tc.model, code, stderr)
		}
		var res struct {
			Samples  int `json:"n_samples"`
			PerLabel map[string]struct {
				Predicted int `json:"predicted"`
			} `json:"per_label"`
		}
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, l := range weather {
			total += res.PerLabel[l].Predicted
		}
		if res.Samples == 0 || total != tc.perTile*res.Samples {
			t.Errorf("eval %s: %d weather decisions for %d images, want %d per image", filepath.Base(tc.model), total, res.Samples, tc.perTile)
		}
	}
	html := filepath.Join(dir, "report.html")
	if code, _, stderr := runCLI(t, "report", "--model", structured, "--csv", csvPath, "--images", images, "--out", html); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	doc, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(doc), "Decisions obey the label structure") {
		t.Errorf("report (%v) does not say the decisions obey the structure", err)
	}
}

// train --exclusive and --implies store the structure in the bundle, which
// inspect shows; a group naming an unknown label is refused before
// training.
func TestTrainWithStructure(t *testing.T) {
	dir := t.TempDir()
	csvPath, images := demoData(t)
	model := filepath.Join(dir, "m.mlb")
	args := append([]string{"train", "--csv", csvPath, "--images", images, "--out", model, "--epochs", "1",
		"--exclusive", "clear,partly_cloudy,haze,cloudy", "--implies", "building=>road"}, quickTrainArgs...)
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "inspect", "--model", model)
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, stderr)
	}
	if want := "label structure: exclusive clear,partly_cloudy,haze,cloudy; building implies road"; !strings.Contains(stdout, want) {
		t.Errorf("inspect does not show %q:\n%s", want, stdout)
	}
	args = append([]string{"train", "--csv", csvPath, "--images", images, "--out", filepath.Join(dir, "bad.mlb"),
		"--exclusive", "clear,sunny"}, quickTrainArgs...)
	if code, _, stderr := runCLI(t, args...); code != 1 || !strings.Contains(stderr, `"sunny"`) {
		t.Errorf("unknown label in a group: exit %d, stderr %q; want 1 naming it", code, stderr)
	}
}
