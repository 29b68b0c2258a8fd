package decide

import (
	"errors"
	"fmt"

	"mlabel/metrics"
)

// Split is a set of held-out predictions with their truth: scores and truth
// are [sample][label], truth entries 0 or 1, and Mask (nil means all known)
// marks known truth entries.
type Split struct {
	// Scores, Truth and Mask are indexed [sample][label].
	Scores [][]float64
	Truth  [][]float64
	Mask   [][]bool
}

// known reports whether entry (i, j) is known.
func (s Split) known(i, j int) bool {
	return s.Mask == nil || s.Mask[i][j]
}

// labels returns the number of labels.
func (s Split) labels() int { return len(s.Scores[0]) }

// validate checks shapes and values.
func (s Split) validate() error {
	if len(s.Scores) == 0 {
		return errors.New("decide: empty split")
	}
	if err := metrics.Validate(s.Truth, s.Scores, s.Mask); err != nil {
		return fmt.Errorf("decide: %w", err)
	}
	return nil
}

// Rows returns the split restricted to the given rows, sharing row slices.
func (s Split) Rows(rows []int) Split {
	out := Split{Scores: make([][]float64, len(rows)), Truth: make([][]float64, len(rows))}
	if s.Mask != nil {
		out.Mask = make([][]bool, len(rows))
	}
	for k, i := range rows {
		out.Scores[k], out.Truth[k] = s.Scores[i], s.Truth[i]
		if s.Mask != nil {
			out.Mask[k] = s.Mask[i]
		}
	}
	return out
}

// positives counts each label's known positives.
func (s Split) positives() []int {
	out := make([]int, s.labels())
	for i, row := range s.Truth {
		for j, v := range row {
			if s.known(i, j) && v == 1 {
				out[j]++
			}
		}
	}
	return out
}

// FromDataset returns the split held by a dataset read from files.
func FromDataset(d *metrics.Dataset) Split {
	return Split{Scores: d.Scores, Truth: d.Truth, Mask: d.Mask}
}
