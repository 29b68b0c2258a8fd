package decide

import (
	"fmt"
	"math"

	"mlabel/infer"
)

// Method names a calibration method.
type Method string

const (
	// Temperature rescales each label's logit: p' = σ(Logit(p)/T).
	Temperature Method = "temperature"
	// Platt fits p' = σ(a·Logit(p) + b) per label.
	Platt Method = "platt"
)

// Calibration maps each label's score to a calibrated probability
// σ(A[j]·logit(p) + B[j]); temperature scaling has B = 0 and A = 1/T.
type Calibration struct {
	// Method is how the parameters were fitted; A and B hold one slope
	// and one intercept per label.
	Method Method    `json:"method"`
	A      []float64 `json:"a"`
	B      []float64 `json:"b"`
}

// clampEps keeps scores away from 0 and 1 before taking logits.
const clampEps = 1e-12

// Logit returns log(p/(1−p)), with p first kept 1e-12 away from 0 and 1 so
// that the result is finite; it is the inverse of infer.Sigmoid.
func Logit(p float64) float64 {
	p = math.Min(math.Max(p, clampEps), 1-clampEps)
	return math.Log(p / (1 - p))
}

// Check reports whether the calibration fits n labels.
func (c *Calibration) Check(n int) error {
	if len(c.A) != n || len(c.B) != n {
		return fmt.Errorf("decide: calibration has %d/%d parameters for %d labels", len(c.A), len(c.B), n)
	}
	return nil
}

// Apply returns calibrated copies of scores; labels without parameters are
// copied unchanged.
func (c *Calibration) Apply(scores [][]float64) [][]float64 {
	out := make([][]float64, len(scores))
	for i, row := range scores {
		out[i] = make([]float64, len(row))
		for j, p := range row {
			if j < len(c.A) && j < len(c.B) {
				out[i][j] = infer.Sigmoid(c.A[j]*Logit(p) + c.B[j])
			} else {
				out[i][j] = p
			}
		}
	}
	return out
}

// FitCalibration fits each label's calibration on held-out scores by Newton
// steps on the log loss. Targets use Platt's prior correction
// ((N₊+1)/(N₊+2) for positives, 1/(N₋+2) for negatives), which keeps the fit
// finite on separable data. A label without both a known positive and a
// known negative keeps the identity map.
func FitCalibration(fit infer.Set, method Method) (*Calibration, error) {
	if method != Temperature && method != Platt {
		return nil, fmt.Errorf("decide: unknown calibration method %q", method)
	}
	if err := validate(fit); err != nil {
		return nil, err
	}
	n := fit.NumLabels()
	c := &Calibration{Method: method, A: make([]float64, n), B: make([]float64, n)}
	for j := 0; j < n; j++ {
		var x, y []float64
		for i, row := range fit.Scores {
			if fit.Known(i, j) {
				x = append(x, Logit(row[j]))
				y = append(y, fit.Truth[i][j])
			}
		}
		c.A[j], c.B[j] = fitLogistic(x, plattTargets(y), method == Platt)
	}
	return c, nil
}

// plattTargets replaces 0/1 labels by Platt's corrected targets; it returns
// nil when one class is missing.
func plattTargets(y []float64) []float64 {
	pos := 0.0
	for _, v := range y {
		pos += v
	}
	neg := float64(len(y)) - pos
	if pos == 0 || neg == 0 {
		return nil
	}
	t := make([]float64, len(y))
	for k, v := range y {
		t[k] = 1 / (neg + 2)
		if v == 1 {
			t[k] = (pos + 1) / (pos + 2)
		}
	}
	return t
}

// logLoss returns the mean cross-entropy of σ(a·x+b) against targets t.
func logLoss(x, t []float64, a, b float64) float64 {
	sum := 0.0
	for k := range x {
		z := a*x[k] + b
		// log(1+e^z) - t·z, computed stably.
		sum += math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) - t[k]*z
	}
	return sum / float64(len(x))
}

// fitLogistic minimises the log loss of σ(a·x+b) over a (and b when withB)
// by damped Newton steps, starting from the identity a=1, b=0.
func fitLogistic(x, t []float64, withB bool) (float64, float64) {
	a, b := 1.0, 0.0
	if t == nil {
		return a, b
	}
	for iter := 0; iter < 100; iter++ {
		var ga, gb, haa, hab, hbb float64
		for k := range x {
			p := infer.Sigmoid(a*x[k] + b)
			r, w := p-t[k], p*(1-p)
			ga += r * x[k]
			gb += r
			haa += w * x[k] * x[k]
			hab += w * x[k]
			hbb += w
		}
		da, db := 0.0, 0.0
		if withB {
			det := haa*hbb - hab*hab
			if det <= 1e-300 {
				break
			}
			da = (hbb*ga - hab*gb) / det
			db = (haa*gb - hab*ga) / det
		} else if haa > 0 {
			da = ga / haa
		}
		// Halve the step until the loss does not increase.
		old, step := logLoss(x, t, a, b), 1.0
		for ; step > 1e-10; step /= 2 {
			if logLoss(x, t, a-step*da, b-step*db) <= old {
				break
			}
		}
		a, b = a-step*da, b-step*db
		if math.Abs(step*da)+math.Abs(step*db) < 1e-12 {
			break
		}
	}
	return a, b
}
