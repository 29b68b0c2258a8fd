package main

import (
	"bytes"
	"strings"
	"testing"
)

// sceneTags returns 1600 images' tags over clear, haze, cloudy (exactly
// one each but on the first flips images, which carry two), mountains and
// sunset (each on a quarter of the images, both on 16 real rare scenes)
// and road (never on a cloudy image).
func sceneTags(flips int) ([]string, [][]float64) {
	labels := []string{"clear", "haze", "cloudy", "mountains", "sunset", "road"}
	out := make([][]float64, 1600)
	for i := range out {
		row := make([]float64, 6)
		w := []int{0, 0, 0, 1, 2}[i%5]
		row[w] = 1
		if i < flips {
			row[(w+1)%3] = 1
		}
		if i%4 == 1 {
			row[3] = 1
		}
		if i%4 == 2 || i%100 == 53 {
			row[4] = 1
		}
		if w != 2 && i%3 == 0 {
			row[5] = 1
		}
		out[i] = row
	}
	return labels, out
}

// TestPrintStructureOf: data check offers as train flags only the rules no
// image breaks, and lists the others as tendencies with the images that
// break each, never as a flag.
func TestPrintStructureOf(t *testing.T) {
	for _, tc := range []struct {
		name      string
		flips     int
		want, not []string
	}{
		{"unbroken weather", 0, []string{
			"to train with them: ", "--exclusive clear,haze,cloudy", "--excludes 'cloudy=>road'",
			"train applies the exclusive groups the tags prove by default",
			"tendencies", "mountains excludes sunset  16 of 800 images break it",
		}, []string{"mountains=>sunset"}},
		{"weather broken by wrong tags", 10, []string{
			"train applies the exclusive groups the tags prove by default",
			"exclusive clear,haze,cloudy  10 of 1600 images break it", "mountains excludes sunset",
		}, []string{"to train with them", "--exclusive", "--excludes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			labels, truth := sceneTags(tc.flips)
			printStructureOf(&b, labels, truth)
			out := b.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(out, n) {
					t.Errorf("output holds %q:\n%s", n, out)
				}
			}
		})
	}
}
