package decide

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// Kind names a decision rule.
type Kind string

const (
	// Fixed predicts every score at or above Global (0.5 by default).
	Fixed Kind = "fixed"
	// Global predicts every score at or above a fitted Global threshold.
	Global Kind = "global"
	// PerClass predicts label j when its score is at or above PerClass[j].
	PerClass Kind = "per_class"
	// TopK predicts the K highest-scoring labels of each sample.
	TopK Kind = "top_k"
	// PCut predicts, for each label, the Prevalence[j]·n highest-scoring
	// samples of the batch being decided.
	PCut Kind = "pcut"
)

// Interval is a bootstrap confidence interval.
type Interval struct {
	// Low and High are the 5th and 95th percentiles.
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// Rules is a fitted decision rule, stored in the model bundle as JSON.
type Rules struct {
	// Kind selects how scores become decisions.
	Kind Kind `json:"kind"`
	// Objective and Beta record what the rule was fitted to maximise.
	Objective Objective `json:"objective,omitempty"`
	Beta      float64   `json:"beta,omitempty"`
	// ZeroDivision is the F-beta zero-division value ExpectedF uses.
	ZeroDivision float64 `json:"zero_division,omitempty"`
	// Labels is the number of labels the rule decides.
	Labels int `json:"n_labels"`
	// Names optionally holds the label names, in score column order.
	Names []string `json:"labels,omitempty"`
	// Global is the global threshold; per-class rules shrink toward it.
	Global float64 `json:"global_threshold"`
	// PerClass holds one threshold per label for the PerClass kind.
	PerClass []float64 `json:"per_class_thresholds,omitempty"`
	// Intervals holds each per-class threshold's bootstrap 90% interval.
	Intervals []Interval `json:"intervals,omitempty"`
	// Shrunk flags labels with too few held-out positives, whose threshold
	// was shrunk toward Global.
	Shrunk []bool `json:"shrunk,omitempty"`
	// Positives counts each label's held-out positives at fitting time.
	Positives []int `json:"positives,omitempty"`
	// K is the number of labels TopK predicts per sample.
	K int `json:"k,omitempty"`
	// Prevalence is each label's positive rate on the fitting split (PCut).
	Prevalence []float64 `json:"prevalence,omitempty"`
	// Calibration, when set, maps raw scores to calibrated ones before the
	// rule applies; the rule was then fitted on calibrated scores.
	Calibration *Calibration `json:"calibration,omitempty"`
	// Structure, when set, makes the decisions obey the labels' groups,
	// exclusions and implications once the rule has decided; it needs
	// Names.
	Structure *Structure `json:"structure,omitempty"`
}

// Check reports whether the rule can decide scores with n labels.
func (r *Rules) Check(n int) error {
	if r.Labels < 1 || r.Labels > MaxLabels {
		return fmt.Errorf("decide: rule is for %d labels, want 1 to %d", r.Labels, MaxLabels)
	}
	if r.Labels != n {
		return fmt.Errorf("decide: rule is for %d labels, scores have %d", r.Labels, n)
	}
	m, ok := methods[r.Kind]
	if !ok {
		return fmt.Errorf("decide: unknown rule kind %q", r.Kind)
	}
	if m.Check != nil {
		if err := m.Check(r, n); err != nil {
			return err
		}
	}
	if !r.Structure.Empty() {
		if len(r.Names) != n {
			return fmt.Errorf("decide: a label structure needs the %d label names, the rule has %d", n, len(r.Names))
		}
		if err := r.Structure.Check(r.Names); err != nil {
			return err
		}
	}
	if r.Calibration != nil {
		return r.Calibration.Check(n)
	}
	return nil
}

// Thresholds returns one threshold per label for the rules that decide by
// fixed thresholds (Fixed, Global, PerClass: RuleKind.Thresholds) and nil for
// the others (TopK, PCut, ExpectedF), whose cut depends on the scores being
// decided.
func (r *Rules) Thresholds() []float64 {
	if !methods[r.Kind].Thresholds {
		return nil
	}
	if r.Kind == PerClass {
		return append([]float64(nil), r.PerClass...)
	}
	out := make([]float64, r.Labels)
	for j := range out {
		out[j] = r.Global
	}
	return out
}

// threshold returns label j's threshold, Global where none was fitted.
func (r *Rules) threshold(j int) float64 {
	if r.Kind == PerClass && j < len(r.PerClass) {
		return r.PerClass[j]
	}
	return r.Global
}

// Apply decides scores [sample][label], calibrating them first when the
// rule holds a calibration, and then applies its label structure. Call Check first: labels beyond the fitted ones
// fall back to the global threshold rather than failing.
func (r *Rules) Apply(scores [][]float64) [][]bool {
	if r.Calibration != nil {
		scores = r.Calibration.Apply(scores)
	}
	out := make([][]bool, len(scores))
	for i, row := range scores {
		out[i] = make([]bool, len(row))
	}
	if m := methods[r.Kind]; m.Decide != nil {
		m.Decide(r, scores, out)
	} else {
		for i, row := range scores {
			for j, v := range row {
				out[i][j] = v >= r.threshold(j)
			}
		}
	}
	if !r.Structure.Empty() {
		// Check has refused an inconsistent structure.
		_ = r.Structure.Apply(r.Names, scores, out)
	}
	return out
}

// applyPCut marks, per label, the round(prevalence·n) highest scores.
func (r *Rules) applyPCut(scores [][]float64, out [][]bool) {
	n := len(scores)
	for j := 0; j < r.Labels; j++ {
		col := make([]float64, 0, n)
		for _, row := range scores {
			if j < len(row) {
				col = append(col, row[j])
			}
		}
		if len(col) != n || j >= len(r.Prevalence) {
			continue
		}
		take := int(r.Prevalence[j]*float64(n) + 0.5)
		for _, i := range topIndices(col, take) {
			out[i][j] = true
		}
	}
}

// topIndices returns the indices of the k largest values (earlier index
// first among ties).
func topIndices(xs []float64, k int) []int {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return xs[idx[a]] > xs[idx[b]] })
	if k > len(idx) {
		k = len(idx)
	}
	if k < 0 {
		k = 0
	}
	return idx[:k]
}

// WriteJSON writes the rule as indented JSON.
func (r *Rules) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("decide: encoding rules: %w", err)
	}
	return nil
}

// MaxLabels is the most labels a decision rule may be for: far more than
// any label vocabulary, and few enough that a crafted rule's thresholds fit
// in memory.
const MaxLabels = 1 << 20

// readRules reads a rule written by WriteJSON and checks it.
func readRules(rd io.Reader) (*Rules, error) {
	var r Rules
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("decide: decoding rules: %w", err)
	}
	if err := r.Check(r.Labels); err != nil {
		return nil, err
	}
	return &r, nil
}
