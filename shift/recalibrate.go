package shift

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"mlabel/decide"
	"mlabel/metrics"
)

// MinImages is the smallest batch Recalibrate accepts by default: fewer
// images do not pin a prevalence down.
const MinImages = 100

// Options configure Recalibrate.
type Options struct {
	// MinImages is the smallest batch accepted; MinImages when 0.
	MinImages int
	// Bootstrap is the number of resamples of the batch for each
	// estimate's 90% interval (0 skips them); Seed seeds them.
	Bootstrap int
	Seed      uint64
	// PriorStrength is the weight, in images, of the Beta prior centred on
	// the training prevalence that EM's estimate maximises the likelihood
	// with (see EM). It keeps a label whose scores barely separate its
	// classes, and so whose likelihood is nearly flat, from running to 0
	// or 1, and moves a well-separated label's estimate by about
	// PriorStrength/(n+PriorStrength) of its shift.
	PriorStrength float64
	// Decide configures the threshold fit (beta, objective, minimum
	// positives); its Bootstrap is ignored.
	Decide decide.Options
}

// DefaultPriorStrength is the default Options.PriorStrength.
const DefaultPriorStrength = 20

// DefaultOptions draws 200 bootstrap resamples, gives the prior the weight
// of 20 images and fits thresholds for samples F2, as training does.
func DefaultOptions() Options {
	return Options{MinImages: MinImages, Bootstrap: 200, Seed: 1, PriorStrength: DefaultPriorStrength, Decide: decide.DefaultOptions()}
}

// Estimate is one label's prevalence on the batch.
type Estimate struct {
	// Train is the prevalence on validation (the reference's π).
	Train float64 `json:"train"`
	// Estimated is the EM estimate, the one the posteriors are shifted
	// to; Interval is its bootstrap 90% interval.
	Estimated float64   `json:"estimated"`
	Interval  []float64 `json:"interval"`
	// BBSE is the black-box shift estimate (NaN when the rule does not
	// separate the label's classes on validation).
	BBSE float64 `json:"bbse"`
	// MeanScore is the batch's mean calibrated probability, the naive
	// estimate (EM's first step).
	MeanScore float64 `json:"mean_score"`
	// Kept is set for a label whose rule did not separate its classes on
	// validation (a hit rate on positives no higher than on negatives: the
	// model has not learned it). Its calibrated probabilities carry no
	// evidence about its prevalence, so EM's estimate would follow noise:
	// it keeps the training prevalence, no interval, and its old threshold.
	Kept bool `json:"kept,omitempty"`
}

// Result is a recalibration: each label's estimated prevalence, the
// shifted posteriors, and the re-fitted rule.
type Result struct {
	Estimates []Estimate
	// Posteriors are the batch's calibrated probabilities shifted to the
	// estimated prevalences, [image][label].
	Posteriors [][]float64
	// Rules is the re-fitted per-class rule, deciding raw scores.
	Rules *decide.Rules
}

// Recalibrate estimates each label's prevalence on a batch of raw scores
// ([image][label]) against the reference, shifts the posteriors to them and
// re-fits per-class thresholds by expected F-beta on the shifted
// posteriors, treated as soft labels.
// A label expected to hold fewer than o.Decide.MinPositives times in the
// batch is shrunk toward its old threshold, old[j] (nil: the global one),
// and a label the model does not separate on validation keeps it (see
// Estimate.Kept).
func Recalibrate(ref *Reference, scores [][]float64, old []float64, o Options) (*Result, error) {
	if o.MinImages == 0 {
		o.MinImages = MinImages
	}
	if len(scores) < o.MinImages {
		return nil, fmt.Errorf("shift: a batch of %d images is too small to estimate prevalences from: at least %d are needed", len(scores), o.MinImages)
	}
	if o.Bootstrap < 0 || o.PriorStrength < 0 {
		return nil, fmt.Errorf("shift: negative bootstrap count %d or prior strength %v", o.Bootstrap, o.PriorStrength)
	}
	n := len(ref.Prevalence)
	if err := ref.Check(n); err != nil {
		return nil, err
	}
	for i, row := range scores {
		if len(row) != n {
			return nil, fmt.Errorf("shift: image %d has %d scores, the reference %d labels", i, len(row), n)
		}
		for j, s := range row {
			if !(s >= 0 && s <= 1) {
				return nil, fmt.Errorf("shift: score %v of image %d, label %d is outside [0, 1]", s, i, j)
			}
		}
	}
	cal := ref.Calibration.Apply(scores)
	res := &Result{Estimates: make([]Estimate, n), Posteriors: make([][]float64, len(scores))}
	col := make([]float64, len(scores))
	draws := resamples(len(scores), o.Bootstrap, o.Seed)
	for j := 0; j < n; j++ {
		prior := ref.Prevalence[j]
		hit, mean := 0.0, 0.0
		for i, row := range cal {
			col[i] = row[j]
			mean += row[j]
			if scores[i][j] >= ref.Thresholds[j] {
				hit++
			}
		}
		e := Estimate{Train: prior, MeanScore: mean / float64(len(scores)),
			BBSE: BBSE(hit/float64(len(scores)), ref.TPR[j], ref.FPR[j])}
		if !(ref.TPR[j] > ref.FPR[j]) {
			e.Estimated, e.Kept = prior, true
			res.Estimates[j] = e
			continue
		}
		e.Estimated = EM(col, nil, prior, o.PriorStrength)
		if len(draws) > 0 {
			qs := make([]float64, len(draws))
			for b, rows := range draws {
				qs[b] = EM(col, rows, prior, o.PriorStrength)
			}
			sort.Float64s(qs)
			e.Interval = []float64{metrics.Quantile(qs, 0.05), metrics.Quantile(qs, 0.95)}
		}
		res.Estimates[j] = e
	}
	for i, row := range cal {
		res.Posteriors[i] = make([]float64, n)
		for j, p := range row {
			res.Posteriors[i][j] = Adjust(p, ref.Prevalence[j], res.Estimates[j].Estimated)
		}
	}
	d := o.Decide
	d.Bootstrap = 0
	if old != nil && len(old) != n {
		return nil, fmt.Errorf("shift: %d old thresholds for %d labels", len(old), n)
	}
	r, err := decide.FitExpectedPerClass(scores, res.Posteriors, old, d)
	if err != nil {
		return nil, fmt.Errorf("shift: %w", err)
	}
	for j, e := range res.Estimates {
		if e.Kept {
			r.PerClass[j], r.Shrunk[j] = r.Global, true
			if old != nil {
				r.PerClass[j] = old[j]
			}
		}
	}
	res.Rules = r
	return res, nil
}

// resamples draws b bootstrap resamples of n rows.
func resamples(n, b int, seed uint64) [][]int {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	out := make([][]int, b)
	for k := range out {
		out[k] = make([]int, n)
		for i := range out[k] {
			out[k][i] = rng.IntN(n)
		}
	}
	return out
}

// Batch describes the images a recalibration was estimated on.
type Batch struct {
	// Source is where the images came from, as given.
	Source string `json:"source"`
	// Images counts the images scored; Skipped those that could not be
	// read.
	Images  int `json:"images"`
	Skipped int `json:"skipped,omitempty"`
	// SHA256 is the SHA-256 of the scored images' content hashes, sorted
	// and one per line: it names the batch whatever its file names.
	SHA256 string `json:"sha256,omitempty"`
}

// Record is a recalibration as a bundle keeps it.
type Record struct {
	Created time.Time `json:"created"`
	Batch   Batch     `json:"batch"`
	// Labels names the columns of the slices below.
	Labels []string `json:"labels"`
	// Train and Estimated are each label's validation and estimated
	// prevalences, Low and High the estimate's bootstrap 90% interval.
	Train     []float64 `json:"train_prevalence"`
	Estimated []float64 `json:"estimated_prevalence"`
	Low       []float64 `json:"interval_low,omitempty"`
	High      []float64 `json:"interval_high,omitempty"`
	// Old and New are the thresholds before and after.
	Old []float64 `json:"old_thresholds"`
	New []float64 `json:"new_thresholds"`
}

// NewRecord records res, which replaced thresholds old, for a batch.
func NewRecord(res *Result, labels []string, old []float64, batch Batch, now time.Time) Record {
	r := Record{Created: now.UTC(), Batch: batch, Labels: labels, Old: old, New: res.Rules.Thresholds()}
	for _, e := range res.Estimates {
		r.Train = append(r.Train, e.Train)
		r.Estimated = append(r.Estimated, e.Estimated)
		if len(e.Interval) == 2 {
			r.Low = append(r.Low, e.Interval[0])
			r.High = append(r.High, e.Interval[1])
		}
	}
	return r
}

// Moved reports whether the estimate's interval excludes the training
// prevalence by more than EM's precision: the batch's prevalence differs
// from validation's. Without an interval it reports an estimate more than
// 0.05 away.
func (e Estimate) Moved() bool {
	if len(e.Interval) != 2 {
		return math.Abs(e.Estimated-e.Train) > 0.05
	}
	const tol = 1e-9 // far above EM's precision
	return e.Train < e.Interval[0]-tol || e.Train > e.Interval[1]+tol
}
