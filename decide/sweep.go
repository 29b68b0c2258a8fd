package decide

import (
	"math"
	"sort"

	"mlabel/infer"
	"mlabel/metrics"
)

// entry is one known (sample, label) score, with its truth y, or its
// probability p of being positive when the truth is estimated.
type entry struct {
	i, j int
	s    float64
	y    bool
	p    float64
}

// entries returns the known entries of the given labels, highest score first.
func entries(s infer.Set, labels ...int) []entry {
	var out []entry
	for i, row := range s.Scores {
		for _, j := range labels {
			if s.Known(i, j) {
				out = append(out, entry{i: i, j: j, s: row[j], y: s.Truth[i][j] == 1})
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].s > out[b].s })
	return out
}

// above returns a threshold that no score in es reaches (predict nothing).
func above(es []entry) float64 {
	if len(es) == 0 {
		return 1
	}
	return math.Nextafter(es[0].s, math.Inf(1))
}

// sweep lowers the threshold through the distinct scores of es (sorted
// highest first). Before any entry is added, and after each group of equal
// scores, it evaluates value(). It returns the threshold of the best point
// (the midpoint to the next lower score, so that the decisions on es are the
// ones evaluated) and its value. On equal values the higher threshold wins.
func sweep(es []entry, add func(e entry), value func() float64) (thr, best float64) {
	thr, best = above(es), value()
	for k := 0; k < len(es); {
		g := es[k].s
		for k < len(es) && es[k].s == g {
			add(es[k])
			k++
		}
		if v := value(); v > best {
			best, thr = v, midpoint(es, k)
		}
	}
	return thr, best
}

// labelBest returns the threshold maximising label j's F-beta over the
// sorted entries es of that label; weight[i] (nil means 1) counts sample i
// that many times, for the bootstrap.
func labelBest(es []entry, weight []int, o metrics.Options) (float64, float64) {
	var c metrics.Counts
	w := func(i int) int {
		if weight == nil {
			return 1
		}
		return weight[i]
	}
	for _, e := range es {
		if e.y {
			c.FN += w(e.i)
		}
	}
	add := func(e entry) {
		if e.y {
			c.TP += w(e.i)
			c.FN -= w(e.i)
		} else {
			c.FP += w(e.i)
		}
	}
	return sweep(es, add, func() float64 { return o.Score(c).F })
}

// sampleState tracks each sample's counts and the sum of sample F-beta for
// the samples average, updated one decision at a time.
type sampleState struct {
	o      metrics.Options
	counts []metrics.Counts
	sum    float64
	rows   int
}

// newSampleState counts the decisions pred on the known entries of s,
// skipping label skip (its entries start predicted negative); skip < 0
// skips nothing.
func newSampleState(s infer.Set, pred [][]bool, skip int, o metrics.Options) *sampleState {
	st := &sampleState{o: o, counts: make([]metrics.Counts, len(s.Scores))}
	for i, row := range s.Truth {
		known := false
		for j, v := range row {
			if !s.Known(i, j) {
				continue
			}
			known = true
			c := &st.counts[i]
			switch {
			case v == 1 && j != skip && pred[i][j]:
				c.TP++
			case v == 1:
				c.FN++
			case j != skip && pred[i][j]:
				c.FP++
			}
		}
		if known {
			st.rows++
			st.sum += o.Score(st.counts[i]).F
		}
	}
	return st
}

// add turns entry e from a negative into a positive decision.
func (st *sampleState) add(e entry) {
	c := &st.counts[e.i]
	old := st.o.Score(*c).F
	if e.y {
		c.TP++
		c.FN--
	} else {
		c.FP++
	}
	st.sum += st.o.Score(*c).F - old
}

// value returns the samples-averaged F-beta.
func (st *sampleState) value() float64 {
	if st.rows == 0 {
		return 0
	}
	return st.sum / float64(st.rows)
}

// microState tracks pooled counts for micro F-beta.
type microState struct {
	o metrics.Options
	c metrics.Counts
}

func (m *microState) add(e entry) {
	if e.y {
		m.c.TP++
		m.c.FN--
	} else {
		m.c.FP++
	}
}

func (m *microState) value() float64 { return m.o.Score(m.c).F }
