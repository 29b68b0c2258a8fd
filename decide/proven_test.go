package decide

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// A group that every image carries exactly one of is proven on enough
// images; the same group broken by one image, or seen on too few images to
// rule out chance, is not; labels that merely tend apart form no group.
func TestProvenExclusive(t *testing.T) {
	labels := []string{"clear", "haze", "cloudy", "road", "water"}
	rows := func(n int, breakAt int) [][]float64 {
		rng := rand.New(rand.NewPCG(1, 2))
		out := make([][]float64, n)
		for i := range out {
			row := make([]float64, len(labels))
			row[[]int{0, 0, 0, 1, 2}[rng.IntN(5)]] = 1
			if i == breakAt {
				row[0], row[2] = 1, 1 // two weather tags
			}
			if rng.Float64() < 0.4 {
				row[3] = 1
			}
			if rng.Float64() < 0.3 && row[3] == 0 { // water tends to avoid roads
				row[4] = 1
			}
			out[i] = row
		}
		return out
	}
	tests := []struct {
		name string
		rows [][]float64
		want [][]string
	}{
		{"proven", rows(300, -1), [][]string{{"clear", "haze", "cloudy"}}},
		{"broken once", rows(300, 7), nil},
		{"too few images", rows(6, -1), nil},
	}
	for _, tc := range tests {
		s, found := ProvenExclusive(labels, tc.rows)
		var got [][]string
		if s != nil {
			got = s.Exclusive
			if len(s.AtMostOne)+len(s.Implies)+len(s.Excludes) != 0 {
				t.Errorf("%s: more than exclusive groups: %+v", tc.name, s)
			}
		}
		if len(got) != len(tc.want) || len(got) == 1 && !sameSet(got[0], tc.want[0]) {
			t.Errorf("%s: proven %v, want %v", tc.name, got, tc.want)
		}
		for _, f := range found {
			if f.Broken != 0 || f.Images != len(tc.rows) {
				t.Errorf("%s: record %+v", tc.name, f)
			}
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
