package main

import (
	"math"
	"slices"

	"mlabel/audit"
	"mlabel/infer"
)

// cleanlabRanking is the reference ranking: confident learning for
// multi-label data as cleanlab publishes it (Northcutt, Jiang and Chuang,
// "Confident Learning: Estimating Uncertainty in Dataset Labels", JAIR
// 2021, and cleanlab's multi-label documentation), reproduced here on the
// same out-of-fold probabilities, not as part of the product. Each label is
// a one-vs-rest binary problem with the class probabilities (1−p, p). A
// class's threshold is its mean probability over the pairs given that
// class; a pair is confidently of every class whose probability reaches its
// threshold, of the likelier one when both do. The confident joint of given
// and confident classes is calibrated so that each given row sums to its
// count; pruning by noise rate then flags, for given class a and other
// class b, the round(C[a][b]) pairs given a with the largest margin
// p_b − p_a, keeping at least one pair of each given class. The flagged
// pairs of all labels are ranked by self-confidence, the probability of the
// given class, lowest first (for a binary problem the normalized margin
// orders them the same way).
func cleanlabRanking(s infer.Set) []audit.Issue {
	var out []audit.Issue
	for j := range s.NumLabels() {
		var idx [2][]int
		for i := range s.Scores {
			if s.Known(i, j) {
				g := int(s.Truth[i][j])
				idx[g] = append(idx[g], i)
			}
		}
		if len(idx[0]) == 0 || len(idx[1]) == 0 {
			continue
		}
		prob := func(i, c int) float64 {
			if c == 1 {
				return s.Scores[i][j]
			}
			return 1 - s.Scores[i][j]
		}
		var t [2]float64
		for c := range 2 {
			for _, i := range idx[c] {
				t[c] += prob(i, c)
			}
			t[c] /= float64(len(idx[c]))
		}
		var joint [2][2]float64
		for g := range 2 {
			for _, i := range idx[g] {
				in0, in1 := prob(i, 0) >= t[0], prob(i, 1) >= t[1]
				switch {
				case in0 && in1:
					if prob(i, 1) > prob(i, 0) {
						joint[g][1]++
					} else {
						joint[g][0]++
					}
				case in1:
					joint[g][1]++
				case in0:
					joint[g][0]++
				}
			}
		}
		for a := range 2 {
			b := 1 - a
			row := joint[a][0] + joint[a][1]
			if row == 0 {
				continue
			}
			n := int(math.Round(joint[a][b] * float64(len(idx[a])) / row))
			n = min(n, len(idx[a])-1)
			if n <= 0 {
				continue
			}
			cand := slices.Clone(idx[a])
			margin := func(i int) float64 { return prob(i, b) - prob(i, a) }
			slices.SortStableFunc(cand, func(x, y int) int {
				return cmpFloat(margin(y), margin(x))
			})
			for _, i := range cand[:n] {
				is := audit.Issue{Image: s.Names[i], Label: s.Labels[j], Kind: audit.Missing, Score: 1 - prob(i, a), Prob: s.Scores[i][j], Row: i, Col: j}
				if a == 1 {
					is.Kind = audit.Spurious
				}
				out = append(out, is)
			}
		}
	}
	slices.SortStableFunc(out, func(x, y audit.Issue) int {
		if c := cmpFloat(y.Score, x.Score); c != 0 {
			return c
		}
		if x.Row != y.Row {
			return x.Row - y.Row
		}
		return x.Col - y.Col
	})
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
