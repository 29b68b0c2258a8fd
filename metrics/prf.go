package metrics

import "fmt"

// Average selects how per-label or per-sample scores are combined.
type Average int

const (
	// Samples averages over samples (each sample's known labels).
	Samples Average = iota
	// Micro pools the counts of all known entries.
	Micro
	// Macro is the unweighted mean over labels with at least one known sample.
	Macro
	// Weighted is the mean over labels weighted by their support.
	Weighted
)

// String returns scikit-learn's name of the average.
func (a Average) String() string {
	switch a {
	case Samples:
		return "samples"
	case Micro:
		return "micro"
	case Macro:
		return "macro"
	case Weighted:
		return "weighted"
	}
	return fmt.Sprintf("Average(%d)", int(a))
}

// PRF holds precision, recall and F-beta.
type PRF struct {
	// Precision, Recall and F are the averaged scores.
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F         float64 `json:"f"`
}

// Options sets the F-beta weight and the value scikit-learn's zero_division
// gives to a ratio with a zero denominator (0, which is also its "warn"
// default, or 1).
type Options struct {
	// Beta weighs recall beta times as much as precision.
	Beta float64
	// ZeroDivision is the value of a ratio with a zero denominator.
	ZeroDivision float64
}

// F1 is Options for the F1 score with zero_division 0.
var F1 = Options{Beta: 1}

func (o Options) validate() error {
	if o.Beta < 0 {
		return fmt.Errorf("metrics: beta %v is negative", o.Beta)
	}
	if o.ZeroDivision != 0 && o.ZeroDivision != 1 {
		return fmt.Errorf("metrics: zero division value %v, want 0 or 1", o.ZeroDivision)
	}
	return nil
}

// Score computes precision, recall and F-beta from counts, as scikit-learn.
func (o Options) Score(c Counts) PRF {
	p := divide(float64(c.TP), float64(c.TP+c.FP), o.ZeroDivision)
	r := divide(float64(c.TP), float64(c.TP+c.FN), o.ZeroDivision)
	return PRF{Precision: p, Recall: r, F: fbeta(p, r, o.Beta)}
}

// PerLabelPRF returns precision, recall and F-beta of each label over its
// known samples (scikit-learn's average=None).
func PerLabelPRF(truth [][]float64, pred [][]bool, mask [][]bool, o Options) ([]PRF, error) {
	cs, err := Confusion(truth, pred, mask)
	if err != nil {
		return nil, err
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	out := make([]PRF, len(cs))
	for j, c := range cs {
		out[j] = o.Score(c)
	}
	return out, nil
}

// ScorePRF returns averaged precision, recall and F-beta, as scikit-learn's
// precision_recall_fscore_support with the given average.
func ScorePRF(truth [][]float64, pred [][]bool, mask [][]bool, avg Average, o Options) (PRF, error) {
	s, err := check(truth, pred, "predictions", mask)
	if err != nil {
		return PRF{}, err
	}
	if err := o.validate(); err != nil {
		return PRF{}, err
	}
	switch avg {
	case Micro:
		c := pooled(s.perLabel(truth, pred))
		if c.total() == 0 {
			return PRF{}, ErrNoKnown
		}
		return o.Score(c), nil
	case Samples:
		return o.meanScore(s.perSample(truth, pred), nil)
	case Macro:
		return o.meanScore(withKnown(s.perLabel(truth, pred)), nil)
	case Weighted:
		return o.weighted(withKnown(s.perLabel(truth, pred)))
	}
	return PRF{}, fmt.Errorf("metrics: unknown average %v", avg)
}

// withKnown keeps the counts of labels with at least one known sample.
func withKnown(cs []Counts) []Counts {
	var out []Counts
	for _, c := range cs {
		if c.total() > 0 {
			out = append(out, c)
		}
	}
	return out
}

// meanScore averages the scores of cs, weighted by weights when not nil.
func (o Options) meanScore(cs []Counts, weights []float64) (PRF, error) {
	if len(cs) == 0 {
		return PRF{}, ErrNoKnown
	}
	var sum PRF
	wsum := 0.0
	for k, c := range cs {
		w := 1.0
		if weights != nil {
			w = weights[k]
		}
		v := o.Score(c)
		sum.Precision += w * v.Precision
		sum.Recall += w * v.Recall
		sum.F += w * v.F
		wsum += w
	}
	return PRF{Precision: sum.Precision / wsum, Recall: sum.Recall / wsum, F: sum.F / wsum}, nil
}

// weighted averages label scores weighted by support, with scikit-learn's
// rule when no label has a positive.
func (o Options) weighted(cs []Counts) (PRF, error) {
	if len(cs) == 0 {
		return PRF{}, ErrNoKnown
	}
	weights := make([]float64, len(cs))
	total := pooled(cs)
	for k, c := range cs {
		weights[k] = float64(c.TP + c.FN)
	}
	if total.TP+total.FN == 0 {
		zd := o.ZeroDivision
		if total.TP+total.FP == 0 {
			return PRF{Precision: zd, Recall: zd, F: zd}, nil
		}
		return PRF{Precision: 0, Recall: zd, F: 0}, nil
	}
	return o.meanScore(cs, weights)
}
