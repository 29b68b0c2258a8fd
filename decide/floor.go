package decide

// DefaultMinPrecision is the precision on the fitting split below which a
// default per-class threshold does not go: at least two in five images
// decided to carry a label carry it, so no label is predicted on more than
// 2.5 times as many images as carry it, however much recall F2 buys.
const DefaultMinPrecision = 0.4

// precisionFloor returns the lowest threshold on es (one label's known
// entries, highest score first) at which the entries it predicts have a
// precision of at least minPrec, and false when no threshold that
// predicts anything reaches it or es holds no positive.
func precisionFloor(es []entry, minPrec float64) (float64, bool) {
	tp, n := 0, 0
	thr, ok := 0.0, false
	for k := 0; k < len(es); {
		// Equal scores are decided together.
		for s := es[k].s; k < len(es) && es[k].s == s; k++ {
			n++
			if es[k].y {
				tp++
			}
		}
		if tp > 0 && float64(tp) >= minPrec*float64(n) {
			thr, ok = midpoint(es, k), true
		}
	}
	return thr, ok
}

// midpoint returns the threshold that predicts es[:k] and not es[k:], as
// sweep places it: midway to the next lower score, or the last predicted
// score itself.
func midpoint(es []entry, k int) float64 {
	g := es[k-1].s
	if k < len(es) {
		if mid := g + (es[k].s-g)/2; mid > es[k].s {
			return mid
		}
	}
	return g
}

// applyFloor raises each label's threshold in r to the precision floor of
// o.MinPrecision on its sorted entries, where validation reaches it.
func applyFloor(r *Rules, sorted [][]entry, o Options) {
	if o.MinPrecision <= 0 {
		return
	}
	for j, es := range sorted {
		if thr, ok := precisionFloor(es, o.MinPrecision); ok && thr > r.PerClass[j] {
			r.PerClass[j] = thr
		}
	}
}
