// Package shift adapts a classifier's decisions to a batch of new images
// whose label prevalences differ from those it was trained for (label
// shift: the images of each class look the same, only how often each label
// holds has changed).
//
// A training run stores a Reference, made from the held-out predictions
// of the stored model (validation's, or a refitted model's test split,
// which it has not seen): each label's Platt calibration, moved to the
// prevalence counted on every labelled image of the run (NewReferenceAt),
// the decision rule's hit rates (for BBSE) and the
// score distribution (for drift). Recalibrate then estimates each label's
// new prevalence on an unlabelled batch by EM prior adjustment (Saerens,
// Latinne and Decaestecker, 2002) with a bootstrap interval, cross-checks it
// with black-box shift estimation (Lipton, Wang and Smola, 2018), shifts
// the posteriors by the prior ratio, logit p' = logit p + logit π' − logit π,
// and moves the per-class thresholds: mapped by the prior shift, re-fitted
// by expected F-beta on the shifted posteriors, or by the smaller of the
// two moves (the default; see Method).
//
// Labels are treated one at a time, each as its own binary problem.
package shift

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"mlabel/decide"
	"mlabel/infer"
	"mlabel/metrics"
)

// Quantiles is the number of score quantiles a Reference keeps per label.
const Quantiles = 101

// Reference is what a model's validation predictions say about it, kept in
// the bundle so that a later batch can be compared with it.
type Reference struct {
	// Images is the number of held-out images it was made from.
	Images int `json:"images"`
	// Split names those images: "validation", or "test" for a model
	// trained once more on its validation images (see the workflow's
	// refit), whose validation predictions would be in-sample.
	Split string `json:"split,omitempty"`
	// Calibration maps each label's raw score to a probability calibrated
	// on validation (Platt scaling).
	Calibration *decide.Calibration `json:"calibration"`
	// Prevalence is each label's prior π as the calibrated probabilities
	// embody it: the rate counted on every labelled image of the run when
	// PriorImages is set (see NewReferenceAt), otherwise their mean on the
	// reference's images (the known positive rate, up to Platt's target
	// correction).
	Prevalence []float64 `json:"prevalence"`
	// PriorImages is the number of labelled images Prevalence was counted
	// on; 0 when it is the reference images' own.
	PriorImages int `json:"prior_images,omitempty"`
	// Positive is each label's known positive rate on validation.
	Positive []float64 `json:"positive_rate"`
	// Thresholds are the rule's thresholds TPR and FPR were counted at.
	Thresholds []float64 `json:"thresholds"`
	// TPR and FPR are the fractions of validation positives and negatives
	// whose score reaches the threshold: the confusion matrix BBSE inverts
	// (0 for a label without known positives or negatives).
	TPR []float64 `json:"tpr"`
	FPR []float64 `json:"fpr"`
	// Scores holds each label's validation score quantiles at 0, 0.01, ...,
	// 1, for comparing score distributions.
	Scores [][]float64 `json:"score_quantiles"`
	// MeanIfPositive[j][k] and MeanIfNegative[j][k] are label k's mean
	// calibrated probability over the validation images where label j is
	// a known positive and a known negative (label k's prevalence where j
	// has none of them): how k's scores move when j's prevalence does.
	// Nil in references made before they were recorded.
	MeanIfPositive [][]float64 `json:"mean_if_positive,omitempty"`
	MeanIfNegative [][]float64 `json:"mean_if_negative,omitempty"`
}

// ErrNoReference is wrapped by the errors about a model that records no
// validation reference.
var ErrNoReference = errors.New("no validation reference")

// NewReference makes the reference of validation predictions val, decided
// with per-label thresholds, at the prevalences of val itself (see
// NewReferenceAt).
func NewReference(val infer.Set, thresholds []float64) (*Reference, error) {
	return NewReferenceAt(val, thresholds, nil)
}

// Prior is each label's prevalence counted on the labelled images a model
// was made for: every image of its training run, training, validation and
// test splits alike, since a label's rate does not depend on which model
// saw the image.
type Prior struct {
	// Prevalence is each label's known positive rate, smoothed by half an
	// image each way ((positives + ½) / (known + 1)) so that it lies inside
	// (0, 1).
	Prevalence []float64
	// Images is the number of images counted.
	Images int
}

// CountPrior counts each label's prevalence in tags, one row per image
// and one entry per label: 1 present, 0 absent, −1 unknown (as
// dataset.TagMatrix gives them).
func CountPrior(tags [][]float64) (*Prior, error) {
	if len(tags) == 0 {
		return nil, errors.New("shift: no tags to count a prior from")
	}
	n := len(tags[0])
	pos, known := make([]float64, n), make([]float64, n)
	for i, row := range tags {
		if len(row) != n {
			return nil, fmt.Errorf("shift: image %d has %d tags, image 0 has %d", i, len(row), n)
		}
		for j, v := range row {
			switch v {
			case 1:
				pos[j]++
				known[j]++
			case 0:
				known[j]++
			}
		}
	}
	p := &Prior{Prevalence: make([]float64, n), Images: len(tags)}
	for j := range p.Prevalence {
		p.Prevalence[j] = (pos[j] + 0.5) / (known[j] + 1)
	}
	return p, nil
}

// NewReferenceAt makes the reference of held-out predictions val, decided
// with per-label thresholds. With a prior, the reference's prevalences are
// the prior's, and each label's calibration is moved to it by the prior
// ratio (its intercept gains logit π − logit π_val, where π_val is the mean
// calibrated probability on val): the calibration's shape comes from the
// held-out images, which must be ones the model has not seen, but its
// prior from every labelled image. A held-out set is small (a refitted
// model's test split may be a few dozen images), and its label rates
// differ from the population's by sampling error alone; against a
// reference at those rates, a batch drawn from the very population the
// model was trained for looks shifted, and recalibration moves thresholds
// that the batch does not call for. The prior counted on the whole
// labelled set is the rate the thresholds were fitted to serve.
func NewReferenceAt(val infer.Set, thresholds []float64, prior *Prior) (*Reference, error) {
	if val.Len() == 0 {
		return nil, errors.New("shift: empty validation set")
	}
	if err := metrics.Validate(val.Truth, val.Scores, val.Mask); err != nil {
		return nil, fmt.Errorf("shift: %w", err)
	}
	n := val.NumLabels()
	if len(thresholds) != n {
		return nil, fmt.Errorf("shift: %d thresholds for %d labels", len(thresholds), n)
	}
	c, err := decide.FitCalibration(val, decide.Platt)
	if err != nil {
		return nil, fmt.Errorf("shift: %w", err)
	}
	cal := c.Apply(val.Scores)
	r := &Reference{Images: val.Len(), Calibration: c, Thresholds: append([]float64(nil), thresholds...)}
	if prior != nil {
		if len(prior.Prevalence) != n {
			return nil, fmt.Errorf("shift: prior of %d labels for %d", len(prior.Prevalence), n)
		}
		for j, p := range prior.Prevalence {
			if !(p > 0 && p < 1) {
				return nil, fmt.Errorf("shift: prior prevalence %v of label %d is outside (0, 1)", p, j)
			}
			var sum float64
			for _, row := range cal {
				sum += row[j]
			}
			c.B[j] += decide.Logit(p) - decide.Logit(sum/float64(len(cal)))
		}
		cal = c.Apply(val.Scores)
		r.PriorImages = prior.Images
	}
	for j := 0; j < n; j++ {
		var pos, neg, tp, fp, sum float64
		col := make([]float64, val.Len())
		for i, row := range val.Scores {
			col[i] = row[j]
			sum += cal[i][j]
			if !val.Known(i, j) {
				continue
			}
			hit := row[j] >= thresholds[j]
			if val.Truth[i][j] == 1 {
				pos++
				if hit {
					tp++
				}
			} else {
				neg++
				if hit {
					fp++
				}
			}
		}
		if prior != nil {
			r.Prevalence = append(r.Prevalence, prior.Prevalence[j])
		} else {
			r.Prevalence = append(r.Prevalence, sum/float64(val.Len()))
		}
		r.Positive = append(r.Positive, ratio(pos, pos+neg))
		r.TPR = append(r.TPR, ratio(tp, pos))
		r.FPR = append(r.FPR, ratio(fp, neg))
		r.Scores = append(r.Scores, quantiles(col))
	}
	r.MeanIfPositive, r.MeanIfNegative = conditionalMeans(val, cal, r.Prevalence)
	return r, nil
}

// conditionalMeans returns, for each pair of labels j, k, label k's mean
// calibrated probability cal over the images where j is a known positive
// and over those where it is a known negative; prevalence[k] where there
// are none.
func conditionalMeans(val infer.Set, cal [][]float64, prevalence []float64) (pos, neg [][]float64) {
	n := val.NumLabels()
	pos, neg = make([][]float64, n), make([][]float64, n)
	for j := range n {
		sumPos, sumNeg := make([]float64, n), make([]float64, n)
		var np, nn float64
		for i, row := range cal {
			if !val.Known(i, j) {
				continue
			}
			dst := sumNeg
			if val.Truth[i][j] == 1 {
				dst = sumPos
				np++
			} else {
				nn++
			}
			for k, p := range row {
				dst[k] += p
			}
		}
		pos[j], neg[j] = make([]float64, n), make([]float64, n)
		for k := range n {
			pos[j][k], neg[j][k] = prevalence[k], prevalence[k]
			if np > 0 {
				pos[j][k] = sumPos[k] / np
			}
			if nn > 0 {
				neg[j][k] = sumNeg[k] / nn
			}
		}
	}
	return pos, neg
}

// ratio returns a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// quantiles returns the Quantiles evenly spaced quantiles of xs.
func quantiles(xs []float64) []float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	out := make([]float64, Quantiles)
	for k := range out {
		out[k] = metrics.Quantile(s, float64(k)/float64(Quantiles-1))
	}
	return out
}

// Check reports whether the reference fits n labels.
func (r *Reference) Check(n int) error {
	if r.Images < 1 {
		return fmt.Errorf("shift: reference made from %d images", r.Images)
	}
	if r.Calibration == nil {
		return fmt.Errorf("shift: reference has no calibration")
	}
	if err := r.Calibration.Check(n); err != nil {
		return fmt.Errorf("shift: %w", err)
	}
	for name, l := range map[string]int{"prevalences": len(r.Prevalence), "thresholds": len(r.Thresholds),
		"positive rates": len(r.Positive), "TPR": len(r.TPR), "FPR": len(r.FPR), "score distributions": len(r.Scores)} {
		if l != n {
			return fmt.Errorf("shift: reference has %d %s for %d labels", l, name, n)
		}
	}
	for j, p := range r.Prevalence {
		if !(p > 0 && p < 1) {
			return fmt.Errorf("shift: reference prevalence %v of label %d is outside (0, 1)", p, j)
		}
	}
	if (r.MeanIfPositive == nil) != (r.MeanIfNegative == nil) {
		return fmt.Errorf("shift: reference has one of its two conditional score tables")
	}
	for _, m := range [][][]float64{r.MeanIfPositive, r.MeanIfNegative} {
		if m == nil {
			continue
		}
		if len(m) != n {
			return fmt.Errorf("shift: reference has conditional scores for %d labels, not %d", len(m), n)
		}
		for _, row := range m {
			if len(row) != n {
				return fmt.Errorf("shift: reference has a conditional score row of %d labels, not %d", len(row), n)
			}
		}
	}
	return nil
}

// adjust moves a probability calibrated for prior π to prior q by the
// prior ratio: logit p' = logit p + logit q − logit π.
func adjust(p, prior, q float64) float64 {
	return infer.Sigmoid(decide.Logit(p) + decide.Logit(q) - decide.Logit(prior))
}

// emSteps is the number of bisection steps EM takes: the interval (0, 1)
// halves each step, far below any meaningful difference.
const emSteps = 64

// em estimates the prevalence of a label on a batch from its probabilities
// p, calibrated for prior: the fixed point of Saerens et al.'s EM, which
// alternates adjusting each probability to the current estimate q and
// taking q = (Σ adjusted + α·prior) / (n + α). The fixed point maximises the
// batch's likelihood with a Beta prior worth α = strength images centred on
// the training prior (0 for the plain maximum likelihood). The likelihood
// is concave in q, so the fixed point is found by bisection on its
// derivative, where EM's own steps can take thousands of iterations. rows,
// when not nil, lists the rows of p to use (with repeats, for the
// bootstrap). With a positive strength the estimate lies strictly inside
// (0, 1) and is not clamped further.
func em(p []float64, rows []int, prior, strength float64) float64 {
	n := len(p)
	if rows != nil {
		n = len(rows)
	}
	a, b := strength*prior, strength*(1-prior)
	// slope is the log-posterior's derivative at q, decreasing in q.
	slope := func(q float64) float64 {
		sum := a/q - b/(1-q)
		for k := 0; k < n; k++ {
			i := k
			if rows != nil {
				i = rows[k]
			}
			r, s := p[i]/prior, (1-p[i])/(1-prior)
			sum += (r - s) / (q*r + (1-q)*s)
		}
		return sum
	}
	lo, hi := 0.0, 1.0
	for step := 0; step < emSteps; step++ {
		mid := lo + (hi-lo)/2
		if slope(mid) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + (hi-lo)/2
}

// bbse estimates a label's prevalence from the fraction of a batch its
// rule predicts positive, hit, and the rule's validation hit rates on
// positives (tpr) and negatives (fpr): hit = π'·tpr + (1−π')·fpr. The
// estimate is clipped to [0, 1]; NaN unless tpr exceeds fpr (a rule that
// does not separate the classes says nothing).
func bbse(hit, tpr, fpr float64) float64 {
	d := tpr - fpr
	if !(d > 1e-12) {
		return math.NaN()
	}
	return math.Min(math.Max((hit-fpr)/d, 0), 1)
}
