package shift

import (
	"mlabel/bundle"
	"mlabel/decide"
)

// ToBundle returns r as a bundle stores it; nil for nil.
func (r *Reference) ToBundle() *bundle.Reference {
	if r == nil {
		return nil
	}
	return &bundle.Reference{
		Images: r.Images, Split: r.Split, Calibration: r.Calibration.ToBundle(), Prevalence: r.Prevalence, PriorImages: r.PriorImages, Positive: r.Positive,
		Thresholds: r.Thresholds, TPR: r.TPR, FPR: r.FPR, Scores: r.Scores,
		MeanIfPositive: r.MeanIfPositive, MeanIfNegative: r.MeanIfNegative,
	}
}

// ReferenceFromBundle returns the validation reference a bundle of n
// labels stores, checked against them; nil for nil.
func ReferenceFromBundle(b *bundle.Reference, n int) (*Reference, error) {
	if b == nil {
		return nil, nil
	}
	r := &Reference{
		Images: b.Images, Split: b.Split, Calibration: decide.CalibrationFromBundle(b.Calibration), Prevalence: b.Prevalence, PriorImages: b.PriorImages, Positive: b.Positive,
		Thresholds: b.Thresholds, TPR: b.TPR, FPR: b.FPR, Scores: b.Scores,
		MeanIfPositive: b.MeanIfPositive, MeanIfNegative: b.MeanIfNegative,
	}
	if err := r.Check(n); err != nil {
		return nil, err
	}
	return r, nil
}

// ToBundle returns r as a bundle stores it.
func (r Record) ToBundle() bundle.Recalibration {
	return bundle.Recalibration{
		Created: r.Created, Batch: bundle.Batch(r.Batch), Labels: r.Labels, Train: r.Train, Estimated: r.Estimated,
		Low: r.Low, High: r.High, Old: r.Old, New: r.New, Kept: r.Kept,
	}
}

// RecordsFromBundle returns the recalibration records a bundle stores.
func RecordsFromBundle(bs []bundle.Recalibration) []Record {
	var out []Record
	for _, b := range bs {
		out = append(out, Record{
			Created: b.Created, Batch: Batch(b.Batch), Labels: b.Labels, Train: b.Train, Estimated: b.Estimated,
			Low: b.Low, High: b.High, Old: b.Old, New: b.New, Kept: b.Kept,
		})
	}
	return out
}
