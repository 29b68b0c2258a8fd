package decide

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"mlabel/infer"
	"mlabel/metrics"
)

// CompareRow is one rule's scores on the evaluation split.
type CompareRow struct {
	// Rule names the rule; SamplesF is samples F-beta, MacroF1 macro F1.
	Rule           string  `json:"rule"`
	SamplesF       float64 `json:"samples_f"`
	MacroF1        float64 `json:"macro_f1"`
	SubsetAccuracy float64 `json:"subset_accuracy"`
	// Rules is the rule as fitted on the fitting split.
	Rules *Rules `json:"rules"`
}

// Comparison scores several rules, fitted on one split, on another.
type Comparison struct {
	// Beta is the F-beta weight of SamplesF; Rows has one row per rule.
	Beta float64      `json:"beta"`
	Rows []CompareRow `json:"rows"`
}

// ErrSameSplit is returned when the fitting and evaluation splits share data.
var ErrSameSplit = errors.New("decide: the evaluation split must differ from the fitting split")

// sameData reports whether two splits share their first score row.
func sameData(a, b infer.Set) bool {
	return len(a.Scores) > 0 && len(b.Scores) > 0 && len(a.Scores[0]) > 0 && len(b.Scores[0]) > 0 &&
		&a.Scores[0][0] == &b.Scores[0][0]
}

// Compare fits every registered rule (Kinds: the fixed 0.5 threshold, the
// best global threshold, per-class thresholds, top-k, PCut and the
// expected-F maximiser) on fit, then scores each on eval:
// samples F-beta (o.Beta), macro F1 and subset accuracy.
func Compare(fit, eval infer.Set, o Options) (*Comparison, error) {
	if sameData(fit, eval) {
		return nil, ErrSameSplit
	}
	if err := validate(eval); err != nil {
		return nil, fmt.Errorf("evaluation split: %w", err)
	}
	if err := prepare(fit, o); err != nil {
		return nil, fmt.Errorf("fitting split: %w", err)
	}
	if eval.NumLabels() != fit.NumLabels() {
		return nil, fmt.Errorf("decide: fitting split has %d labels, evaluation split %d", fit.NumLabels(), eval.NumLabels())
	}
	c := &Comparison{Beta: o.Beta}
	for _, kind := range Kinds() {
		name := methods[kind].Name
		r, err := Fit(fit, kind, o)
		if err != nil {
			return nil, fmt.Errorf("decide: fitting %s: %w", name, err)
		}
		row, err := score(eval, r, o)
		if err != nil {
			return nil, fmt.Errorf("decide: scoring %s: %w", name, err)
		}
		row.Rule = name
		c.Rows = append(c.Rows, row)
	}
	return c, nil
}

// score evaluates a rule's decisions on a split.
func score(eval infer.Set, r *Rules, o Options) (CompareRow, error) {
	pred := r.Apply(eval.Scores)
	sf, err := metrics.ScorePRF(eval.Truth, pred, eval.Mask, metrics.Samples, o.metric())
	if err != nil {
		return CompareRow{}, err
	}
	mf, err := metrics.ScorePRF(eval.Truth, pred, eval.Mask, metrics.Macro, metrics.Options{Beta: 1, ZeroDivision: o.ZeroDivision})
	if err != nil {
		return CompareRow{}, err
	}
	acc, err := metrics.SubsetAccuracy(eval.Truth, pred, eval.Mask)
	if err != nil {
		return CompareRow{}, err
	}
	return CompareRow{SamplesF: sf.F, MacroF1: mf.F, SubsetAccuracy: acc, Rules: r}, nil
}

// WriteTable prints the comparison as an aligned text table.
func (c *Comparison) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "rule\tsamples F%g\tmacro F1\tsubset accuracy\t\n", c.Beta)
	for _, r := range c.Rows {
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t\n", r.Rule, r.SamplesF, r.MacroF1, r.SubsetAccuracy)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("decide: writing comparison: %w", err)
	}
	return nil
}
