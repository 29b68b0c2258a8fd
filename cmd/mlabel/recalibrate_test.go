package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/shift"
)

// recalResult is recalibrate --json's output.
type recalResult struct {
	Prevalence map[string]struct {
		Train     float64   `json:"train"`
		Estimated float64   `json:"estimated"`
		Interval  []float64 `json:"interval"`
		BBSE      *float64  `json:"bbse"`
		Kept      bool      `json:"kept"`
		Reason    string    `json:"reason"`
	} `json:"prevalence"`
	Thresholds map[string]struct {
		Old float64 `json:"old"`
		New float64 `json:"new"`
	} `json:"thresholds"`
}

// Recalibrate on the demo images writes a bundle with the re-fitted
// thresholds and the record of the batch, which inspect shows and predict
// uses; a bundle without a validation reference needs its validation set.
func TestRecalibrate(t *testing.T) {
	dir := t.TempDir()
	model := trainQuick(t, dir)
	csvPath, images := demoData(t)
	out := filepath.Join(dir, "new.mlb")
	html := filepath.Join(dir, "drift.html")
	code, stdout, stderr := runCLI(t, "recalibrate", "--model", model, "--images", images, "--out", out, "--json", "--bootstrap", "20", "--report", html)
	if code != 0 {
		t.Fatalf("recalibrate: exit %d: %s", code, stderr)
	}
	// Training refits by default, and makes the reference from the test
	// split, which the refitted model has not seen: nothing to warn of.
	if strings.Contains(stderr, "after its validation reference was made") {
		t.Errorf("a reference made from the test split is called stale: %s", stderr)
	}
	if _, info, _ := runCLI(t, "inspect", "--model", model); !strings.Contains(info, "reference for recalibration:") || !strings.Contains(info, " test images") {
		t.Errorf("inspect does not say the reference comes from the test split:\n%s", info)
	}
	// Without a test split the refitted model's reference is the first
	// model's, and recalibrate says so.
	noTest := filepath.Join(dir, "notest.mlb")
	args := append([]string{"train", "--csv", csvPath, "--images", images, "--out", noTest, "--test", "0"}, quickTrainArgs...)
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("train --test 0: exit %d: %s", code, stderr)
	}
	code, _, stderr = runCLI(t, "recalibrate", "--model", noTest, "--images", images, "--out", filepath.Join(dir, "notest2.mlb"), "--bootstrap", "20")
	if code != 0 || !strings.Contains(stderr, "after its validation reference was made") {
		t.Errorf("recalibrating a refitted model without a test split: exit %d, says nothing of the refit: %s", code, stderr)
	}
	var res recalResult
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&res); err != nil || dec.More() {
		t.Fatalf("recalibrate --json printed %q: %v (want exactly one object)", stdout, err)
	}
	old, err := bundle.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := bundle.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Prevalence) != len(old.Labels) || len(res.Thresholds) != len(old.Labels) {
		t.Fatalf("output covers %d prevalences and %d thresholds for %d labels", len(res.Prevalence), len(res.Thresholds), len(old.Labels))
	}
	newThr := nb.Rules.Thresholds()
	estimated, kept := 0, 0
	for j, l := range old.Labels {
		p, th := res.Prevalence[l], res.Thresholds[l]
		if p.Kept != (p.Reason != "") || p.Kept && th.New != th.Old {
			t.Errorf("%s: kept %v, reason %q, threshold %v → %v", l, p.Kept, p.Reason, th.Old, th.New)
		}
		if p.Kept {
			kept++
		}
		switch {
		case p.Reason == shift.KeptUnlearned:
			// A label the quick model has not learned keeps its prevalence
			// and threshold.
			if p.Estimated != p.Train || p.Interval != nil || p.BBSE != nil {
				t.Errorf("%s: not learned, yet estimate %v (train %v), interval %v, BBSE %v", l, p.Estimated, p.Train, p.Interval, p.BBSE)
			}
		case !(p.Estimated > 0 && p.Estimated < 1) || len(p.Interval) != 2 || p.Interval[0] > p.Interval[1]:
			t.Errorf("%s: estimate %v, interval %v", l, p.Estimated, p.Interval)
		default:
			estimated++
		}
		if p.Train != old.Reference.Prevalence[j] || th.Old != old.Rules.PerClass[j] || th.New != newThr[j] {
			t.Errorf("%s: printed train %v, old %v, new %v; bundles hold %v, %v, %v", l, p.Train, th.Old, th.New,
				old.Reference.Prevalence[j], old.Rules.PerClass[j], newThr[j])
		}
	}
	if estimated == 0 {
		t.Error("no label was estimated")
	}
	t.Logf("%d of %d labels kept: %+v", kept, len(old.Labels), res.Prevalence)
	code, stdout, _ = runCLI(t, "recalibrate", "--model", model, "--images", images, "--out", filepath.Join(dir, "unguarded.mlb"), "--json", "--bootstrap", "20", "--no-guard")
	var unguarded recalResult
	if err := json.Unmarshal([]byte(stdout), &unguarded); code != 0 || err != nil {
		t.Fatalf("recalibrate --no-guard: exit %d, %v", code, err)
	}
	for l, p := range unguarded.Prevalence {
		if p.Kept && p.Reason != shift.KeptUnlearned {
			t.Errorf("--no-guard: %s kept: %s", l, p.Reason)
		}
	}
	if len(nb.Recalibrations) != 1 || nb.Recalibrations[0].Batch.Images != 160 || len(nb.Recalibrations[0].Batch.SHA256) != 64 {
		t.Fatalf("recalibration records %+v", nb.Recalibrations)
	}
	if nb.Reference == nil || nb.Reference.Images != old.Reference.Images {
		t.Errorf("the new bundle's reference differs from the old one's")
	}
	doc, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(doc), "partly_cloudy: score distribution") && !strings.Contains(string(doc), "<td>partly_cloudy</td>") {
		t.Errorf("drift report (%v) lacks the labels", err)
	}

	code, stdout, _ = runCLI(t, "inspect", out)
	if code != 0 || !strings.Contains(stdout, "recalibrated ") || !strings.Contains(stdout, "on 160 images of "+images) {
		t.Errorf("inspect: exit %d, no recalibration note in %s", code, stdout)
	}
	if kept > 0 && !strings.Contains(stdout, "(kept: ") {
		t.Errorf("inspect does not say which thresholds were kept: %s", stdout)
	}
	if code, _, stderr = runCLI(t, "predict", "--model", out, images); code != 0 {
		t.Errorf("predict with the recalibrated bundle: exit %d: %s", code, stderr)
	}

	// A bundle written before references were stored.
	old.Reference = nil
	bare := filepath.Join(dir, "bare.mlb")
	if err := old.Save(bare); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "recalibrate", "--model", bare, "--images", images, "--out", out)
	if code != 1 || !strings.Contains(stderr, "--val-csv") || !strings.Contains(stderr, "hint:") {
		t.Errorf("a bundle without reference: exit %d, stderr %s", code, stderr)
	}
	code, _, stderr = runCLI(t, "recalibrate", "--model", bare, "--images", images, "--out", out, "--val-csv", csvPath, "--val-images", images, "--bootstrap", "0")
	if code != 0 {
		t.Errorf("with --val-csv: exit %d: %s", code, stderr)
	}
	if nb, err = bundle.Load(out); err != nil || nb.Reference == nil || nb.Reference.Images != 160 {
		t.Errorf("the reference fitted on --val-csv is not in the new bundle (%v)", err)
	}
}

func TestRecalibrateBadInput(t *testing.T) {
	dir := t.TempDir()
	model := trainQuick(t, dir)
	_, images := demoData(t)
	few := filepath.Join(dir, "few")
	os.MkdirAll(few, 0o755)
	entries, err := os.ReadDir(images)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries[:30] {
		data, err := os.ReadFile(filepath.Join(images, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(few, e.Name()), data, 0o644)
	}
	broken := filepath.Join(dir, "broken")
	os.MkdirAll(broken, 0o755)
	for _, e := range entries[:120] {
		data, _ := os.ReadFile(filepath.Join(images, e.Name()))
		os.WriteFile(filepath.Join(broken, e.Name()), data, 0o644)
	}
	os.WriteFile(filepath.Join(broken, "zz.jpg"), []byte("not a JPEG"), 0o644)
	out := filepath.Join(dir, "out.mlb")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no out", []string{"--model", model, "--images", images}, 2, "required"},
		{"too few images", []string{"--model", model, "--images", few, "--out", out}, 1, "30 images is too small"},
		{"empty folder", []string{"--model", model, "--images", t.TempDir(), "--out", out}, 1, "no image files"},
		{"undecodable image", []string{"--model", model, "--images", broken, "--out", out}, 1, "no bundle written"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"recalibrate"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a bundle was written: %v", err)
			}
		})
	}
	code, _, stderr := runCLI(t, "recalibrate", "--model", model, "--images", broken, "--out", out, "--skip-bad", "--bootstrap", "0")
	if code != 0 || !strings.Contains(stderr, "zz.jpg") {
		t.Errorf("--skip-bad: exit %d: %s", code, stderr)
	}
}

// data check suggests the demo tiles' weather group and building ⇒ road as
// flags on clean tags; with one image given two weather tags the group is
// listed with the image that breaks it, as a tendency, not as a flag.
func TestDataCheckSuggestsStructure(t *testing.T) {
	csvPath, images := demoData(t)
	noisy, _, _ := noisyDemo(t)
	for _, tc := range []struct {
		name, csv string
		broken    bool
	}{{"clean", csvPath, false}, {"one noisy image", noisy, true}} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, "data", "check", "--csv", tc.csv, "--images", images, "--skip-decode")
			if code != 0 {
				t.Fatalf("data check: exit %d: %s", code, stderr)
			}
			group := regexp.MustCompile(`(?m)^  --exclusive clear,partly_cloudy,cloudy,haze +exclusive clear,partly_cloudy,cloudy,haze +0 of 160 images break it$`)
			if tc.broken {
				group = regexp.MustCompile(`(?m)^  exclusive clear,partly_cloudy,cloudy,haze +1 of 160 images break it$`)
			}
			implies := regexp.MustCompile(`(?m)^  --implies 'building=>road' +building implies road +0 of \d+ images break it$`)
			if !strings.Contains(out, "label rules no image breaks, beyond chance (suggestions):") || !group.MatchString(out) || !implies.MatchString(out) {
				t.Errorf("data check output lacks the weather group (broken: %v) or building => road:\n%s", tc.broken, out)
			}
			if flag := strings.Contains(out, "--exclusive clear,partly_cloudy,cloudy,haze"); flag == tc.broken {
				t.Errorf("data check offers the weather group as a flag: %v, want %v:\n%s", flag, !tc.broken, out)
			}
			if !strings.Contains(out, "to train with them: mlabel train ... ") {
				t.Errorf("data check output lacks the flags to train with:\n%s", out)
			}
		})
	}
}
