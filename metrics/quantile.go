package metrics

import "math"

// Quantile returns the q-quantile of sorted (ascending) by linear
// interpolation between the closest ranks: Hyndman and Fan's type 7, R's
// default and numpy's "linear" method. q is clamped to [0, 1]; an empty
// slice gives NaN. Bootstrap intervals throughout mlabel use it.
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	q = math.Min(math.Max(q, 0), 1)
	pos := q * float64(n-1)
	lo := int(pos)
	if lo+1 >= n {
		return sorted[n-1]
	}
	frac := pos - float64(lo)
	return sorted[lo] + frac*(sorted[lo+1]-sorted[lo])
}
