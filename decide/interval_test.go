package decide

import (
	"math"
	"strings"
	"testing"
)

// A shrunk label's interval is of the shrunk threshold: the unshrunk
// interval mapped as the threshold is. Every threshold outside its interval
// is explained, and no threshold inside it is.
func TestShrunkIntervals(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		s := randomSplit(seed, 80, 4, false)
		o := Options{Beta: 2, Objective: LabelF, Bootstrap: 100, Seed: seed}
		own, err := FitPerClass(s, o)
		if err != nil {
			t.Fatal(err)
		}
		o.MinPositives = 1000
		shrunk, err := FitPerClass(s, o)
		if err != nil {
			t.Fatal(err)
		}
		for j, iv := range shrunk.Intervals {
			w := float64(shrunk.Positives[j]) / 1000
			want := Interval{w*own.Intervals[j].Low + (1-w)*shrunk.Global, w*own.Intervals[j].High + (1-w)*shrunk.Global}
			if math.Abs(iv.Low-want.Low) > 1e-12 || math.Abs(iv.High-want.High) > 1e-12 {
				t.Errorf("seed %d label %d: shrunk interval %v, want %v", seed, j, iv, want)
			}
			for _, r := range []*Rules{own, shrunk} {
				if inside, note := r.Intervals[j].Contains(r.PerClass[j]), r.IntervalNote(j); inside != (note == "") {
					t.Errorf("seed %d label %d: threshold %.3f, interval %v, note %q", seed, j, r.PerClass[j], r.Intervals[j], note)
				}
			}
		}
	}
}

func TestIntervalNote(t *testing.T) {
	iv := []Interval{{0.2, 0.4}}
	tests := []struct {
		name      string
		r         Rules
		want      string // "" for no note
		wantEmpty bool
	}{
		{"inside", Rules{Kind: PerClass, PerClass: []float64{0.3}, Intervals: iv, Objective: SamplesF, Beta: 2}, "", true},
		{"on the edge", Rules{Kind: PerClass, PerClass: []float64{0.4}, Intervals: iv, Objective: LabelF, Beta: 2}, "", true},
		{"joint tuning", Rules{Kind: PerClass, PerClass: []float64{0.5}, Intervals: iv, Objective: SamplesF, Beta: 2}, "tuned jointly for samples F2", false},
		{"micro", Rules{Kind: PerClass, PerClass: []float64{0.1}, Intervals: iv, Objective: MicroF, Beta: 1}, "micro F1", false},
		{"unstable", Rules{Kind: PerClass, PerClass: []float64{0.5}, Intervals: iv, Objective: LabelF, Beta: 2}, "unstable under resampling", false},
		{"no interval", Rules{Kind: PerClass, PerClass: []float64{0.5}}, "", true},
		{"global rule", Rules{Kind: Global, Global: 0.5, Intervals: iv}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.r.IntervalNote(0)
			if tc.wantEmpty != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("note %q, want %q", got, tc.want)
			}
		})
	}
}
