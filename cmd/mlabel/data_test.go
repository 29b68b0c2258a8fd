package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
