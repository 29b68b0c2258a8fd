package main

import (
	"strings"
	"testing"
)

func TestShellQuote(t *testing.T) {
	tests := map[string]string{"photos/a.csv": "photos/a.csv", "my photos": "'my photos'", "it's": `'it'\''s'`, "": "''", "3,2,1": "3,2,1"}
	for in, want := range tests {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

// lr-find prints the suggested rate and the train command line with the
// flags it was given, and hides the training flags it does not use.
func TestLRFindSuggestsCommand(t *testing.T) {
	csvPath, images := demoData(t)
	code, stdout, stderr := runCLI(t, "lr-find", "--csv", csvPath, "--images", images, "--arch", "small", "--width", "8",
		"--size", "32", "--batch", "16", "--steps", "12", "--plot", "", "--epochs", "7", "--freeze-backbone=false")
	if code != 0 {
		t.Fatalf("lr-find: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"suggested: --lr ", "mlabel train --csv " + csvPath + " --images " + images, "--arch small", "--epochs 7", "--freeze-backbone=false", "--out MODEL.mlb"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "--steps") || strings.Contains(stdout, "--plot") {
		t.Errorf("the train command has lr-find's own flags:\n%s", stdout)
	}
	_, help, _ := runCLI(t, "lr-find", "--help")
	if strings.Contains(help, "--patience") || strings.Contains(help, "--refit") || !strings.Contains(help, "--arch") {
		t.Errorf("lr-find's help lists flags it ignores, or not those it uses:\n%s", help)
	}
}
