package audit

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/decide"
)

// suggestPool is a pool of six images over two labels with thresholds 0.3
// and 0.6. Images 0 and 1 are near-duplicates, both close to the
// thresholds; image 2 is as uncertain but looks different.
func suggestPool() (Pool, []string, []float64) {
	p := Pool{
		Names:  []string{"dup1", "dup2", "other", "sure", "sure-not", "middling"},
		Scores: [][]float64{{0.31, 0.58}, {0.30, 0.59}, {0.29, 0.62}, {0.99, 0.99}, {0.01, 0.02}, {0.6, 0.3}},
		Features: [][]float32{
			{1, 0, 0}, {1, 0.01, 0}, {0, 1, 0}, {0, 0, 1}, {0.5, 0.5, 0}, {0, 0.7, 0.7},
		},
	}
	return p, []string{"a", "b"}, []float64{0.3, 0.6}
}

func TestSuggestDistinctSortedFromThePool(t *testing.T) {
	pool, labels, thr := suggestPool()
	for _, s := range Strategies {
		for _, count := range []int{1, 3, 6, 10} {
			t.Run(fmt.Sprintf("%s/%d", s, count), func(t *testing.T) {
				got, err := Suggest(pool, labels, thr, count, s)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != min(count, 6) {
					t.Fatalf("%d suggestions, want %d", len(got), min(count, 6))
				}
				seen := map[int]bool{}
				for k, g := range got {
					if g.Index < 0 || g.Index >= 6 || pool.Names[g.Index] != g.Image || seen[g.Index] {
						t.Errorf("suggestion %+v is not a distinct image of the pool", g)
					}
					seen[g.Index] = true
					if k > 0 && g.Score > got[k-1].Score {
						t.Errorf("not sorted: %+v after %+v", g, got[k-1])
					}
					if g.Why == "" || math.IsNaN(g.Score) {
						t.Errorf("suggestion %+v lacks a reason or a score", g)
					}
				}
			})
		}
	}
}

func TestSuggestRankings(t *testing.T) {
	pool, labels, thr := suggestPool()
	first := func(s Strategy, n int) []string {
		got, err := Suggest(pool, labels, thr, n, s)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range got {
			out = append(out, g.Image)
		}
		return out
	}
	// Uncertainty takes both near-duplicates first; diverse takes one of
	// them, then the uncertain image that looks different.
	if got := first(Uncertainty, 2); strings.Join(got, " ") != "dup2 dup1" {
		t.Errorf("uncertainty picks %v, want dup2 dup1", got)
	}
	if got := first(Diverse, 2); strings.Join(got, " ") != "dup2 other" {
		t.Errorf("diverse picks %v, want dup2 other", got)
	}
	for _, s := range []Strategy{Uncertainty, MMC} {
		if got := first(s, 6); got[5] != "sure-not" && got[5] != "sure" {
			t.Errorf("%s ranks %v last, want a sure image", s, got[5])
		}
	}
	// sure: both labels decided, about 2 expected: no change. middling
	// decides a (0.6 >= 0.3) but not b: one label decided, 0.9 expected.
	lciScore, _ := lci([]float64{0.99, 0.99}, thr)
	if lciScore > 0.03 {
		t.Errorf("lci of a sure image %v, want about 0", lciScore)
	}
	// Two labels at 0.5 and thresholds 0.4: both decided; P(S=0)=.25,
	// P(S=1)=.5, P(S=2)=.25, so E|S-2| = 0.25*2 + 0.5*1 = 1.
	if got, _ := lci([]float64{0.5, 0.5}, []float64{0.4, 0.4}); math.Abs(got-1) > 1e-12 {
		t.Errorf("lci = %v, want 1", got)
	}
}

func TestSuggestErrors(t *testing.T) {
	pool, labels, thr := suggestPool()
	noFeat := pool
	noFeat.Features = nil
	for _, tc := range []struct {
		name   string
		pool   Pool
		labels []string
		thr    []float64
		count  int
		s      Strategy
		want   string
	}{
		{"empty pool", Pool{}, labels, thr, 3, Uncertainty, "no images"},
		{"model of another label set", pool, []string{"a", "b", "c"}, []float64{0.3, 0.6, 0.5}, 3, Uncertainty, "has 2 scores, the model 3 labels"},
		{"thresholds", pool, labels, thr[:1], 3, Uncertainty, "1 thresholds for 2 labels"},
		{"count", pool, labels, thr, 0, Uncertainty, "asked for 0"},
		{"strategy", pool, labels, thr, 3, "random", "unknown strategy"},
		{"no features", noFeat, labels, thr, 3, Diverse, "needs the features"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Suggest(tc.pool, tc.labels, tc.thr, tc.count, tc.s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}

func TestThresholds(t *testing.T) {
	labels := []string{"a", "b", "c"}
	for _, tc := range []struct {
		name  string
		rules *decide.Rules
		want  []float64
	}{
		{"no rule", nil, []float64{0.5, 0.5, 0.5}},
		{"global", &decide.Rules{Kind: decide.Global, Labels: 3, Global: 0.4}, []float64{0.4, 0.4, 0.4}},
		{"per class", &decide.Rules{Kind: decide.PerClass, Labels: 3, PerClass: []float64{0.2, 0.7, 0.9}}, []float64{0.2, 0.7, 0.9}},
		{"top k", &decide.Rules{Kind: decide.TopK, Labels: 3, K: 1}, []float64{0.5, 0.5, 0.5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &bundle.Bundle{Header: bundle.Header{Labels: labels, Rules: tc.rules}}
			if got := Thresholds(b); !slices.Equal(got, tc.want) {
				t.Errorf("Thresholds = %v, want %v", got, tc.want)
			}
		})
	}
}
