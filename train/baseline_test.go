package train

import (
	"math"
	"testing"

	"mlabel/dataset"
	"mlabel/infer"
	"mlabel/masks"
	"mlabel/metrics"
)

// The margins by which a trained model must beat the best trivial model of
// its own validation split: a bar a constant answer meets tests nothing.
const (
	// accuracyMargin is added to the majority class's accuracy.
	accuracyMargin = 0.1
	// mapMargin is added to the mAP of constant scores.
	mapMargin = 0.15
	// iouMargin is added to the mIoU of the best constant mask.
	iouMargin = 0.05
)

// majorityAccuracy returns the accuracy, over the rows of truth, of always
// answering the column of cols that is most often true in truth itself:
// the best constant answer to an exclusive group on that split.
func majorityAccuracy(truth [][]float64, cols []int) float64 {
	best := 0
	for _, j := range cols {
		n := 0
		for _, row := range truth {
			if row[j] == 1 {
				n++
			}
		}
		best = max(best, n)
	}
	return float64(best) / float64(len(truth))
}

// constantMAP returns the validation mAP of a model that gives every image
// the same scores: each label's AP is then its prevalence on the split,
// whatever the constant.
func constantMAP(t *testing.T, s *infer.Set) float64 {
	t.Helper()
	c := &infer.Set{Truth: s.Truth, Mask: s.Mask, Scores: make([][]float64, len(s.Truth))}
	for i, row := range s.Truth {
		c.Scores[i] = make([]float64, len(row))
		for j := range row {
			c.Scores[i][j] = 0.5
		}
	}
	mAP, _, err := quick(c)
	if err != nil {
		t.Fatal(err)
	}
	return mAP
}

// constantMIoU returns the mIoU of the best constant mask on the images of
// val: each label predicted on every pixel where the split has it at all
// (its IoU is then its share of the known pixels), and on none elsewhere
// (the label then drops out of the mean, as metrics.IoU does).
func constantMIoU(t *testing.T, val *dataset.Dataset, set *masks.Set) float64 {
	t.Helper()
	u := metrics.NewIoU(len(val.Labels))
	for _, it := range val.Items {
		m, err := set.Load(it.Name, val.Labels)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range m.Data {
			j := i % len(val.Labels)
			switch v {
			case masks.Present:
				u.TP[j]++
			case masks.Absent:
				u.FP[j]++
			}
		}
	}
	for j := range u.TP {
		if u.TP[j] == 0 {
			u.FP[j] = 0 // predicted nowhere: undefined, left out
		}
	}
	m := u.Mean()
	if math.IsNaN(m) {
		t.Fatal("no label is present on any validation pixel")
	}
	return m
}

func TestBaselines(t *testing.T) {
	truth := [][]float64{{1, 0, 0}, {0, 1, 0}, {1, 0, 0}, {0, 0, 1}, {1, 0, 0}}
	if got := majorityAccuracy(truth, []int{0, 1, 2}); got != 0.6 {
		t.Errorf("majority accuracy %v, want 0.6", got)
	}
	if got := majorityAccuracy(truth, []int{1, 2}); got != 0.2 {
		t.Errorf("majority accuracy over columns 1 and 2 %v, want 0.2", got)
	}
	mask := make([][]bool, len(truth))
	for i := range mask {
		mask[i] = []bool{true, true, true}
	}
	// Constant scores: each label's AP is its prevalence, 3/5, 1/5 and 1/5.
	if got, want := constantMAP(t, &infer.Set{Truth: truth, Mask: mask}), (0.6+0.2+0.2)/3; math.Abs(got-want) > 1e-9 {
		t.Errorf("constant mAP %v, want %v", got, want)
	}
}
