package decide

import (
	"math"
	"testing"

	"mlabel/infer"
	"mlabel/metrics"
)

const eps = 1e-12

func TestPerLabelThresholdIsExactOptimum(t *testing.T) {
	for seed := uint64(0); seed < 40; seed++ {
		for _, beta := range []float64{0.5, 1, 2} {
			for _, zd := range []float64{0, 1} {
				s := randomSplit(seed, 3+int(seed%10), 1+int(seed%4), seed%2 == 1)
				o := Options{Beta: beta, ZeroDivision: zd, Objective: LabelF}
				r, err := FitPerClass(s, o)
				if err != nil {
					t.Fatal(err)
				}
				for j := 0; j < s.NumLabels(); j++ {
					best := math.Inf(-1)
					for _, c := range candidates(s, j) {
						best = math.Max(best, labelF(t, s, j, c, o.metric()))
					}
					if got := labelF(t, s, j, r.PerClass[j], o.metric()); math.Abs(got-best) > eps {
						t.Errorf("seed %d beta %v zd %v label %d: F %v at %v, brute force %v", seed, beta, zd, j, got, r.PerClass[j], best)
					}
				}
			}
		}
	}
}

func TestGlobalThresholdIsExactOptimum(t *testing.T) {
	for seed := uint64(0); seed < 40; seed++ {
		for _, obj := range []Objective{SamplesF, MicroF} {
			s := randomSplit(seed, 2+int(seed%9), 2+int(seed%3), seed%3 == 0)
			o := Options{Beta: 2, Objective: obj}
			avg := metrics.Samples
			if obj == MicroF {
				avg = metrics.Micro
			}
			r, err := fitGlobal(s, o)
			if err != nil {
				t.Fatal(err)
			}
			best := math.Inf(-1)
			for _, c := range candidates(s, -1) {
				best = math.Max(best, evalF(t, s, []float64{c}, avg, o.metric()))
			}
			if got := evalF(t, s, []float64{r.Global}, avg, o.metric()); math.Abs(got-best) > 1e-9 {
				t.Errorf("seed %d %s: F %v at %v, brute force %v", seed, obj, got, r.Global, best)
			}
		}
	}
}

// After coordinate ascent no single label's threshold can be moved to
// improve the averaged F-beta, and the result is no worse than the
// per-label start.
func TestCoordinateAscentIsCoordinatewiseOptimal(t *testing.T) {
	for seed := uint64(0); seed < 30; seed++ {
		for _, obj := range []Objective{SamplesF, MicroF} {
			s := randomSplit(seed, 4+int(seed%8), 2+int(seed%3), seed%2 == 0)
			avg := metrics.Samples
			if obj == MicroF {
				avg = metrics.Micro
			}
			o := Options{Beta: 2, Objective: obj}
			r, err := FitPerClass(s, o)
			if err != nil {
				t.Fatal(err)
			}
			start, err := FitPerClass(s, Options{Beta: 2, Objective: LabelF})
			if err != nil {
				t.Fatal(err)
			}
			got := evalF(t, s, r.PerClass, avg, o.metric())
			if got < evalF(t, s, start.PerClass, avg, o.metric())-eps {
				t.Errorf("seed %d: ascent made %s F worse", seed, obj)
			}
			for j := range r.PerClass {
				thr := append([]float64(nil), r.PerClass...)
				for _, c := range candidates(s, j) {
					thr[j] = c
					if v := evalF(t, s, thr, avg, o.metric()); v > got+1e-9 {
						t.Errorf("seed %d %s label %d: threshold %v gives %v > %v", seed, obj, j, c, v, got)
					}
				}
			}
		}
	}
}

func TestShrinkTowardGlobal(t *testing.T) {
	// Label 1 has one positive; with MinPositives 2 it keeps half of its own
	// optimum and half of the global threshold. Label 0 has four.
	s := infer.Set{
		Scores: [][]float64{{0.9, 0.2}, {0.8, 0.95}, {0.3, 0.1}, {0.7, 0.3}, {0.2, 0.4}, {0.6, 0.15}},
		Truth:  [][]float64{{1, 0}, {1, 1}, {0, 0}, {1, 0}, {0, 0}, {1, 0}},
	}
	o := Options{Beta: 1, Objective: LabelF, MinPositives: 2}
	r, err := FitPerClass(s, o)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := FitPerClass(s, Options{Beta: 1, Objective: LabelF})
	if err != nil {
		t.Fatal(err)
	}
	if r.Shrunk[0] || !r.Shrunk[1] {
		t.Fatalf("shrunk = %v, want [false true]", r.Shrunk)
	}
	want := 0.5*raw.PerClass[1] + 0.5*r.Global
	if math.Abs(r.PerClass[1]-want) > eps || r.PerClass[0] != raw.PerClass[0] {
		t.Errorf("thresholds %v, want label 1 at %v and label 0 at %v", r.PerClass, want, raw.PerClass[0])
	}
	if r.Positives[1] != 1 {
		t.Errorf("positives = %v", r.Positives)
	}
}

func TestBootstrapIntervals(t *testing.T) {
	s := randomSplit(3, 60, 3, false)
	o := Options{Beta: 1, Objective: LabelF, Bootstrap: 100, Seed: 9}
	a, err := FitPerClass(s, o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FitPerClass(s, o)
	if err != nil {
		t.Fatal(err)
	}
	for j, iv := range a.Intervals {
		if iv != b.Intervals[j] {
			t.Errorf("label %d: same seed gave %v and %v", j, iv, b.Intervals[j])
		}
		if !(iv.Low <= iv.High) || iv.Low < 0 || iv.High > 1.0000001 {
			t.Errorf("label %d: interval %v", j, iv)
		}
	}
	o.Seed = 10
	c, err := FitPerClass(s, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Intervals) != 3 {
		t.Fatalf("intervals %v", c.Intervals)
	}
}

func TestTopKAndPCut(t *testing.T) {
	scores := [][]float64{{0.9, 0.8, 0.1}, {0.2, 0.3, 0.4}, {0.5, 0.1, 0.7}, {0.6, 0.2, 0.3}}
	tests := []struct {
		name string
		r    *Rules
		want [][]bool
	}{
		{"top-1", &Rules{Kind: TopK, Labels: 3, K: 1},
			[][]bool{{true, false, false}, {false, false, true}, {false, false, true}, {true, false, false}}},
		{"pcut", &Rules{Kind: PCut, Labels: 3, Prevalence: []float64{0.5, 0.25, 0}},
			[][]bool{{true, true, false}, {false, false, false}, {false, false, false}, {true, false, false}}},
		{"per-class", &Rules{Kind: PerClass, Labels: 3, PerClass: []float64{0.6, 0.3, 0.4}},
			[][]bool{{true, true, false}, {false, true, true}, {false, false, true}, {true, false, false}}},
		{"fixed", &Rules{Kind: Fixed, Labels: 3, Global: 0.5},
			[][]bool{{true, true, false}, {false, false, false}, {true, false, true}, {true, false, false}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.r.Check(3); err != nil {
				t.Fatal(err)
			}
			got := tc.r.Apply(scores)
			for i := range tc.want {
				for j := range tc.want[i] {
					if got[i][j] != tc.want[i][j] {
						t.Errorf("decision %d,%d = %v", i, j, got[i][j])
					}
				}
			}
		})
	}
}

func TestFitTopKAndPCut(t *testing.T) {
	s := infer.Set{
		Scores: [][]float64{{0.9, 0.8, 0.1}, {0.7, 0.3, 0.4}, {0.5, 0.9, 0.7}, {0.6, 0.2, 0.3}},
		Truth:  [][]float64{{1, 1, 0}, {1, 0, 0}, {0, 1, 1}, {1, 0, 1}},
		Mask:   [][]bool{{true, true, true}, {true, true, true}, {true, true, true}, {true, false, true}},
	}
	k, err := fitTopK(s, Options{Beta: 1, Objective: SamplesF})
	if err != nil {
		t.Fatal(err)
	}
	if k.K != 2 || k.Thresholds() != nil {
		t.Errorf("k = %d thresholds %v, want 2 and nil", k.K, k.Thresholds())
	}
	p, err := fitPCut(s)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.75, 2.0 / 3, 0.5}
	for j := range want {
		if math.Abs(p.Prevalence[j]-want[j]) > eps {
			t.Errorf("prevalence %v, want %v", p.Prevalence, want)
		}
	}
}

func TestOptionErrors(t *testing.T) {
	s := randomSplit(1, 5, 2, false)
	tests := []struct {
		name string
		o    Options
	}{
		{"zero beta", Options{Objective: LabelF}},
		{"bad zero division", Options{Beta: 1, ZeroDivision: 0.5, Objective: LabelF}},
		{"bad objective", Options{Beta: 1, Objective: "auc"}},
		{"negative bootstrap", Options{Beta: 1, Objective: LabelF, Bootstrap: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := FitPerClass(s, tc.o); err == nil {
				t.Error("want an error")
			}
		})
	}
	if _, err := Fit(infer.Set{}, Global, DefaultOptions()); err == nil {
		t.Error("empty split: want an error")
	}
	if _, err := Fit(s, "best", DefaultOptions()); err == nil {
		t.Error("unknown kind: want an error")
	}
}
