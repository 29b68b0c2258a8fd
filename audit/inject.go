package audit

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"mlabel/dataset"
)

// Flip is a tag changed on purpose, to measure how well an audit finds
// label errors: item Item's tag for label Label was added or removed.
type Flip struct {
	Item  int
	Label int
	// Added is true when the wrong tag was added, false when a true tag
	// was removed.
	Added bool
}

// Inject returns a copy of ds in which n distinct images, drawn at random,
// each have one tag of labels (indices into ds.Labels) flipped: added when
// absent, removed when present. It returns the flips made. Unknown tags are
// left alone: an image whose tags of labels are all unknown is not drawn.
func Inject(ds *dataset.Dataset, n int, labels []int, seed uint64) (*dataset.Dataset, []Flip, error) {
	if len(labels) == 0 {
		return nil, nil, fmt.Errorf("audit: no labels to flip")
	}
	for _, l := range labels {
		if l < 0 || l >= len(ds.Labels) {
			return nil, nil, fmt.Errorf("audit: label %d outside the %d labels", l, len(ds.Labels))
		}
	}
	if n < 0 || n > len(ds.Items) {
		return nil, nil, fmt.Errorf("audit: %d flips for %d images", n, len(ds.Items))
	}
	rng := rand.New(rand.NewPCG(seed, 0xf11b))
	out := &dataset.Dataset{Source: ds.Source, Labels: ds.Labels, TagSep: ds.TagSep, Items: slices.Clone(ds.Items)}
	var flips []Flip
	for _, i := range rng.Perm(len(ds.Items)) {
		if len(flips) == n {
			break
		}
		it := &out.Items[i]
		var cand []int
		for _, l := range labels {
			if !slices.Contains(it.Unknown, l) {
				cand = append(cand, l)
			}
		}
		if len(cand) == 0 {
			continue
		}
		l := cand[rng.IntN(len(cand))]
		f := Flip{Item: i, Label: l, Added: !slices.Contains(it.Pos, l)}
		if f.Added {
			it.Pos = append(slices.Clone(it.Pos), l)
			slices.Sort(it.Pos)
		} else {
			it.Pos = slices.DeleteFunc(slices.Clone(it.Pos), func(x int) bool { return x == l })
		}
		flips = append(flips, f)
	}
	if len(flips) < n {
		return nil, nil, fmt.Errorf("audit: only %d images have a known tag to flip, %d asked", len(flips), n)
	}
	return out, flips, nil
}

// Frequent returns the labels of ds carried by at least the fraction min of
// its images, in vocabulary order.
func Frequent(ds *dataset.Dataset, min float64) []int {
	var out []int
	for l, c := range ds.Counts() {
		if float64(c) >= min*float64(len(ds.Items)) {
			out = append(out, l)
		}
	}
	return out
}

// PrecisionRecall returns, for the first k issues of a ranking, the fraction
// that are flips (precision) and the fraction of flips among them
// (recall). An issue matches a flip of the same image and label whose kind
// undoes it: an added tag is spurious, a removed one missing. Fewer than k
// issues count as k, so that a short list is not rewarded.
func PrecisionRecall(issues []Issue, flips []Flip, k int) (precision, recall float64) {
	if k <= 0 || len(flips) == 0 {
		return 0, 0
	}
	want := map[[2]int]Kind{}
	for _, f := range flips {
		kind := Missing
		if f.Added {
			kind = Spurious
		}
		want[[2]int{f.Item, f.Label}] = kind
	}
	hits := 0
	for _, is := range issues[:min(k, len(issues))] {
		if kind, ok := want[[2]int{is.Row, is.Col}]; ok && kind == is.Kind {
			hits++
		}
	}
	return float64(hits) / float64(k), float64(hits) / float64(len(flips))
}
