package shift

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"mlabel/decide"
	"mlabel/infer"
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
	// Guard keeps a label's threshold unless the batch shows evidence that
	// its prevalence moved and EM's and BBSE's estimates of it agree (see
	// Guard). It needs the bootstrap intervals and does nothing without
	// them.
	Guard bool
	// Method is how the thresholds of the labels not kept move; Nearer
	// when empty.
	Method Method
}

// Method is how Recalibrate moves a label's threshold.
type Method string

const (
	// Mapped moves the old threshold by the estimated prior shift, so that
	// it stands at the same calibrated posterior after the shift as before
	// (Reference.MapThreshold). It keeps what the validation fit chose and
	// relies on the calibration only near the threshold.
	Mapped Method = "mapped"
	// Expected re-fits the threshold by expected F-beta on the shifted
	// posteriors, treated as soft labels. It relies on the calibration
	// over the whole score range.
	Expected Method = "expected"
	// Nearer takes, of Mapped's and Expected's thresholds, the one nearer
	// the old threshold, and keeps the old one where they move it in
	// opposite directions. The two rest on different parts of a
	// calibration fitted on a few dozen held-out images: mapping on its
	// slope at the old threshold, the re-fit on the shifted posteriors
	// down to the lowest scores. Where the calibration is off, either can
	// overshoot, and on Planet chips each did where the other did not
	// (mapping when a prevalence fell, the re-fit when one rose). The
	// smaller move is the one both support.
	Nearer Method = "nearer"
)

// DefaultPriorStrength is the default Options.PriorStrength.
const DefaultPriorStrength = 20

// DefaultOptions draws 200 bootstrap resamples, gives the prior the weight
// of 20 images, guards the estimates, fits thresholds for samples F2, as
// training does, and moves them by the nearer of the mapped and re-fitted
// thresholds.
func DefaultOptions() Options {
	return Options{MinImages: MinImages, Bootstrap: 200, Seed: 1, PriorStrength: DefaultPriorStrength, Decide: decide.DefaultOptions(), Guard: true, Method: Nearer}
}

// Why a label's threshold was kept (Estimate.Reason).
const (
	// KeptUnlearned: the rule does not separate the label's classes on
	// validation, so its probabilities carry no evidence about its
	// prevalence.
	KeptUnlearned = "not separated on validation"
	// KeptWeak: the reference does not prove that the model separates the
	// label's classes (see Reference.Separated): EM's estimate amplifies
	// any change of its scores by the inverse of a separation that may be
	// near zero, so it cannot tell a label shift from a small change in
	// how the label's images look.
	KeptWeak = "separation not proven on validation"
	// KeptNoShift: the batch's estimate is within sampling error of the
	// validation prevalence.
	KeptNoShift = "no evidence of shift"
	// KeptDisagree: EM and BBSE estimate different prevalences beyond
	// their errors, so at least one of them is wrong (a calibration that
	// does not hold on the batch, or a shift that is not a label shift).
	KeptDisagree = "EM and BBSE disagree"
	// KeptExplained: the label's scores moved as the shift of a label that
	// moved more would move them (through the labels' co-occurrence, or
	// the model's confusion of the two, on validation): its own change is
	// not a label shift the prior ratio corrects.
	KeptExplained = "explained by another label's shift"
)

// z90 is the standard normal quantile of 0.95: a two-sided 90% interval
// spans ±z90 standard errors, as the bootstrap intervals do.
const z90 = 1.6448536269514722

// guard decides whether a label's EM estimate q, with its bootstrap
// interval on a batch of n images, may move its threshold; it returns ""
// when it may, or the reason (KeptNoShift, KeptDisagree) to keep it. Both
// tests are two-sample tests that count the error of the reference as well
// as the batch's: the first at critical value z, the second at the 10%
// level. The reference's prevalence π is EM's fixed point on its n_val =
// ref.Images images (the calibration is fitted there; with a counted prior,
// see NewReferenceAt, the calibration is moved to it, and only its shape
// comes from those images), so it is taken as the same estimator on n_val
// images, with standard error se_π = se_q·√(n/n_val): the batch's error
// scaled to the reference's size, which the bootstrap over the batch does
// not see. It is large for a label the model separates poorly, whose EM
// estimate amplifies every fluctuation of the scores, and for a small
// reference; with a counted prior it overstates the prior's error and
// stands for the calibration's.
//
//   - No evidence of shift: |q − π| ≤ z·√(se_q² + se_π²), with se_q read
//     from the side of the interval that faces π.
//   - Disagreement: |q − q_BBSE| > z90·√(se_q² + se_π² + se_BBSE²), where
//     se_BBSE is BBSE's delta-method error from the batch's hit rate and
//     the validation TPR and FPR (binomial on the validation positives and
//     negatives). The mean calibrated score is not a cross-check: under a
//     label shift it lies between π and the new prevalence by design.
//
// z is the critical value of the first test: z90 for one label alone;
// Recalibrate tests every label of a batch together (see holmZ).
func guard(ref *Reference, j int, e Estimate, batch int, z float64) string {
	if len(e.Interval) != 2 {
		return ""
	}
	pi, q := e.Train, e.Estimated
	seQ, seRef := shiftErrors(ref, e, batch)
	if math.Abs(q-pi) <= z*math.Hypot(seQ, seRef) {
		return KeptNoShift
	}
	if math.IsNaN(e.BBSE) {
		return ""
	}
	t, f := ref.TPR[j], ref.FPR[j]
	pos := ref.Positive[j] * float64(ref.Images)
	neg := float64(ref.Images) - pos
	d := t - f
	b := e.BBSE
	hit := b*t + (1-b)*f
	v := hit * (1 - hit) / float64(batch)
	if pos > 0 {
		v += b * b * t * (1 - t) / pos
	}
	if neg > 0 {
		v += (1 - b) * (1 - b) * f * (1 - f) / neg
	}
	seB := math.Sqrt(v) / d
	if math.Abs(q-b) > z90*math.Sqrt(seQ*seQ+seRef*seRef+seB*seB) {
		return KeptDisagree
	}
	return ""
}

// shiftErrors returns the standard errors of e's estimate on the batch
// and of the reference's prevalence (see guard).
func shiftErrors(ref *Reference, e Estimate, batch int) (seQ, seRef float64) {
	pi, q := e.Train, e.Estimated
	side := q - e.Interval[0]
	if pi > q {
		side = e.Interval[1] - q
	}
	seQ = math.Max(side, 0) / z90
	return seQ, seQ * math.Sqrt(float64(batch)/float64(ref.Images))
}

// shiftZ returns e's move from the reference's prevalence in standard
// errors, |q − π| / √(se_q² + se_π²) (see guard), or 0 without an interval.
func shiftZ(ref *Reference, e Estimate, batch int) float64 {
	if len(e.Interval) != 2 {
		return 0
	}
	seQ, seRef := shiftErrors(ref, e, batch)
	return math.Abs(e.Estimated-e.Train) / math.Max(math.Hypot(seQ, seRef), 1e-12)
}

// guardLevel is the guard's family-wise error rate: the probability, on a
// batch without shift, that any label's threshold moves.
const guardLevel = 0.10

// holmZ returns the critical value Holm's step-down procedure gives the
// label ranked rank (from 0, the largest move) of m tested together at
// the family-wise level guardLevel: the two-sided normal quantile at
// level guardLevel/(m − rank).
func holmZ(rank, m int) float64 {
	return math.Sqrt2 * math.Erfinv(1-guardLevel/float64(m-rank))
}

// guardAll applies guard to every estimate not yet kept, testing "no
// evidence of shift" for all of them together by Holm's step-down
// procedure: a batch drawn from the reference's own population moves no
// label's threshold in 90% of batches, however many labels the model
// has, where a 10% test per label would move one or two of 17. The
// labels are taken from the largest move in standard errors down; each
// must clear its Holm critical value, and the first that does not keeps
// its threshold with every smaller move after it.
func guardAll(ref *Reference, est []Estimate, batch int) {
	var order []int
	z := make([]float64, len(est))
	for j, e := range est {
		if e.Kept || len(e.Interval) != 2 {
			continue
		}
		z[j] = shiftZ(ref, e, batch)
		order = append(order, j)
	}
	sort.SliceStable(order, func(a, b int) bool { return z[order[a]] > z[order[b]] })
	stopped := false
	for rank, j := range order {
		crit := holmZ(rank, len(order))
		if stopped || z[j] <= crit {
			stopped = true
			est[j].Kept, est[j].Reason = true, KeptNoShift
			continue
		}
		if why := guard(ref, j, est[j], batch, crit); why != "" {
			est[j].Kept, est[j].Reason = true, why
		}
	}
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
	// Kept is set for a label whose threshold is kept, its posteriors not
	// shifted; Reason says why. A label whose rule did not separate its
	// classes on validation (a hit rate on positives no higher than on
	// negatives: the model has not learned it, KeptUnlearned) has
	// probabilities that carry no evidence about its prevalence, so EM's
	// estimate would follow noise: its Estimated is the training
	// prevalence, with no interval. A label the guard keeps (KeptNoShift,
	// KeptDisagree) reports EM's estimate and interval.
	Kept   bool   `json:"kept,omitempty"`
	Reason string `json:"reason,omitempty"`
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
// moves the per-class thresholds: by the prior shift (o.Method Mapped),
// re-fitted by expected F-beta on the shifted posteriors, treated as soft
// labels (Expected), or the nearer of the two to the old threshold (Nearer,
// the default). With o.Guard, a label whose estimate shows no shift,
// disagrees with BBSE or moved as another label's shift predicts keeps its
// threshold and its unshifted posteriors, and the others are fitted around
// it.
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
	if o.Method == "" {
		o.Method = Nearer
	}
	if o.Method != Mapped && o.Method != Expected && o.Method != Nearer {
		return nil, fmt.Errorf("shift: unknown recalibration method %q (nearer, mapped or expected)", o.Method)
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
			BBSE: bbse(hit/float64(len(scores)), ref.TPR[j], ref.FPR[j])}
		if !(ref.TPR[j] > ref.FPR[j]) {
			e.Estimated, e.Kept, e.Reason = prior, true, KeptUnlearned
			res.Estimates[j] = e
			continue
		}
		e.Estimated = em(col, nil, prior, o.PriorStrength)
		if len(draws) > 0 {
			qs := make([]float64, len(draws))
			for b, rows := range draws {
				qs[b] = em(col, rows, prior, o.PriorStrength)
			}
			sort.Float64s(qs)
			e.Interval = []float64{metrics.Quantile(qs, 0.05), metrics.Quantile(qs, 0.95)}
		}
		res.Estimates[j] = e
	}
	if o.Guard {
		for j := range res.Estimates {
			if e := &res.Estimates[j]; !e.Kept && !ref.Separated(j) {
				e.Kept, e.Reason = true, KeptWeak
			}
		}
		guardAll(ref, res.Estimates, len(scores))
		explainShifts(ref, res.Estimates)
	}
	for i, row := range cal {
		res.Posteriors[i] = make([]float64, n)
		for j, p := range row {
			if e := res.Estimates[j]; !e.Kept {
				p = adjust(p, ref.Prevalence[j], e.Estimated)
			}
			res.Posteriors[i][j] = p
		}
	}
	d := o.Decide
	d.Bootstrap = 0
	if old != nil && len(old) != n {
		return nil, fmt.Errorf("shift: %d old thresholds for %d labels", len(old), n)
	}
	hold := make([]bool, n)
	for j, e := range res.Estimates {
		hold[j] = e.Kept
	}
	r, err := decide.FitExpectedPerClassHolding(scores, res.Posteriors, old, hold, d)
	if err != nil {
		return nil, fmt.Errorf("shift: %w", err)
	}
	if o.Method != Expected {
		from := old
		if from == nil {
			from = ref.Thresholds
		}
		for j, e := range res.Estimates {
			fitted := r.PerClass[j]
			r.PerClass[j], r.Shrunk[j] = from[j], false
			if e.Kept {
				continue
			}
			mapped := ref.MapThreshold(j, from[j], e.Estimated)
			r.PerClass[j] = mapped
			if o.Method == Nearer {
				r.PerClass[j] = nearer(from[j], mapped, fitted)
			}
		}
	}
	res.Rules = r
	return res, nil
}

// nearer returns, of thresholds a and b that move t, the one nearer t,
// or t where they move it in opposite directions.
func nearer(t, a, b float64) float64 {
	if (a-t)*(b-t) < 0 {
		return t
	}
	if math.Abs(a-t) <= math.Abs(b-t) {
		return a
	}
	return b
}

// explainShifts keeps the labels whose batch scores moved as another
// label's shift predicts. Resampling a batch for one label moves the
// labels that go with it, and the scores of labels the model confuses with
// it, without moving their images given their own label: the prior ratio
// does not describe them, and their thresholds do better left alone. The
// labels are taken from the most significant shift (|q − π| over its
// standard error) down; each label the guard lets move is kept unless no
// label taken before it explains at least half of the move of its mean
// calibrated score m_k from the reference's π_k: |m_k − m̂_k| ≤ |m_k − π_k|/2
// with m̂_k = MeanIfPositive[j][k]·q_j + MeanIfNegative[j][k]·(1 − q_j) for
// an explaining label j. Any label taken before may explain, one the guard
// keeps or one itself explained included: a shift that co-occurrence
// explains still moves the scores of the labels that go with it (more
// road brings more agriculture and more habitation, and agriculture, the
// more significant, cannot explain habitation's rise where road can).
func explainShifts(ref *Reference, est []Estimate) {
	if ref.MeanIfPositive == nil {
		return
	}
	var order []int
	sig := make([]float64, len(est))
	for j, e := range est {
		if e.Reason == KeptUnlearned || e.Reason == KeptWeak || len(e.Interval) != 2 {
			continue
		}
		se := (e.Interval[1] - e.Interval[0]) / (2 * z90)
		sig[j] = math.Abs(e.Estimated-e.Train) / math.Max(se, 1e-9)
		order = append(order, j)
	}
	sort.SliceStable(order, func(a, b int) bool { return sig[order[a]] > sig[order[b]] })
	for pos, k := range order {
		if est[k].Kept {
			continue
		}
		m, moved := est[k].MeanScore, math.Abs(est[k].MeanScore-ref.Prevalence[k])
		for _, j := range order[:pos] {
			q := est[j].Estimated
			pred := ref.MeanIfPositive[j][k]*q + ref.MeanIfNegative[j][k]*(1-q)
			if math.Abs(m-pred) <= moved/2 {
				est[k].Kept, est[k].Reason = true, KeptExplained
				break
			}
		}
	}
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
	// Kept gives, for each label whose threshold was kept, the reason
	// (Estimate.Reason), and "" for the others; empty when none was kept.
	Kept []string `json:"kept,omitempty"`
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
	for j, e := range res.Estimates {
		if e.Kept {
			if r.Kept == nil {
				r.Kept = make([]string, len(res.Estimates))
			}
			r.Kept[j] = e.Reason
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

// separationZ is the one-sided critical value of Separated's test, at the
// guard's level.
var separationZ = math.Sqrt2 * math.Erfinv(1-2*guardLevel)

// Separated reports whether the reference proves, at the guard's 10%
// level, that the model separates label j: its positives' mean calibrated
// probability P exceeds its negatives' N by more than separationZ standard
// errors, √(P(1−P)/n₊ + N(1−N)/n₋), with n₊ and n₋ the reference's known
// positives and negatives. P(1−P) is the largest variance a probability
// with mean P can have, so the test never claims more than the reference
// shows. Under a label shift the batch's mean probability moves by
// (q − π)·(P − N): where P − N is near zero, EM turns a move of the mean
// of a few hundredths (a label that comes with a shifted one, whose images
// look a little different) into a prevalence several times the true one.
// A reference without conditional scores reports true.
func (r *Reference) Separated(j int) bool {
	if r.MeanIfPositive == nil {
		return true
	}
	p, n := r.MeanIfPositive[j][j], r.MeanIfNegative[j][j]
	pos := r.Positive[j] * float64(r.Images)
	neg := float64(r.Images) - pos
	if pos < 1 || neg < 1 {
		return false
	}
	se := math.Sqrt(p*(1-p)/pos + n*(1-n)/neg)
	return p-n > separationZ*se
}

// MapThreshold moves label j's threshold t (on raw scores) by the prior
// shift from the reference's prevalence to q: the new threshold's shifted,
// calibrated posterior equals the old threshold's calibrated posterior.
// With Platt calibration σ(A·logit s + B) and the shift logit p′ = logit p
// + logit q − logit π, that is logit t′ = logit t − (logit q − logit π)/A.
// A label whose calibration does not increase with the score keeps t.
func (r *Reference) MapThreshold(j int, t, q float64) float64 {
	a := 1.0
	if r.Calibration != nil && j < len(r.Calibration.A) {
		a = r.Calibration.A[j]
	}
	if !(a > 0) {
		return t
	}
	return infer.Sigmoid(decide.Logit(t) - (decide.Logit(q)-decide.Logit(r.Prevalence[j]))/a)
}
