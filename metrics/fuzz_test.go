package metrics

import (
	"math"
	"strings"
	"testing"
)

// FuzzReadScores checks that reading any scores CSV never panics, and that
// an accepted table is rectangular with finite scores.
func FuzzReadScores(f *testing.F) {
	for _, s := range []string{
		"image,a,b\nx,0.1,0.9\ny,1,0\n",
		"image,a\nx,NaN\n",
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
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("row %d holds %v", i, v)
				}
			}
		}
	})
}
