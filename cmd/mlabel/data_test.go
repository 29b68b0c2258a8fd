package main

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/show"
	"mlabel/train"
)

// data check names each bad file with its CSV line and exits 1; train refuses
// the same set with the same detail.
func TestDataCheckReportsBadRows(t *testing.T) {
	csvPath, images := demoData(t)
	dir := t.TempDir()
	rows, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	// Line 162 names an image that does not exist; line 163 repeats line 2.
	lines := strings.Split(strings.TrimSpace(string(rows)), "\n")
	content := strings.Join(append(lines, "no_such_tile,clear", lines[1]), "\n") + "\n"
	if err := os.WriteFile(bad, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "data", "check", "--csv", bad, "--images", images)
	if code != 1 {
		t.Fatalf("data check exit %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{"bad.csv:162", "no_such_tile", "bad.csv:163"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	code, _, stderr := runCLI(t, append([]string{"train", "--csv", bad, "--images", images, "--out", filepath.Join(dir, "m.mlb")}, quickTrainArgs...)...)
	if code != 1 || !strings.Contains(stderr, "bad.csv:162") {
		t.Errorf("train on a bad set: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "m.mlb")); !os.IsNotExist(err) {
		t.Error("train wrote a bundle from a bad set")
	}
	// The good set passes.
	if code, out, _ := runCLI(t, "data", "check", "--csv", csvPath, "--images", images); code != 0 {
		t.Errorf("data check on the good set: exit %d\n%s", code, out)
	}
}

// data show writes one picture per image at the chosen size, or one grid.
func TestDataShow(t *testing.T) {
	csvPath, images := demoData(t)
	entries, err := os.ReadDir(images)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries[:3] {
		files = append(files, filepath.Join(images, e.Name()))
	}
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, append([]string{"data", "show", "--out", out, "--size", "24", "--bands", "3,2,1"}, files...)...)
	if code != 0 {
		t.Fatalf("data show: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "wrote 3 images") {
		t.Errorf("output %q", stdout)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)) + ".png"
		img := decodePNG(t, filepath.Join(out, name))
		if b := img.Bounds(); b.Dx() != 24 || b.Dy() != 24 {
			t.Errorf("%s: %v, want 24x24", name, b)
		}
	}
	code, _, stderr = runCLI(t, append([]string{"data", "show", "--out", out, "--size", "24", "--grid", "--augment", "--csv", csvPath, "--images", images}, files...)...)
	if code != 0 {
		t.Fatalf("data show --grid: exit %d: %s", code, stderr)
	}
	w, h, _ := show.GridSize(3, 24)
	if b := decodePNG(t, filepath.Join(out, "grid.png")).Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("grid %v, want %dx%d", b, w, h)
	}
	// On a folder, the sheet holds --max images (64 by default) at the
	// training size.
	code, stdout, stderr = runCLI(t, "data", "show", "--out", out, "--grid", "--csv", csvPath, images)
	if code != 0 {
		t.Fatalf("data show --grid on a folder: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "64 of 160 images") {
		t.Errorf("output %q", stdout)
	}
	w, h, _ = show.GridSize(64, train.Defaults().Size)
	if b := decodePNG(t, filepath.Join(out, "grid.png")).Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("grid of the folder %v, want %dx%d", b, w, h)
	}
	if code, _, _ := runCLI(t, "data", "show", "--size", "24", files[0]); code != 2 {
		t.Errorf("data show without --out: exit %d, want 2", code)
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// A CSV whose images are elsewhere, or whose fields are separated by ';',
// gets a hint naming the flag that fixes it.
func TestDataHints(t *testing.T) {
	csvPath, images := demoData(t)
	dir := t.TempDir()
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(filepath.Dir(images), "elsewhere.csv")
	if err := os.WriteFile(moved, data, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(moved)
	code, _, stderr := runCLI(t, "data", "check", "--skip-decode", "--csv", moved, "--images", dir)
	if code != 1 || !strings.Contains(stderr, "hint: did you mean --images "+images+"?") {
		t.Errorf("data check with the wrong --images: exit %d, stderr %q", code, stderr)
	}
	semi := filepath.Join(dir, "semi.csv")
	if err := os.WriteFile(semi, []byte(strings.ReplaceAll(string(data), ",", ";")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "train", "--csv", semi, "--images", images, "--out", filepath.Join(dir, "m.mlb"))
	if code != 1 || !strings.Contains(stderr, "hint: give --sep ';'") {
		t.Errorf("train on a ;-separated CSV: exit %d, stderr %q", code, stderr)
	}
}
