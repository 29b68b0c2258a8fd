package decide

import (
	"mlabel/infer"
)

// Halves splits s at random (seeded) into two halves of its rows: rules are
// fitted on the first and compared on the second, on which nothing was
// fitted.
func Halves(s infer.Set, seed uint64) (fit, eval infer.Set, err error) {
	fold, err := KFold(s.Len(), 2, seed)
	if err != nil {
		return infer.Set{}, infer.Set{}, err
	}
	var a, b []int
	for i, f := range fold {
		if f == 0 {
			a = append(a, i)
		} else {
			b = append(b, i)
		}
	}
	return s.Rows(a), s.Rows(b), nil
}

// FitCalibrated fits a rule of the given kind on s; with a calibration
// method it first fits the calibration on s, fits the rule on the
// calibrated scores and stores the calibration in the rule, so that
// applying it calibrates new scores the same way. An empty method fits on
// the raw scores.
func FitCalibrated(s infer.Set, kind Kind, o Options, method Method) (*Rules, error) {
	if method == "" {
		return Fit(s, kind, o)
	}
	cal, err := FitCalibration(s, method)
	if err != nil {
		return nil, err
	}
	calibrated := s
	calibrated.Scores = cal.Apply(s.Scores)
	r, err := Fit(calibrated, kind, o)
	if err != nil {
		return nil, err
	}
	r.Calibration = cal
	return r, nil
}
