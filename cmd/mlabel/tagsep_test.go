package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/workflow"
)

// tagSepData writes the demo set's tags joined by '|', with each label's
// underscores turned into spaces and clear written {clear} (the
// neighbours of '|' in ASCII), and returns the CSV and the set read from it.
func tagSepData(t *testing.T) (string, string, *dataset.Dataset) {
	t.Helper()
	csvPath, images := demoData(t)
	orig, err := dataset.Load(dataset.Options{CSV: csvPath, Images: images})
	if err != nil {
		t.Fatal(err)
	}
	rename := func(l string) string {
		if l == "clear" {
			return "{clear}"
		}
		return strings.ReplaceAll(l, "_", " ")
	}
	var b strings.Builder
	cw := csv.NewWriter(&b)
	cw.Write([]string{"image_name", "tags"})
	for _, it := range orig.Items {
		var tags []string
		for _, l := range it.Pos {
			tags = append(tags, rename(orig.Labels[l]))
		}
		cw.Write([]string{it.Name, strings.Join(tags, "|")})
	}
	cw.Flush()
	path := filepath.Join(t.TempDir(), "tags.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ds, err := dataset.Load(dataset.Options{CSV: path, Images: images, TagSep: "|"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ds.Labels, "partly cloudy") || !slices.Contains(ds.Labels, "{clear}") {
		t.Fatalf("labels %q lack the renamed ones", ds.Labels)
	}
	return path, images, ds
}

// Every tags CSV mlabel writes (the test split of train, audit --apply's
// corrected set, suggest --template, predict --format csv) joins the tags
// with --tag-sep, so that tags holding spaces read back as themselves.
func TestTagSepRoundTrips(t *testing.T) {
	csvPath, images, ds := tagSepData(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.mlb")
	args := append([]string{"train", "--csv", csvPath, "--images", images, "--tag-sep", "|", "--out", model}, quickTrainArgs...)
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	b, err := bundle.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.Labels, ds.Labels) {
		t.Fatalf("model labels %q, want %q", b.Labels, ds.Labels)
	}
	byName := map[string]dataset.Item{}
	for _, it := range ds.Items {
		byName[dataset.ImageKey(it.Name)] = it
	}
	// readBack reads a written CSV with --tag-sep and, when same, checks
	// that each image keeps its tags, as tags or, where audit doubts them,
	// as unknown, and gains none (without same, the vocabulary alone is
	// checked: predictions and guesses are the model's).
	readBack := func(what, path string, same bool) *dataset.Dataset {
		t.Helper()
		back, err := dataset.Load(dataset.Options{CSV: path, Images: images, TagSep: "|", Labels: ds.Labels})
		if err != nil {
			t.Fatalf("%s does not read back with --tag-sep '|': %v", what, err)
		}
		if len(back.Items) == 0 {
			t.Fatalf("%s is empty", what)
		}
		for _, it := range back.Items {
			orig := byName[dataset.ImageKey(it.Name)]
			kept := func(l int) bool { return slices.Contains(it.Pos, l) || slices.Contains(it.Unknown, l) }
			gained := func(l int) bool { return !slices.Contains(orig.Pos, l) }
			if same && (!every(orig.Pos, kept) || slices.ContainsFunc(it.Pos, gained)) {
				t.Errorf("%s: %s has tags %v and unknown %v, the set %v", what, it.Name, it.Pos, it.Unknown, orig.Pos)
			}
		}
		return back
	}
	readBack("the test split", workflow.TestCSVPath(model), true)

	fixed := filepath.Join(dir, "fixed.csv")
	args = append([]string{"audit", "--csv", csvPath, "--images", images, "--tag-sep", "|", "--folds", "2", "--top", "15", "--apply", fixed}, quickTrainArgs...)
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("audit: exit %d: %s", code, stderr)
	}
	if back := readBack("audit --apply", fixed, true); len(back.Items) != len(ds.Items) {
		t.Errorf("audit --apply wrote %d images of %d", len(back.Items), len(ds.Items))
	}

	template := filepath.Join(dir, "next.csv")
	if code, _, stderr := runCLI(t, "suggest", "--model", model, "--images", images, "--count", "20", "--tag-sep", "|", "--template", template); code != 0 {
		t.Fatalf("suggest: exit %d: %s", code, stderr)
	}
	readBack("suggest --template", template, false)

	code, out, stderr := runCLI(t, "predict", "--model", model, "--format", "csv", "--tag-sep", "|", images)
	if code != 0 {
		t.Fatalf("predict --format csv: exit %d: %s", code, stderr)
	}
	preds := filepath.Join(dir, "preds.csv")
	if err := os.WriteFile(preds, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	readBack("predict --format csv", preds, false)
}

// A label that the separator would split is refused before training, with
// the label and the separator named: a folder-per-label set whose folder name holds a space cannot have its
// test split written with the default separator.
func TestTagSepRefusedBeforeTraining(t *testing.T) {
	_, images := demoData(t)
	model := filepath.Join(t.TempDir(), "m.mlb")
	root := t.TempDir()
	for _, l := range []string{"sea ice", "land"} {
		if err := os.MkdirAll(filepath.Join(root, l), 0o755); err != nil {
			t.Fatal(err)
		}
		src, _ := filepath.Glob(filepath.Join(images, "*"))
		for i, s := range src[:20] {
			data, err := os.ReadFile(s)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(root, l, strings.Repeat("x", i+1)+filepath.Ext(s))
			if err := os.WriteFile(name, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	args := append([]string{"train", "--folders", root, "--out", model}, quickTrainArgs...)
	code, _, stderr := runCLI(t, args...)
	if code != 1 || !strings.Contains(stderr, `"sea ice"`) || !strings.Contains(stderr, "separator") {
		t.Fatalf("train --folders with a label holding a space: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(model); !os.IsNotExist(err) {
		t.Errorf("a model was written: %v", err)
	}
}

func every(s []int, f func(int) bool) bool {
	for _, v := range s {
		if !f(v) {
			return false
		}
	}
	return true
}
