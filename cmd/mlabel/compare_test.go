package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/synth"
)

func TestCompareExitCodes(t *testing.T) {
	out := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no data", []string{"compare", "--out", out}, 2},
		{"both sources", []string{"compare", "--csv", "a.csv", "--folders", "d", "--out", out}, 2},
		{"no out", []string{"compare", "--csv", "a.csv"}, 2},
		{"two test sets", []string{"compare", "--csv", "a.csv", "--test-csv", "b.csv", "--test-folders", "d", "--out", out}, 2},
		{"bad epochs", []string{"compare", "--csv", "a.csv", "--epochs", "0", "--out", out}, 2},
		{"positional", []string{"compare", "x", "--csv", "a.csv", "--out", out}, 2},
		{"missing csv", []string{"compare", "--csv", filepath.Join(out, "none.csv"), "--out", out}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(tc.args); got != tc.code {
				t.Errorf("exit code %d, want %d", got, tc.code)
			}
		})
	}
}

func TestCompareJSONAndChampionBundle(t *testing.T) {
	dir := t.TempDir()
	csv, err := synth.Generate(synth.Options{Dir: dir, Count: 60, Size: 32, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	root := newRootCmd()
	var stdout bytes.Buffer
	root.SetOut(&stdout)
	root.SetErr(&bytes.Buffer{})
	root.SetArgs([]string{"compare", "--csv", csv, "--images", filepath.Join(dir, synth.ImagesDir), "--size", "32", "--width", "4",
		"--epochs", "1", "--batch", "16", "--bootstrap", "20", "--repeats", "1", "--out", out, "--json"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Labels   []string                  `json:"labels"`
		PerLabel map[string]map[string]any `json:"per_label"`
		Cost     map[string]map[string]any `json:"cost"`
		Bundles  map[string]string         `json:"bundles"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &v); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, stdout.String())
	}
	if len(v.PerLabel) != len(synth.Labels()) || len(v.Cost) != 3 {
		t.Errorf("%d labels and %d options, want %d and 3", len(v.PerLabel), len(v.Cost), len(synth.Labels()))
	}
	if p := v.Cost["specialists"]["forward_passes"]; p != float64(len(synth.Labels())) {
		t.Errorf("specialists forward passes %v, want %d", p, len(synth.Labels()))
	}
	b, err := bundle.Load(v.Bundles["champion"])
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Labels) != len(v.Labels) || b.Rules == nil || b.Kind != "classifier" {
		t.Errorf("champion bundle: %d labels, rules %v, kind %q", len(b.Labels), b.Rules != nil, b.Kind)
	}
	if _, err := os.Stat(filepath.Join(out, "compare.json")); err != nil {
		t.Error(err)
	}
	if _, ok := v.Bundles["joint"]; ok {
		t.Error("joint bundle written without --all")
	}
}

func TestCompareRoutesFlags(t *testing.T) {
	out := t.TempDir()
	base := []string{"compare", "--csv", "a.csv", "--images", "i", "--out", out}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown route", []string{"--routes", "classify,detect", "--masks", "m"}, "--routes compares classify,segment"},
		{"no masks", []string{"--routes", "classify,segment"}, "needs --masks"},
		{"masks without routes", []string{"--masks", "m"}, "go with --routes"},
		{"stacking", []string{"--routes", "classify,segment", "--masks", "m", "--stacking"}, "--stacking and --all"},
		{"test masks without a test set", []string{"--routes", "classify,segment", "--masks", "m", "--test-masks", "t"}, "held-out test set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append(slices.Clone(base), tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

// compare --routes end to end: both routes' bundles, the JSON, and a
// segment bundle that predict uses.
func TestCompareRoutes(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "data", "synth", "--out", dir, "--count", "60", "--size", "32", "--seed", "7", "--masks"); code != 0 {
		t.Fatalf("synth: exit %d: %s", code, stderr)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI(t, "compare", "--routes", "classify,segment", "--csv", filepath.Join(dir, synth.CSVName),
		"--images", filepath.Join(dir, synth.ImagesDir), "--masks", filepath.Join(dir, synth.MasksDir), "--size", "32", "--width", "4",
		"--epochs", "1", "--bootstrap", "20", "--repeats", "1", "--out", out, "--json")
	if code != 0 {
		t.Fatalf("compare --routes: exit %d: %s", code, stderr)
	}
	var v struct {
		Labels   []string                  `json:"labels"`
		PerLabel map[string]map[string]any `json:"per_label"`
		Cost     map[string]map[string]any `json:"cost"`
		MIoU     *float64                  `json:"miou_macro"`
		Bundles  map[string]string         `json:"bundles"`
	}
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, stdout)
	}
	if len(v.Labels) < 10 || len(v.PerLabel) != len(v.Labels) || len(v.Cost) != 3 || v.MIoU == nil {
		t.Errorf("%d labels, %d compared, %d costs, mIoU %v", len(v.Labels), len(v.PerLabel), len(v.Cost), v.MIoU)
	}
	for route, kind := range map[string]bundle.Kind{"classify": bundle.KindClassifier, "segment": bundle.KindSegmenter} {
		b, err := bundle.Load(v.Bundles[route])
		if err != nil {
			t.Fatal(err)
		}
		if b.Kind != kind {
			t.Errorf("%s bundle is a %s", route, b.Kind)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "compare.json")); err != nil {
		t.Error(err)
	}
	one := filepath.Join(dir, synth.ImagesDir, "tile_00000.jpg")
	if code, _, stderr := runCLI(t, "predict", "--model", v.Bundles["segment"], "--json", one); code != 0 {
		t.Errorf("predict with the segment bundle: exit %d: %s", code, stderr)
	}
	code, stdout, _ = runCLI(t, "compare", "--routes", "segment,classify", "--csv", filepath.Join(dir, synth.CSVName),
		"--images", filepath.Join(dir, synth.ImagesDir), "--masks", filepath.Join(dir, synth.MasksDir), "--size", "32", "--width", "4",
		"--epochs", "1", "--bootstrap", "0", "--repeats", "1", "--out", out)
	if code != 0 || !strings.Contains(stdout, "segment IoU") || !strings.Contains(stdout, "bundles: ") {
		t.Errorf("compare --routes table: exit %d:\n%s", code, stdout)
	}
}
