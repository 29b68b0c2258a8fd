package audit

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"mlabel/bundle"
	"mlabel/predict"
)

// Strategy is how Suggest ranks unlabelled images.
type Strategy string

const (
	// Uncertainty ranks an image by how close its scores lie to the
	// model's own thresholds, averaged over the labels.
	Uncertainty Strategy = "uncertainty"
	// MMC ranks by the expected loss reduction with maximal confidence
	// (Yang et al., 2009): the labels are decided by the model's expected
	// label count, the top ones by their margin over the thresholds, and an
	// image scores by how far its margins disagree with those decisions.
	MMC Strategy = "mmc"
	// LCI ranks by the expected label-cardinality change (after Li and
	// Guo's label-cardinality inconsistency, 2013): the expected difference
	// between the image's true label count, under the model's
	// probabilities, and the count the thresholds decide.
	LCI Strategy = "lci"
	// Diverse picks by k-center greedy over the pooled features, each
	// candidate weighted by its uncertainty, so that near-duplicates are
	// not all chosen.
	Diverse Strategy = "diverse"
)

// Strategies are the strategies Suggest knows, for messages and flags.
var Strategies = []Strategy{Uncertainty, MMC, LCI, Diverse}

// Pool is a set of unlabelled images scored by a model.
type Pool struct {
	// Names name the images, one per row.
	Names []string
	// Scores are the model's probabilities, [image][label].
	Scores [][]float64
	// Features are the images' pooled feature vectors, needed by Diverse.
	Features [][]float32
}

// Suggestion is an image worth labelling next.
type Suggestion struct {
	Image string  `json:"image"`
	Score float64 `json:"score"`
	// Why says in words what made the image score.
	Why string `json:"why"`
	// Index is the image's row in the pool.
	Index int `json:"-"`
}

// Thresholds returns the decision threshold of each label of a classifier
// bundle, the ones Suggest ranks against: its rule's, or 0.5 where the rule
// has none (top-k, prevalence cut).
func Thresholds(b *bundle.Bundle) []float64 {
	thr := predict.Rules(b).Thresholds()
	out := make([]float64, len(b.Labels))
	for j := range out {
		out[j] = 0.5
		if j < len(thr) && thr[j] >= 0 {
			out[j] = thr[j]
		}
	}
	return out
}

// Suggest returns the count images of pool most worth labelling by the
// strategy, highest score first, each once. labels and thresholds (the
// model's decision thresholds, one per label) describe the score columns.
func Suggest(pool Pool, labels []string, thresholds []float64, count int, s Strategy) ([]Suggestion, error) {
	n := len(pool.Scores)
	switch {
	case n == 0:
		return nil, fmt.Errorf("audit: the pool holds no images")
	case len(pool.Names) != n:
		return nil, fmt.Errorf("audit: %d names for %d scored images", len(pool.Names), n)
	case count < 1:
		return nil, fmt.Errorf("audit: asked for %d suggestions", count)
	case len(thresholds) != len(labels):
		return nil, fmt.Errorf("audit: %d thresholds for %d labels", len(thresholds), len(labels))
	case !slices.Contains(Strategies, s):
		return nil, fmt.Errorf("audit: unknown strategy %q (have %v)", s, Strategies)
	}
	for i, row := range pool.Scores {
		if len(row) != len(labels) {
			return nil, fmt.Errorf("audit: image %s has %d scores, the model %d labels", pool.Names[i], len(row), len(labels))
		}
	}
	count = min(count, n)
	if s == Diverse {
		if len(pool.Features) != n {
			return nil, fmt.Errorf("audit: the diverse strategy needs the features of all %d images, got %d", n, len(pool.Features))
		}
		return diverse(pool, labels, thresholds, count)
	}
	out := make([]Suggestion, n)
	for i, p := range pool.Scores {
		var sc float64
		var why string
		switch s {
		case Uncertainty:
			sc, why = uncertainty(p, labels, thresholds)
		case MMC:
			sc, why = mmc(p, thresholds)
		case LCI:
			sc, why = lci(p, thresholds)
		}
		out[i] = Suggestion{Image: pool.Names[i], Score: sc, Why: why, Index: i}
	}
	slices.SortStableFunc(out, func(a, b Suggestion) int { return cmp.Compare(b.Score, a.Score) })
	return out[:count], nil
}

// margin returns p's signed distance from threshold t, scaled to [-1, 1]
// by the room on its side: -1 at 0, 0 at t, 1 at 1.
func margin(p, t float64) float64 {
	t = min(max(t, 1e-6), 1-1e-6)
	if p >= t {
		return min((p-t)/(1-t), 1)
	}
	return max((p-t)/t, -1)
}

// uncertainty is the mean over labels of 1 − |margin|, and the label
// closest to its threshold.
func uncertainty(p []float64, labels []string, thr []float64) (float64, string) {
	sum, best, bu := 0.0, 0, -1.0
	for j := range p {
		u := 1 - math.Abs(margin(p[j], thr[j]))
		sum += u
		if u > bu {
			best, bu = j, u
		}
	}
	return sum / float64(len(p)), fmt.Sprintf("closest to its threshold: %s %.2f (threshold %.2f)", labels[best], p[best], thr[best])
}

// expectedCount returns the image's expected label count, at least 1.
func expectedCount(p []float64) float64 {
	s := 0.0
	for _, v := range p {
		s += v
	}
	return max(s, 1)
}

// mmc is the mean over labels of (1 − y·f)/2, where f is the label's
// margin and y is +1 for the k labels of highest margin, k the rounded
// expected label count, and −1 for the others.
func mmc(p, thr []float64) (float64, string) {
	f := make([]float64, len(p))
	order := make([]int, len(p))
	for j := range p {
		f[j], order[j] = margin(p[j], thr[j]), j
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(f[b], f[a]) })
	k := int(math.Round(expectedCount(p)))
	decided, sum := 0, 0.0
	for r, j := range order {
		y := -1.0
		if r < k {
			y = 1
		}
		if f[j] >= 0 {
			decided++
		}
		sum += (1 - y*f[j]) / 2
	}
	return sum / float64(len(p)), fmt.Sprintf("expects %d labels, the thresholds decide %d", k, decided)
}

// lci is the expected |S − d|, S the number of labels truly present when
// each is present with its probability (a Poisson binomial), d the number
// the thresholds decide.
func lci(p, thr []float64) (float64, string) {
	dist := []float64{1} // dist[c] = P(S = c)
	d := 0
	for j, v := range p {
		next := make([]float64, len(dist)+1)
		for c, q := range dist {
			next[c] += q * (1 - v)
			next[c+1] += q * v
		}
		dist = next
		if v >= thr[j] {
			d++
		}
	}
	e, mean := 0.0, 0.0
	for c, q := range dist {
		e += q * math.Abs(float64(c-d))
		mean += q * float64(c)
	}
	return e, fmt.Sprintf("the thresholds decide %d labels, %.1f expected", d, mean)
}

// diverse picks count images by k-center greedy: the most uncertain
// first, then each time the image maximising its uncertainty times its
// distance to the nearest image already picked (unit-length features,
// distances relative to the farthest image from the first pick, at most
// 1). The scores so picked never increase.
func diverse(pool Pool, labels []string, thr []float64, count int) ([]Suggestion, error) {
	n := len(pool.Scores)
	u := make([]float64, n)
	feats := make([][]float64, n)
	for i, p := range pool.Scores {
		u[i], _ = uncertainty(p, labels, thr)
		if i > 0 && len(pool.Features[i]) != len(pool.Features[0]) {
			return nil, fmt.Errorf("audit: image %s has %d features, %s %d", pool.Names[i], len(pool.Features[i]), pool.Names[0], len(pool.Features[0]))
		}
		feats[i] = unit(pool.Features[i])
	}
	dist := make([]float64, n)
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	picked := make([]bool, n)
	var out []Suggestion
	scale := 0.0
	for len(out) < count {
		best, bs := -1, -1.0
		for i := range n {
			if picked[i] {
				continue
			}
			s := u[i]
			if len(out) > 0 {
				s *= min(dist[i]/scale, 1)
			}
			if s > bs {
				best, bs = i, s
			}
		}
		picked[best] = true
		why := fmt.Sprintf("uncertainty %.2f, the first pick", u[best])
		if len(out) > 0 {
			why = fmt.Sprintf("uncertainty %.2f, %.2f of the pool's spread from the nearest pick", u[best], min(dist[best]/scale, 1))
		}
		out = append(out, Suggestion{Image: pool.Names[best], Score: bs, Why: why, Index: best})
		for i := range n {
			dist[i] = min(dist[i], euclid(feats[i], feats[best]))
		}
		if len(out) == 1 {
			for i := range n {
				scale = max(scale, dist[i])
			}
			if scale == 0 {
				scale = 1 // every image looks the same
			}
		}
	}
	return out, nil
}

// unit returns v scaled to unit length (zero stays zero).
func unit(v []float32) []float64 {
	out := make([]float64, len(v))
	s := 0.0
	for j, x := range v {
		out[j] = float64(x)
		s += out[j] * out[j]
	}
	if s > 0 {
		s = 1 / math.Sqrt(s)
		for j := range out {
			out[j] *= s
		}
	}
	return out
}

func euclid(a, b []float64) float64 {
	s := 0.0
	for j := range a {
		d := a[j] - b[j]
		s += d * d
	}
	return math.Sqrt(s)
}
