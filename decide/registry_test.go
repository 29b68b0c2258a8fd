package decide

import (
	"slices"
	"strings"
	"testing"

	"mlabel/infer"
)

// A rule registered from one place is fitted, parsed, checked, applied and
// compared like the built-in ones; registering a kind twice panics.
func TestRegisterRuleKind(t *testing.T) {
	const everything Kind = "everything"
	Register(everything, RuleKind{Name: "all", Order: 99,
		Fit: func(fit infer.Set, _ Options) (*Rules, error) {
			return &Rules{Kind: everything, Labels: fit.NumLabels()}, nil
		},
		Decide: func(r *Rules, scores [][]float64, out [][]bool) {
			for i := range out {
				for j := range out[i] {
					out[i][j] = true
				}
			}
		}})
	t.Cleanup(func() { delete(methods, everything) })

	if k, err := ParseKind("everything"); err != nil || k != everything {
		t.Fatalf("ParseKind: %v %v", k, err)
	}
	if _, err := ParseKind("nothing"); err == nil || !strings.Contains(err.Error(), "everything") {
		t.Errorf("an unknown kind's error does not list the registered ones: %v", err)
	}
	if got := Kinds(); got[len(got)-1] != everything || !slices.Contains(got, PerClass) {
		t.Errorf("Kinds() = %v", got)
	}
	fit := infer.Set{Scores: [][]float64{{0.1, 0.9}, {0.8, 0.2}, {0.3, 0.7}, {0.6, 0.4}},
		Truth: [][]float64{{0, 1}, {1, 0}, {0, 1}, {1, 0}},
		Mask:  [][]bool{{true, true}, {true, true}, {true, true}, {true, true}}}
	r, err := Fit(fit, everything, DefaultOptions())
	if err != nil || r.Check(2) != nil || r.Thresholds() != nil {
		t.Fatalf("Fit: %+v, %v", r, err)
	}
	for _, row := range r.Apply(fit.Scores) {
		if !row[0] || !row[1] {
			t.Fatalf("Apply decided %v, want every label", row)
		}
	}
	eval := infer.Set{Scores: [][]float64{{0.2, 0.6}, {0.7, 0.1}}, Truth: [][]float64{{0, 1}, {1, 0}}, Mask: [][]bool{{true, true}, {true, true}}}
	c, err := Compare(fit, eval, Options{Beta: 2, Objective: SamplesF})
	if err != nil || c.Rows[len(c.Rows)-1].Rule != "all" {
		t.Fatalf("Compare: %v, %+v", err, c)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering per_class twice did not panic")
		}
	}()
	Register(PerClass, RuleKind{Fit: FitPerClass})
}
