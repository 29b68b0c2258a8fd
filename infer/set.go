package infer

import (
	"fmt"

	"mlabel/tensor"
)

// Set is a scored set: a model's probabilities on a set of images, with the
// truth the images are labelled with. Scores, Truth and Mask are indexed
// [image][label]; truth entries are 0 or 1, and Mask marks the known ones
// (nil means every entry is known; an unlabelled set has every entry
// unknown).
type Set struct {
	// Labels names the label columns, when known.
	Labels []string `json:"labels,omitempty"`
	// Names names the images, one per row, when known.
	Names  []string    `json:"names"`
	Scores [][]float64 `json:"scores"`
	Truth  [][]float64 `json:"truth"`
	Mask   [][]bool    `json:"mask"`
	// Loss is the mean loss over known entries, when the set was scored
	// with a loss.
	Loss float64 `json:"loss"`
}

// Len returns the number of images.
func (s Set) Len() int { return len(s.Scores) }

// NumLabels returns the number of label columns; 0 for an empty set.
func (s Set) NumLabels() int {
	if len(s.Scores) == 0 {
		return len(s.Labels)
	}
	return len(s.Scores[0])
}

// Known reports whether truth entry (i, j) is known.
func (s Set) Known(i, j int) bool {
	return s.Mask == nil || s.Mask[i][j]
}

// Positives counts each label's known positives.
func (s Set) Positives() []int {
	out := make([]int, s.NumLabels())
	for i, row := range s.Truth {
		for j, v := range row {
			if s.Known(i, j) && v == 1 {
				out[j]++
			}
		}
	}
	return out
}

// Rows returns the set restricted to the given rows, in that order, sharing
// row slices with s.
func (s Set) Rows(rows []int) Set {
	out := Set{Labels: s.Labels, Scores: make([][]float64, len(rows)), Truth: make([][]float64, len(rows))}
	if s.Mask != nil {
		out.Mask = make([][]bool, len(rows))
	}
	if s.Names != nil {
		out.Names = make([]string, len(rows))
	}
	for k, i := range rows {
		out.Scores[k], out.Truth[k] = s.Scores[i], s.Truth[i]
		if s.Mask != nil {
			out.Mask[k] = s.Mask[i]
		}
		if s.Names != nil {
			out.Names[k] = s.Names[i]
		}
	}
	return out
}

// AppendLogits converts a batch of logits ([N, L]) to probabilities and
// appends them to s with the batch's names, truth y and mask (both [N, L],
// a mask entry known when non-zero).
func (s *Set) AppendLogits(names []string, logits, y, mask *tensor.Tensor) error {
	p, err := Probabilities(logits)
	if err != nil {
		return err
	}
	return s.AppendScores(names, p, y, mask)
}

// AppendScores appends a batch's scores (one row of L per image) to s with
// its names, truth y and mask (both [N, L], a mask entry known when
// non-zero).
func (s *Set) AppendScores(names []string, p [][]float64, y, mask *tensor.Tensor) error {
	n := 0
	if len(p) > 0 {
		n = len(p) * len(p[0])
	}
	if len(names) != len(p) || len(y.Data) != n || len(mask.Data) != n {
		return fmt.Errorf("infer: %d names, %d truth and %d mask values for %d rows of scores",
			len(names), len(y.Data), len(mask.Data), len(p))
	}
	for i, row := range p {
		l := len(row)
		t := make([]float64, l)
		mk := make([]bool, l)
		for j := range row {
			t[j] = float64(y.Data[i*l+j])
			mk[j] = mask.Data[i*l+j] != 0
		}
		s.Names = append(s.Names, names[i])
		s.Scores = append(s.Scores, row)
		s.Truth = append(s.Truth, t)
		s.Mask = append(s.Mask, mk)
	}
	return nil
}
