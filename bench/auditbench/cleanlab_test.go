package main

import (
	"math"
	"testing"

	"mlabel/audit"
	"mlabel/infer"
)

// TestCleanlabRankingPrunesByNoiseRate checks the reference ranking on one
// label whose confident joint has one pair off the diagonal in each row:
// it flags exactly those two, the less self-confident first, and never a
// label whose tags are all one class or an unknown tag.
func TestCleanlabRankingPrunesByNoiseRate(t *testing.T) {
	// Images 0-4 are tagged a, 5-9 not; image 0 is scored 0.05 (spurious)
	// and image 9 0.97 (missing). Label b is tagged everywhere, and image
	// 3's b is unknown.
	s := infer.Set{Labels: []string{"a", "b"}}
	for i := range 10 {
		p, tag := 0.1, 0.0
		if i < 5 {
			p, tag = 0.9, 1
		}
		switch i {
		case 0:
			p = 0.05
		case 9:
			p = 0.97
		}
		s.Names = append(s.Names, string(rune('p'+i)))
		s.Scores = append(s.Scores, []float64{p, 0.01})
		s.Truth = append(s.Truth, []float64{tag, 1})
		s.Mask = append(s.Mask, []bool{true, i != 3})
	}
	got := cleanlabRanking(s)
	want := []struct {
		row   int
		kind  audit.Kind
		score float64
	}{{9, audit.Missing, 0.97}, {0, audit.Spurious, 0.95}}
	if len(got) != len(want) {
		t.Fatalf("%d issues %+v, want %d", len(got), got, len(want))
	}
	for k, w := range want {
		g := got[k]
		if g.Row != w.row || g.Col != 0 || g.Kind != w.kind || math.Abs(g.Score-w.score) > 1e-12 || g.Image != s.Names[w.row] {
			t.Errorf("issue %d = %+v, want image %d label a %s with score %v", k, g, w.row, w.kind, w.score)
		}
	}
}
