package decide

import (
	"fmt"

	"mlabel/infer"
)

// The threshold rules, top-k and PCut; expected F registers itself in
// expectedf.go.
func init() {
	Register(Fixed, RuleKind{Name: "0.5", Order: 0, Thresholds: true, Fit: func(fit infer.Set, _ Options) (*Rules, error) {
		if err := validate(fit); err != nil {
			return nil, err
		}
		return &Rules{Kind: Fixed, Labels: fit.NumLabels(), Global: 0.5}, nil
	}})
	Register(Global, RuleKind{Name: "global", Order: 1, Thresholds: true, Fit: fitGlobal})
	Register(PerClass, RuleKind{Name: "per-class", Order: 2, Thresholds: true, Fit: FitPerClass,
		Check: func(r *Rules, n int) error {
			if len(r.PerClass) != n {
				return fmt.Errorf("decide: %d per-class thresholds for %d labels", len(r.PerClass), n)
			}
			return nil
		}})
	Register(TopK, RuleKind{Name: "top-k", Order: 3, Fit: fitTopK,
		Check: func(r *Rules, _ int) error {
			if r.K < 0 {
				return fmt.Errorf("decide: negative k %d", r.K)
			}
			return nil
		},
		Decide: func(r *Rules, scores [][]float64, out [][]bool) {
			for i, row := range scores {
				for _, j := range topIndices(row, r.K) {
					out[i][j] = true
				}
			}
		}})
	Register(PCut, RuleKind{Name: "pcut", Order: 4, Fit: func(fit infer.Set, _ Options) (*Rules, error) { return fitPCut(fit) },
		Check: func(r *Rules, n int) error {
			if len(r.Prevalence) != n {
				return fmt.Errorf("decide: %d prevalences for %d labels", len(r.Prevalence), n)
			}
			return nil
		},
		Decide: func(r *Rules, scores [][]float64, out [][]bool) { r.applyPCut(scores, out) }})
}
