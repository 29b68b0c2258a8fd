package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/predict"
)

// trainQuick trains a small model on the demo data into dir and returns the
// bundle's path.
func trainQuick(t *testing.T, dir string) string {
	t.Helper()
	csvPath, images := demoData(t)
	model := filepath.Join(dir, "farm.mlb")
	args := append([]string{"train", "--csv", csvPath, "--images", images, "--out", model}, quickTrainArgs...)
	if code, _, stderr := runCLI(t, append(args, "--epochs", "1")...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	return model
}

// evalResult is the part of eval --json the tests look at.
type evalResult struct {
	Samples  int      `json:"n_samples"`
	MAPMacro *float64 `json:"map_macro"`
	Seen     *int     `json:"seen_in_training"`
	Skipped  int      `json:"skipped"`
}

// Training writes the test split next to the bundle; eval on it finds no
// image the model has seen, eval on the whole set finds the training and
// validation images, by content or, for a bundle without hashes, by name.
func TestEvalCountsImagesSeenInTraining(t *testing.T) {
	csvPath, images := demoData(t)
	dir := t.TempDir()
	model := trainQuick(t, dir)
	testCSV := filepath.Join(dir, "farm.test.csv")
	f, err := os.Open(testCSV)
	if err != nil {
		t.Fatalf("no test split next to the bundle: %v", err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) < 2 || rows[0][0] != "image_name" || rows[0][1] != "tags" {
		t.Fatalf("test CSV: %v, %q", err, rows)
	}
	nTest := len(rows) - 1
	if code, out, _ := runCLI(t, "inspect", model); code != 0 || !strings.Contains(out, fmt.Sprintf("validation, %d test images, recorded by name and SHA-256", nTest)) {
		t.Errorf("inspect: exit %d, no split line: %s", code, out)
	}
	b, err := bundle.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	if b.Split == nil || len(b.Split.Test) != nTest {
		t.Fatalf("bundle split %+v, test CSV has %d images", b.Split, nTest)
	}
	// Old bundles: one whose split has names only, one with no split.
	namesOnly, noSplit := filepath.Join(dir, "names.mlb"), filepath.Join(dir, "old.mlb")
	for _, part := range [][]bundle.SplitImage{b.Split.Train, b.Split.Val, b.Split.Test} {
		for i := range part {
			part[i].SHA256 = ""
		}
	}
	if err := b.Save(namesOnly); err != nil {
		t.Fatal(err)
	}
	b.Split = nil
	if err := b.Save(noSplit); err != nil {
		t.Fatal(err)
	}
	seen := 160 - nTest
	warning := fmt.Sprintf("warning: %d of 160 images were used to train or validate this model; these figures are optimistic", seen)
	for _, tc := range []struct {
		name     string
		args     []string
		samples  int
		seen     *int
		warnings bool
	}{
		{"test split", []string{"--model", model, "--csv", testCSV}, nTest, ptr(0), false},
		// With no data flags, the test split beside the bundle, its
		// paths found from its own folder.
		{"test split by default", []string{"--model", model}, nTest, ptr(0), false},
		{"whole set", []string{"--model", model, "--csv", csvPath, "--images", images}, 160, ptr(seen), true},
		{"whole set, names only", []string{"--model", namesOnly, "--csv", csvPath, "--images", images}, 160, ptr(seen), true},
		{"whole set, no split", []string{"--model", noSplit, "--csv", csvPath, "--images", images}, 160, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, append([]string{"eval", "--json"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var r evalResult
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("eval --json %q: %v", out, err)
			}
			if r.Samples != tc.samples || r.MAPMacro == nil || r.Skipped != 0 {
				t.Errorf("eval: %d samples (want %d), map_macro %v, skipped %d", r.Samples, tc.samples, r.MAPMacro, r.Skipped)
			}
			if (r.Seen == nil) != (tc.seen == nil) || (r.Seen != nil && *r.Seen != *tc.seen) {
				t.Errorf("seen_in_training %v, want %v", deref(r.Seen), deref(tc.seen))
			}
			if has := strings.Contains(stderr, warning); has != tc.warnings {
				t.Errorf("stderr %q: has the warning %v, want %v", stderr, has, tc.warnings)
			}
		})
	}
	html := filepath.Join(dir, "report.html")
	if code, out, stderr := runCLI(t, "report", "--model", model, "--out", html); code != 0 || !strings.Contains(out, fmt.Sprintf("(%d images,", nTest)) || !strings.Contains(stderr, testCSV) {
		t.Errorf("report on the default test split: exit %d, %q, stderr %q", code, out, stderr)
	}
	code, _, stderr := runCLI(t, "report", "--model", model, "--csv", csvPath, "--images", images, "--out", html)
	page, _ := os.ReadFile(html)
	want := fmt.Sprintf("%d of 160 images were used to train or validate this model; these figures are optimistic.", seen)
	if code != 0 || !strings.Contains(stderr, warning) || !strings.Contains(string(page), want) {
		t.Errorf("report: exit %d, stderr %q; page has the warning: %v", code, stderr, strings.Contains(string(page), want))
	}
}

func ptr(n int) *int { return &n }

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// mixedImages copies a few demo images into a new folder with an
// undecodable and an empty file, and returns the folder and the bad paths.
func mixedImages(t *testing.T) (dir string, good, bad []string) {
	t.Helper()
	_, images := demoData(t)
	dir = t.TempDir()
	for i := range 5 {
		data, err := os.ReadFile(filepath.Join(images, fmt.Sprintf("tile_%05d.jpg", i)))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("tile_%05d.jpg", i))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		good = append(good, p)
	}
	for name, data := range map[string][]byte{"broken.jpg": []byte("\xff\xd8\xff not really a JPEG"), "empty.png": {}} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		bad = append(bad, p)
	}
	return dir, good, bad
}

// predict predicts every image it can, names each failure on stderr and
// exits 1, or 0 with --skip-bad; --json stays one array.
func TestPredictSkipsBadImages(t *testing.T) {
	model := trainQuick(t, t.TempDir())
	dir, good, bad := mixedImages(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"folder", []string{dir}, 1},
		{"files", append(append([]string{}, bad[0]), good...), 1},
		{"skip-bad", []string{"--skip-bad", dir}, 0},
		{"tiles", []string{"--tiles", "2", dir}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, append([]string{"predict", "--model", model, "--json"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			var preds []predict.Prediction
			if err := json.Unmarshal([]byte(out), &preds); err != nil {
				t.Fatalf("stdout is not one JSON array: %v: %q", err, out)
			}
			if len(preds) != len(good) {
				t.Errorf("%d predictions, want %d", len(preds), len(good))
			}
			for _, p := range preds {
				if strings.Contains(p.Image, "broken") || strings.Contains(p.Image, "empty") {
					t.Errorf("a bad image was predicted: %s", p.Image)
				}
			}
			for _, b := range bad {
				if !strings.Contains(tc.name, "files") || b == bad[0] {
					if !strings.Contains(stderr, "mlabel: skipped "+b+": ") {
						t.Errorf("stderr does not name %s: %q", b, stderr)
					}
				}
			}
		})
	}
	// The table and CSV formats skip the same way.
	code, out, _ := runCLI(t, "predict", "--model", model, "--format", "csv", dir)
	if rows, err := csv.NewReader(strings.NewReader(out)).ReadAll(); code != 1 || err != nil || len(rows) != len(good)+1 {
		t.Errorf("--format csv: exit %d, %v, %d rows", code, err, len(rows))
	}
}

// eval leaves undecodable images out, names them with their CSV lines and
// counts them in --json.
func TestEvalSkipsBadImages(t *testing.T) {
	model := trainQuick(t, t.TempDir())
	dir, _, _ := mixedImages(t)
	tags := "image_name,tags\ntile_00000,clear\ntile_00001,clear\nbroken,clear\ntile_00002,clear\nempty.png,clear\ntile_00003,clear\n"
	csvPath := filepath.Join(dir, "tags.csv")
	if err := os.WriteFile(csvPath, []byte(tags), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		flags []string
		code  int
	}{{nil, 1}, {[]string{"--skip-bad"}, 0}} {
		code, out, stderr := runCLI(t, append([]string{"eval", "--model", model, "--csv", csvPath, "--json"}, tc.flags...)...)
		if code != tc.code {
			t.Fatalf("%v: exit %d, want %d: %s", tc.flags, code, tc.code, stderr)
		}
		var r evalResult
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("eval --json %q: %v", out, err)
		}
		if r.Samples != 4 || r.Skipped != 2 {
			t.Errorf("%v: %d samples, %d skipped; want 4 and 2", tc.flags, r.Samples, r.Skipped)
		}
		for _, where := range []string{"broken.jpg (" + csvPath + ":4): ", "empty.png (" + csvPath + ":6): "} {
			if !strings.Contains(stderr, where) {
				t.Errorf("%v: stderr does not name %s: %q", tc.flags, where, stderr)
			}
		}
		if !strings.Contains(stderr, "skipped 2 of 6 images") {
			t.Errorf("%v: stderr does not count the skipped images: %q", tc.flags, stderr)
		}
	}
}

// train decodes every image before the first epoch: bad files are all
// named with their CSV lines and nothing is written; a tag repeated in a
// row is only a warning.
func TestTrainChecksImagesFirst(t *testing.T) {
	csvPath, images := demoData(t)
	src, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(src)), "\n")
	dir := t.TempDir()
	// Line 3 repeats a tag; lines 5 and 9 name undecodable files.
	lines[2] += " " + strings.Fields(strings.SplitN(lines[2], ",", 2)[1])[0]
	broken := map[int]string{5: "broken_a.jpg", 9: "broken_b.png"}
	for line, name := range broken {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("garbage"), 0o644); err != nil {
			t.Fatal(err)
		}
		lines[line-1] = filepath.Join(dir, name) + ",clear"
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "m.mlb")
	args := append([]string{"train", "--csv", bad, "--images", images, "--out", model}, quickTrainArgs...)
	code, _, stderr := runCLI(t, args...)
	if code != 1 {
		t.Fatalf("exit %d with undecodable images, want 1: %s", code, stderr)
	}
	for line, name := range broken {
		if want := fmt.Sprintf("%s:%d: error: image %q cannot be decoded", bad, line, filepath.Join(dir, name)); !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
	for _, p := range []string{model, model + ".ckpt", filepath.Join(dir, "m.test.csv")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s written: %v", p, err)
		}
	}
	// Without the broken files the repeated tag is a warning only.
	good := append([]string(nil), lines...)
	for line := range broken {
		good[line-1] = strings.Split(string(src), "\n")[line-1]
	}
	if err := os.WriteFile(bad, []byte(strings.Join(good, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	args = append([]string{"train", "--csv", bad, "--images", images, "--out", model}, quickTrainArgs[:len(quickTrainArgs)-1]...)
	code, _, stderr = runCLI(t, append(args, "--epochs", "1")...)
	if code != 0 || !strings.Contains(stderr, fmt.Sprintf("%s:3: warning: tag", bad)) || !strings.Contains(stderr, "counts once") {
		t.Errorf("repeated tag: exit %d: %s", code, stderr)
	}
}
