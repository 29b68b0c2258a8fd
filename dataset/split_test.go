package dataset

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// randomSet returns a multi-label set of n items over labels whose
// frequencies fall from 40% to 0.5%, with some co-occurrence.
func randomSet(n int, seed uint64) *Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	const nl = 16
	ds := &Dataset{}
	for l := range nl {
		ds.Labels = append(ds.Labels, string(rune('a'+l)))
	}
	for i := range n {
		var pos []int
		for l := range nl {
			p := 0.4 * math.Pow(0.7, float64(l))
			if l > 0 && len(pos) > 0 && pos[len(pos)-1] == l-1 {
				p *= 2 // co-occurs with the previous label
			}
			if rng.Float64() < p {
				pos = append(pos, l)
			}
		}
		ds.Items = append(ds.Items, Item{Name: string(rune(i)), Pos: pos})
	}
	return ds
}

// deviation returns the mean and the largest absolute difference between
// each label's positive count in each subset and its target (the subset's
// fraction of the label's count), over labels with at most maxCount positives.
func deviation(ds *Dataset, subsets [][]int, fractions []float64, maxCount int) (mean, worst float64) {
	st := Stats(ds, subsets)
	n := 0
	for j := range subsets {
		for l, c := range ds.Counts() {
			if c > 0 && c <= maxCount {
				d := math.Abs(float64(st.Counts[j][l]) - fractions[j]*float64(c))
				mean += d
				worst = math.Max(worst, d)
				n++
			}
		}
	}
	return mean / float64(n), worst
}

// randomSplit splits uniformly at random with the same sizes, as a baseline.
func randomSplit(n int, fractions []float64, seed uint64) [][]int {
	perm := rand.New(rand.NewPCG(seed, 9)).Perm(n)
	out := make([][]int, len(fractions))
	start := 0
	for j, f := range fractions {
		end := start + int(math.Round(f*float64(n)))
		if j == len(fractions)-1 {
			end = n
		}
		out[j] = perm[start:end]
		start = end
	}
	return out
}

func checkPartition(t *testing.T, subsets [][]int, n int) {
	t.Helper()
	seen := make([]bool, n)
	for _, s := range subsets {
		for k, i := range s {
			if seen[i] {
				t.Fatalf("item %d in two subsets", i)
			}
			if k > 0 && s[k-1] >= i {
				t.Fatalf("subset not ascending: %v", s)
			}
			seen[i] = true
		}
	}
	for i, ok := range seen {
		if !ok {
			t.Fatalf("item %d in no subset", i)
		}
	}
}

func TestSplitStratifies(t *testing.T) {
	ds := randomSet(1500, 3)
	for _, fr := range [][]float64{{0.7, 0.15, 0.15}, {0.8, 0.2}} {
		var strat, random float64
		const seeds = 8
		for seed := uint64(0); seed < seeds; seed++ {
			s, err := Split(ds, fr, seed)
			if err != nil {
				t.Fatal(err)
			}
			checkPartition(t, s, len(ds.Items))
			for j, f := range fr {
				if got := float64(len(s[j])) / float64(len(ds.Items)); math.Abs(got-f) > 0.02 {
					t.Errorf("fractions %v seed %d: subset %d holds %.3f of the items", fr, seed, j, got)
				}
			}
			_, worst := deviation(ds, s, fr, len(ds.Items))
			if worst > 1 {
				t.Errorf("fractions %v seed %d: a label count is %.2f away from its target", fr, seed, worst)
			}
			rare, _ := deviation(ds, s, fr, 60)
			randRare, _ := deviation(ds, randomSplit(len(ds.Items), fr, seed), fr, 60)
			strat += rare
			random += randRare
		}
		strat, random = strat/seeds, random/seeds
		t.Logf("fractions %v: rare-label count deviation %.4f stratified, %.4f random", fr, strat, random)
		if strat > random/3 {
			t.Errorf("fractions %v: stratified deviation %.4f not much below random %.4f", fr, strat, random)
		}
	}
}

func TestFolds(t *testing.T) {
	ds := randomSet(500, 4)
	f, err := Folds(ds, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkPartition(t, f, len(ds.Items))
	fr := []float64{0.2, 0.2, 0.2, 0.2, 0.2}
	d, worst := deviation(ds, f, fr, 500)
	r, _ := deviation(ds, randomSplit(500, fr, 1), fr, 500)
	if worst > 1 || d > r/3 {
		t.Errorf("folds deviation %.4f, random %.4f", d, r)
	}
	for _, k := range []int{0, 1, 501} {
		if _, err := Folds(ds, k, 1); err == nil {
			t.Errorf("%d folds accepted", k)
		}
	}
}

func TestSplitDeterministic(t *testing.T) {
	ds := randomSet(300, 5)
	fr := []float64{0.6, 0.2, 0.2}
	a, _ := Split(ds, fr, 11)
	b, _ := Split(ds, fr, 11)
	c, _ := Split(ds, fr, 12)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed gave different splits")
	}
	if reflect.DeepEqual(a, c) {
		t.Error("different seeds gave the same split")
	}
}

func TestSplitEdgeCases(t *testing.T) {
	ds := &Dataset{Labels: []string{"x"}, Items: []Item{{Pos: []int{0}}, {}, {}, {Pos: []int{0}}}}
	s, err := Split(ds, []float64{0.5, 0.5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkPartition(t, s, 4)
	st := Stats(ds, s)
	if !reflect.DeepEqual(st.Sizes, []int{2, 2}) || st.Counts[0][0] != 1 || st.Counts[1][0] != 1 {
		t.Errorf("stats %+v", st)
	}
	var buf bytes.Buffer
	if err := st.Print(&buf, []string{"train", "val"}); err != nil || !strings.Contains(buf.String(), "train") || !strings.Contains(buf.String(), "50.0%") {
		t.Errorf("printed:\n%s", buf.String())
	}
	for _, fr := range [][]float64{{}, {0.5, 0.6}, {1, 0}, {-0.5, 1.5}} {
		if _, err := Split(ds, fr, 1); err == nil {
			t.Errorf("fractions %v accepted", fr)
		}
	}
}
