package metrics

import (
	"math"
	"strings"
	"testing"
)

// FuzzReadScores checks that reading any scores CSV never panics, and that
// an accepted table is rectangular with scores within 0..1.
func FuzzReadScores(f *testing.F) {
	for _, s := range []string{
		"image,a,b\nx,0.1,0.9\ny,1,0\n",
		"image,a\nx,NaN\n",
		"image,a,b\nx,-0.4,7.4\n",
		"Image,a,b\nx,0.1\n",
		"\ufeffimage,a\nx,0.5\n",
		"image\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, csv string) {
		tab, err := ReadScores(strings.NewReader(csv), "scores.csv")
		if err != nil {
			return
		}
		if len(tab.Images) != len(tab.Values) || len(tab.Lines) != len(tab.Values) {
			t.Fatalf("%d images, %d rows, %d lines", len(tab.Images), len(tab.Values), len(tab.Lines))
		}
		for i, row := range tab.Values {
			if len(row) != len(tab.Labels) {
				t.Fatalf("row %d has %d scores for %d labels", i, len(row), len(tab.Labels))
			}
			for _, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1 {
					t.Fatalf("row %d holds %v", i, v)
				}
			}
		}
	})
}

// Scores outside 0..1 are refused naming the file, line and label.
func TestReadScoresRange(t *testing.T) {
	for _, tc := range []struct {
		csv, want string
	}{
		{"image,a,b\nx,0,1\ny,-0.4,0.5\n", `scores.csv:3: score "-0.4" for label "a" is outside 0..1`},
		{"image,a,b\nx,0.5,7.4\n", `scores.csv:2: score "7.4" for label "b" is outside 0..1`},
		{"image,a,b\nx,0.5,Inf\n", "not a finite number"},
		{"image,a,a\nx,0.5,0.5\n", `label "a" appears twice`},
	} {
		if _, err := ReadScores(strings.NewReader(tc.csv), "scores.csv"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.csv, err, tc.want)
		}
	}
	if _, err := ReadScores(strings.NewReader("image,a\nx,0\ny,1\n"), "scores.csv"); err != nil {
		t.Errorf("scores 0 and 1: %v", err)
	}
}

// Names written with a leading apostrophe before a formula's first
// character, as predict --format scores writes them, read back as they were.
func TestReadScoresFormulaNames(t *testing.T) {
	tab, err := ReadScores(strings.NewReader("image,'=a,b\n'-x,0.5,0.5\n"), "scores.csv")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Labels[0] != "=a" || tab.Labels[1] != "b" || tab.Images[0] != "-x" {
		t.Errorf("labels %q, images %q", tab.Labels, tab.Images)
	}
}
