package shift

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"mlabel/decide"
	"mlabel/infer"
	"mlabel/metrics"
)

// pool is a scored set of n images where each label j's evidence x is
// N(+sep[j], 1) for positives and N(−sep[j], 1) for negatives, each label
// positive with probability ½ independently,
// and the raw score is σ(x): a score that is not calibrated for any prior,
// as a network's often is not.
func pool(n int, sep []float64, seed uint64) (scores, truth [][]float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := 0; i < n; i++ {
		s, t := make([]float64, len(sep)), make([]float64, len(sep))
		for j, m := range sep {
			y := float64(rng.IntN(2))
			x := rng.NormFloat64() + (2*y-1)*m
			s[j], t[j] = infer.Sigmoid(x), y
		}
		scores, truth = append(scores, s), append(truth, t)
	}
	return scores, truth
}

// resample draws n rows of a pool (with replacement) so that each label j
// is positive with probability prev[j] independently: a batch whose true
// prevalences are known while every label's class-conditional score
// distribution stays that of the pool (a pure label shift).
func resample(scores, truth [][]float64, prev []float64, n int, seed uint64) infer.Set {
	rng := rand.New(rand.NewPCG(seed, 11))
	// Index the pool by its label pattern.
	byKey := map[int][]int{}
	for i, row := range truth {
		key := 0
		for j, v := range row {
			if v == 1 {
				key |= 1 << j
			}
		}
		byKey[key] = append(byKey[key], i)
	}
	var out infer.Set
	for len(out.Scores) < n {
		key := 0
		for j, p := range prev {
			if rng.Float64() < p {
				key |= 1 << j
			}
		}
		rows := byKey[key]
		i := rows[rng.IntN(len(rows))]
		out.Scores = append(out.Scores, scores[i])
		out.Truth = append(out.Truth, truth[i])
	}
	return out
}

var (
	sep       = []float64{1.5, 1.5, 1.2}
	trainPrev = []float64{0.2, 0.3, 0.4}
)

// fixture returns a validation set at trainPrev, its per-class rule and
// reference, and the pool to draw shifted batches from.
func fixture(t *testing.T) (infer.Set, *decide.Rules, *Reference, [][]float64, [][]float64) {
	t.Helper()
	scores, truth := pool(40000, sep, 1)
	val := resample(scores, truth, trainPrev, 4000, 2)
	rules, err := decide.FitPerClass(val, decide.Options{Beta: 2, Objective: decide.SamplesF, MinPositives: 5})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := NewReference(val, rules.Thresholds())
	if err != nil {
		t.Fatal(err)
	}
	return val, rules, ref, scores, truth
}

func TestReference(t *testing.T) {
	val, rules, ref, _, _ := fixture(t)
	if err := ref.Check(3); err != nil {
		t.Fatal(err)
	}
	if ref.Images != 4000 || len(ref.Scores[0]) != Quantiles {
		t.Fatalf("reference of %d images, %d quantiles", ref.Images, len(ref.Scores[0]))
	}
	pos := val.Positives()
	for j := range trainPrev {
		rate := float64(pos[j]) / 4000
		if math.Abs(ref.Positive[j]-rate) > 1e-12 || math.Abs(ref.Prevalence[j]-rate) > 0.005 {
			t.Errorf("label %d: prevalence %v, positive rate %v; the set's rate is %v", j, ref.Prevalence[j], ref.Positive[j], rate)
		}
		// Platt on logit σ(x) = x recovers the exact posterior's slope 2·sep.
		if a := ref.Calibration.A[j]; math.Abs(a-2*sep[j]) > 0.2 {
			t.Errorf("label %d: calibration slope %v, want about %v", j, a, 2*sep[j])
		}
		if !(ref.TPR[j] > ref.FPR[j]) || ref.Thresholds[j] != rules.PerClass[j] {
			t.Errorf("label %d: TPR %v, FPR %v, threshold %v", j, ref.TPR[j], ref.FPR[j], ref.Thresholds[j])
		}
		if q := ref.Scores[j]; q[0] > q[50] || q[50] > q[100] {
			t.Errorf("label %d: quantiles not ascending: %v %v %v", j, q[0], q[50], q[100])
		}
	}
	// EM on the validation set itself stays at its prior.
	cal := ref.Calibration.Apply(val.Scores)
	for j := range trainPrev {
		col := make([]float64, len(cal))
		for i := range cal {
			col[i] = cal[i][j]
		}
		for _, strength := range []float64{0, DefaultPriorStrength} {
			if q := em(col, nil, ref.Prevalence[j], strength); math.Abs(q-ref.Prevalence[j]) > 1e-6 {
				t.Errorf("label %d, prior strength %v: EM on validation moved from %v to %v", j, strength, ref.Prevalence[j], q)
			}
		}
	}
}

// A known shift: EM recovers each label's new prevalence, the interval
// covers it, the thresholds move the way the prevalence moved, and
// samples-F2 on the batch does not drop.
func TestRecalibrateRecoversShift(t *testing.T) {
	_, rules, ref, scores, truth := fixture(t)
	for _, tc := range []struct {
		name string
		prev []float64
	}{
		{"first up to 0.6, third down to 0.1", []float64{0.6, 0.3, 0.1}},
		{"first halved, third up", []float64{0.1, 0.3, 0.8}},
		{"no shift", trainPrev},
	} {
		t.Run(tc.name, func(t *testing.T) {
			batch := resample(scores, truth, tc.prev, 400, 3)
			o := DefaultOptions()
			res, err := Recalibrate(ref, batch.Scores, rules.Thresholds(), o)
			if err != nil {
				t.Fatal(err)
			}
			actual := make([]float64, 3)
			for _, row := range batch.Truth {
				for j, v := range row {
					actual[j] += v / 400
				}
			}
			old, nw := rules.Thresholds(), res.Rules.Thresholds()
			for j, e := range res.Estimates {
				if math.Abs(e.Estimated-actual[j]) > 0.06 {
					t.Errorf("label %d: EM estimate %.3f, true prevalence %.3f", j, e.Estimated, actual[j])
				}
				if math.Abs(e.BBSE-actual[j]) > 0.1 {
					t.Errorf("label %d: BBSE estimate %.3f, true prevalence %.3f", j, e.BBSE, actual[j])
				}
				if e.Interval[0] > actual[j]+0.02 || e.Interval[1] < actual[j]-0.02 || e.Interval[0] >= e.Interval[1] {
					t.Errorf("label %d: interval %v misses the true prevalence %.3f", j, e.Interval, actual[j])
				}
				switch d := tc.prev[j] - trainPrev[j]; {
				case d > 0.1 && !(nw[j] < old[j]):
					t.Errorf("label %d: prevalence up, threshold %.3f → %.3f", j, old[j], nw[j])
				case d < -0.1 && !(nw[j] > old[j]):
					t.Errorf("label %d: prevalence down, threshold %.3f → %.3f", j, old[j], nw[j])
				}
			}
			fOld := samplesF2(t, batch, old)
			fNew := samplesF2(t, batch, nw)
			if fNew < fOld-0.01 {
				t.Errorf("samples F2 %.4f with the recalibrated thresholds, %.4f with the old", fNew, fOld)
			}
			t.Logf("estimates %+v; F2 %.4f → %.4f", res.Estimates, fOld, fNew)
		})
	}
}

func samplesF2(t *testing.T, s infer.Set, thr []float64) float64 {
	t.Helper()
	r := &decide.Rules{Kind: decide.PerClass, Labels: len(thr), PerClass: thr}
	f, err := metrics.ScorePRF(s.Truth, r.Apply(s.Scores), nil, metrics.Samples, metrics.Options{Beta: 2})
	if err != nil {
		t.Fatal(err)
	}
	return f.F
}

func TestAdjustAndBBSE(t *testing.T) {
	for _, tc := range []struct {
		p, prior, q, want float64
	}{
		{0.3, 0.2, 0.2, 0.3},
		{0.5, 0.5, 0.8, 0.8},
		{0.5, 0.8, 0.5, 0.2},
		{0.9, 0.5, 0.5, 0.9},
	} {
		if got := adjust(tc.p, tc.prior, tc.q); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Adjust(%v, %v, %v) = %v, want %v", tc.p, tc.prior, tc.q, got, tc.want)
		}
	}
	for _, tc := range []struct {
		hit, tpr, fpr, want float64
	}{
		{0.5, 0.9, 0.1, 0.5},
		{0.1, 0.9, 0.1, 0},
		{0.05, 0.9, 0.1, 0}, // clipped
		{0.95, 0.9, 0.1, 1}, // clipped
		{0.3, 0.5, 0.5, math.NaN()},
		{0.3, 0.2, 0.5, math.NaN()},
	} {
		got := bbse(tc.hit, tc.tpr, tc.fpr)
		if !(math.Abs(got-tc.want) < 1e-12 || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("BBSE(%v, %v, %v) = %v, want %v", tc.hit, tc.tpr, tc.fpr, got, tc.want)
		}
	}
}

func TestRecalibrateBadInput(t *testing.T) {
	_, _, ref, scores, truth := fixture(t)
	batch := resample(scores, truth, trainPrev, 150, 4).Scores
	wide := [][]float64{}
	for _, row := range batch {
		wide = append(wide, append(append([]float64(nil), row...), 0.5))
	}
	nan := append([][]float64{{math.NaN(), 0.5, 0.5}}, batch...)
	broken := *ref
	broken.TPR = broken.TPR[:2]
	for _, tc := range []struct {
		name   string
		ref    *Reference
		scores [][]float64
		o      Options
		want   string
	}{
		{"empty batch", ref, nil, DefaultOptions(), "0 images is too small"},
		{"99 images", ref, batch[:99], DefaultOptions(), "99 images is too small"},
		{"above a raised minimum", ref, batch, Options{MinImages: 200}, "at least 200"},
		{"too many labels", ref, wide, DefaultOptions(), "4 scores, the reference 3 labels"},
		{"NaN score", ref, nan, DefaultOptions(), "outside [0, 1]"},
		{"damaged reference", &broken, batch, DefaultOptions(), "2 TPR for 3 labels"},
		{"bad beta", ref, batch, Options{Decide: decide.Options{Beta: 0}}, "beta"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Recalibrate(tc.ref, tc.scores, nil, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := NewReference(infer.Set{}, nil); err == nil {
		t.Error("a reference of an empty set: no error")
	}
	val := resample(scores, truth, trainPrev, 200, 5)
	if _, err := NewReference(val, []float64{0.5}); err == nil || !strings.Contains(err.Error(), "1 thresholds for 3 labels") {
		t.Errorf("a reference with too few thresholds: %v", err)
	}
}

func TestKS(t *testing.T) {
	uniform := make([]float64, Quantiles)
	for k := range uniform {
		uniform[k] = float64(k) / float64(Quantiles-1)
	}
	even := make([]float64, 1000)
	low := make([]float64, 1000)
	for i := range even {
		even[i] = (float64(i) + 0.5) / 1000
		low[i] = even[i] / 2
	}
	for _, tc := range []struct {
		name     string
		xs       []float64
		min, max float64
	}{
		{"same distribution", even, 0, 0.002},
		{"squeezed to the lower half", low, 0.499, 0.501},
		{"all above", []float64{2, 3}, 1, 1},
	} {
		if d := KS(uniform, tc.xs); d < tc.min || d > tc.max {
			t.Errorf("%s: KS %v, want in [%v, %v]", tc.name, d, tc.min, tc.max)
		}
	}
}

// A label shift moves the shifted label's scores and its prevalence
// estimate: no covariate warning. Scores that move with no prevalence
// change (every score squeezed toward 0.5) are flagged.
func TestCompareDrift(t *testing.T) {
	_, _, ref, scores, truth := fixture(t)
	batch := resample(scores, truth, []float64{0.6, 0.3, 0.4}, 400, 6)
	res, err := Recalibrate(ref, batch.Scores, nil, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	d, err := Compare(ref, batch.Scores, res.Estimates)
	if err != nil {
		t.Fatal(err)
	}
	if !d[0].ScoresMoved || !d[0].PrevalenceMoved || d[0].Covariate() {
		t.Errorf("label shift on label 0 read as %+v", d[0])
	}
	if d[1].ScoresMoved || d[1].Covariate() {
		t.Errorf("unshifted label 1 read as %+v", d[1])
	}
	// Label 2's images blur beyond recognition: every score falls to the
	// one whose calibrated probability is the prior. Its scores moved, its
	// prevalence estimate cannot.
	c := ref.Calibration
	flat := infer.Sigmoid((decide.Logit(ref.Prevalence[2]) - c.B[2]) / c.A[2])
	squeezed := make([][]float64, len(batch.Scores))
	for i, row := range batch.Scores {
		squeezed[i] = append([]float64(nil), row...)
		squeezed[i][2] = flat
	}
	res, err = Recalibrate(ref, squeezed, nil, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	d, err = Compare(ref, squeezed, res.Estimates)
	if err != nil {
		t.Fatal(err)
	}
	if !d[2].Covariate() {
		t.Errorf("squeezed scores of label 2 read as %+v (estimate %+v)", d[2], res.Estimates[2])
	}
	if _, err := Compare(ref, batch.Scores, res.Estimates[:1]); err == nil {
		t.Error("Compare accepted 1 estimate for 3 labels")
	}
}

// A label the rule does not separate on validation keeps its prevalence
// and threshold, whatever the batch's scores say.
func TestRecalibrateKeepsUnlearnedLabel(t *testing.T) {
	_, rules, ref, scores, truth := fixture(t)
	unlearned := *ref
	unlearned.TPR = append([]float64(nil), ref.TPR...)
	unlearned.TPR[0] = unlearned.FPR[0]
	batch := resample(scores, truth, []float64{0.6, 0.3, 0.1}, 400, 3)
	res, err := Recalibrate(&unlearned, batch.Scores, rules.Thresholds(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	e := res.Estimates[0]
	if !e.Kept || e.Estimated != ref.Prevalence[0] || e.Interval != nil || !math.IsNaN(e.BBSE) {
		t.Errorf("unlearned label's estimate %+v, want the training prevalence %v kept", e, ref.Prevalence[0])
	}
	if got := res.Rules.PerClass[0]; got != rules.PerClass[0] {
		t.Errorf("unlearned label's threshold %v, want the old %v", got, rules.PerClass[0])
	}
	if res.Estimates[2].Kept || math.Abs(res.Estimates[2].Estimated-0.1) > 0.06 {
		t.Errorf("learned label 2: %+v", res.Estimates[2])
	}
}

// The guard's two tests, on a reference of 100 validation images with a
// prevalence of 0.3 and a rule with TPR 0.8 and FPR 0.1.
func TestGuard(t *testing.T) {
	ref := &Reference{Images: 100, Positive: []float64{0.3}, TPR: []float64{0.8}, FPR: []float64{0.1}}
	for _, tc := range []struct {
		name string
		e    Estimate
		want string
	}{
		// se_q = 0.02/1.645 on the batch, twice that on the 4 times
		// smaller validation set: a move of 0.05 is 1.86 combined standard
		// errors, a move of 0.03 1.12.
		{"beyond both errors", Estimate{Train: 0.3, Estimated: 0.35, Interval: []float64{0.33, 0.37}, BBSE: 0.35}, ""},
		{"within the reference's error", Estimate{Train: 0.3, Estimated: 0.33, Interval: []float64{0.31, 0.35}, BBSE: 0.33}, KeptNoShift},
		{"within the batch's error", Estimate{Train: 0.3, Estimated: 0.42, Interval: []float64{0.25, 0.5}, BBSE: 0.42}, KeptNoShift},
		{"interval side facing the prior", Estimate{Train: 0.3, Estimated: 0.35, Interval: []float64{0.34, 0.6}, BBSE: 0.35}, ""},
		{"moved down", Estimate{Train: 0.3, Estimated: 0.1, Interval: []float64{0.08, 0.12}, BBSE: 0.12}, ""},
		{"moved, BBSE agrees", Estimate{Train: 0.3, Estimated: 0.6, Interval: []float64{0.57, 0.63}, BBSE: 0.55}, ""},
		{"moved, BBSE far off", Estimate{Train: 0.3, Estimated: 0.6, Interval: []float64{0.57, 0.63}, BBSE: 0.2}, KeptDisagree},
		{"moved, no BBSE", Estimate{Train: 0.3, Estimated: 0.6, Interval: []float64{0.57, 0.63}, BBSE: math.NaN()}, ""},
		{"no interval", Estimate{Train: 0.3, Estimated: 0.31, BBSE: 0.9}, ""},
	} {
		if got := guard(ref, 0, tc.e, 400, z90); got != tc.want {
			t.Errorf("%s: Guard = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// With the guard a batch without shift keeps every threshold, a shifted
// label still moves while an unshifted one keeps its threshold, and a label
// whose BBSE contradicts EM keeps its threshold; without the guard every
// label is re-fitted.
func TestRecalibrateGuard(t *testing.T) {
	_, rules, ref, scores, truth := fixture(t)
	// A reference whose rule for label 0 looks far weaker on validation
	// than it is: BBSE then reads the batch's hit rate as a much higher
	// prevalence than EM finds.
	weak := *ref
	weak.TPR = append([]float64(nil), ref.TPR...)
	weak.TPR[0] = ref.FPR[0] + 0.5*(ref.TPR[0]-ref.FPR[0])
	old := rules.Thresholds()
	for _, tc := range []struct {
		name  string
		ref   *Reference
		prev  []float64
		guard bool
		want  []string // each label's Reason; "-" for re-fitted
	}{
		{"no shift", ref, trainPrev, true, []string{KeptNoShift, KeptNoShift, KeptNoShift}},
		{"no shift, unguarded", ref, trainPrev, false, []string{"-", "-", "-"}},
		{"first label shifted", ref, []float64{0.6, 0.3, 0.4}, true, []string{"-", KeptNoShift, KeptNoShift}},
		{"first label's BBSE contradicts EM", &weak, []float64{0.6, 0.3, 0.4}, true, []string{KeptDisagree, KeptNoShift, KeptNoShift}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			batch := resample(scores, truth, tc.prev, 400, 5)
			o := DefaultOptions()
			o.Guard = tc.guard
			res, err := Recalibrate(tc.ref, batch.Scores, old, o)
			if err != nil {
				t.Fatal(err)
			}
			nw := res.Rules.Thresholds()
			for j, e := range res.Estimates {
				got := e.Reason
				if !e.Kept {
					got = "-"
				}
				if got != tc.want[j] || e.Kept != (e.Reason != "") {
					t.Errorf("label %d: kept %v, reason %q; want %q (estimate %+v)", j, e.Kept, e.Reason, tc.want[j], e)
				}
				if e.Kept && nw[j] != old[j] {
					t.Errorf("label %d kept, but its threshold moved %.3f → %.3f", j, old[j], nw[j])
				}
				if e.Kept && res.Posteriors[0][j] != ref.Calibration.Apply(batch.Scores[:1])[0][j] {
					t.Errorf("label %d kept, but its posteriors were shifted", j)
				}
			}
			if !tc.guard && slices.Equal(nw, old) {
				t.Errorf("unguarded recalibration kept every threshold %v", nw)
			}
			if tc.want[0] == "-" && !(nw[0] < old[0]) {
				t.Errorf("shifted label 0's threshold %.3f → %.3f, want lower", old[0], nw[0])
			}
			rec := NewRecord(res, []string{"a", "b", "c"}, old, Batch{}, time.Time{})
			for j, e := range res.Estimates {
				if (rec.Kept != nil && rec.Kept[j] != e.Reason) || (rec.Kept == nil && e.Kept) {
					t.Errorf("record's kept reasons %q, estimate %d's %q", rec.Kept, j, e.Reason)
				}
			}
		})
	}
}

// A label whose scores rise with another label's presence (a model that
// confuses the two) seems to shift when only the other does; the guard
// keeps it, as explained by the other's shift, and still re-fits it when it
// truly shifts too.
func TestRecalibrateExplainedShift(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	var scores, truth [][]float64
	for range 40000 {
		y0, y1 := float64(rng.IntN(2)), float64(rng.IntN(2))
		x0 := rng.NormFloat64() + (2*y0-1)*1.5
		x1 := rng.NormFloat64() + (2*y1-1)*1.5 + 0.5*y0 // label 1 looks like label 0
		scores = append(scores, []float64{infer.Sigmoid(x0), infer.Sigmoid(x1)})
		truth = append(truth, []float64{y0, y1})
	}
	val := resample(scores, truth, []float64{0.2, 0.3}, 4000, 2)
	rules, err := decide.FitPerClass(val, decide.Options{Beta: 2, Objective: decide.SamplesF, MinPositives: 5})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := NewReference(val, rules.Thresholds())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		prev []float64
		want []string
	}{
		{"only label 0 shifted", []float64{0.6, 0.3}, []string{"-", KeptExplained}},
		{"both shifted", []float64{0.6, 0.75}, []string{"-", "-"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			batch := resample(scores, truth, tc.prev, 400, 5)
			res, err := Recalibrate(ref, batch.Scores, rules.Thresholds(), DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			for j, e := range res.Estimates {
				got := e.Reason
				if !e.Kept {
					got = "-"
				}
				if got != tc.want[j] {
					t.Errorf("label %d: kept %v, reason %q; want %q (estimate %+v)", j, e.Kept, e.Reason, tc.want[j], e)
				}
			}
		})
	}
	// Without the conditional scores (an older reference) nothing is
	// explained.
	old := *ref
	old.MeanIfPositive, old.MeanIfNegative = nil, nil
	res, err := Recalibrate(&old, resample(scores, truth, []float64{0.6, 0.3}, 400, 5).Scores, rules.Thresholds(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if res.Estimates[1].Reason == KeptExplained {
		t.Error("a reference without conditional scores explained a shift")
	}
}

// Separated proves a separation only where the gap between the positives'
// and the negatives' mean probabilities exceeds what the reference's
// counts allow by chance: a poorly separated label on a few dozen images
// (cultivation on 68 Planet chips: 0.04 apart with 8 positives) is not.
func TestSeparated(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pos, neg float64 // mean probabilities of positives and negatives
		rate     float64 // positive rate of the reference's 68 images
		want     bool
	}{
		{"well separated", 0.6, 0.2, 22.0 / 68, true},
		{"poorly separated, few positives", 0.16, 0.12, 8.0 / 68, false},
		{"the same gap on two positives", 0.6, 0.2, 2.0 / 68, false},
		{"no positives", 0.6, 0.2, 0, false},
		{"reversed", 0.2, 0.6, 22.0 / 68, false},
	} {
		ref := &Reference{Images: 68, Positive: []float64{tc.rate},
			MeanIfPositive: [][]float64{{tc.pos}}, MeanIfNegative: [][]float64{{tc.neg}}}
		if got := ref.Separated(0); got != tc.want {
			t.Errorf("%s: separated %v, want %v", tc.name, got, tc.want)
		}
	}
	// Without conditional scores (an older reference) nothing is refused.
	if !(&Reference{Images: 68, Positive: []float64{0.1}}).Separated(0) {
		t.Error("a reference without conditional scores refused a label")
	}
}

// The guard keeps a shifted label whose separation the reference does not
// prove, with its reason; without the guard it moves.
func TestRecalibrateKeepsWeakLabel(t *testing.T) {
	_, rules, ref, scores, truth := fixture(t)
	weak := *ref
	weak.MeanIfPositive = slices.Clone(ref.MeanIfPositive)
	weak.MeanIfPositive[2] = slices.Clone(ref.MeanIfPositive[2])
	weak.MeanIfPositive[2][2] = ref.MeanIfNegative[2][2] + 0.001
	batch := resample(scores, truth, []float64{0.2, 0.3, 0.8}, 400, 6)
	for _, guard := range []bool{true, false} {
		o := DefaultOptions()
		o.Guard = guard
		res, err := Recalibrate(&weak, batch.Scores, rules.Thresholds(), o)
		if err != nil {
			t.Fatal(err)
		}
		e := res.Estimates[2]
		if guard && (!e.Kept || e.Reason != KeptWeak || res.Rules.PerClass[2] != rules.PerClass[2]) {
			t.Errorf("guarded: label 2 kept %v (%q), threshold %v → %v; want kept, %q", e.Kept, e.Reason, rules.PerClass[2], res.Rules.PerClass[2], KeptWeak)
		}
		if !guard && e.Kept {
			t.Errorf("unguarded: label 2 kept (%q)", e.Reason)
		}
	}
	if !ref.Separated(2) {
		t.Error("the fixture's label 2 is not proven separated")
	}
}

// explainShifts takes labels from the most significant shift down, and a
// label's move is explained by any label taken before it, itself explained
// or kept by the guard: here label 0's shift explains label 1's move and
// label 1's explains label 2's, which label 0's does not.
func TestExplainShiftsChain(t *testing.T) {
	prior := []float64{0.3, 0.2, 0.1}
	means := []float64{0.5, 0.34, 0.2} // moves of 0.2, 0.14, 0.1
	ref := &Reference{Prevalence: prior, MeanIfPositive: make([][]float64, 3), MeanIfNegative: make([][]float64, 3)}
	for j := range 3 {
		ref.MeanIfPositive[j] = slices.Clone(prior)
		ref.MeanIfNegative[j] = slices.Clone(prior)
	}
	// Label 0 at 0.6 predicts label 1's mean 0.5·0.6 + 0.1·0.4 = 0.34 and
	// leaves label 2's at 0.1; label 1 at 0.6 predicts label 2's
	// 0.3·0.6 + 0.05·0.4 = 0.2.
	ref.MeanIfPositive[0][1], ref.MeanIfNegative[0][1] = 0.5, 0.1
	ref.MeanIfPositive[1][2], ref.MeanIfNegative[1][2] = 0.3, 0.05
	// Interval widths make the moves 0.3, 0.4 and 0.5 about 20, 13 and 8
	// standard errors: label 0 is taken first.
	width := []float64{0.05, 0.1, 0.2}
	for _, tc := range []struct {
		name  string
		kept0 bool
		want  []string
	}{
		{"all free to move", false, []string{"", KeptExplained, KeptExplained}},
		{"label 0 kept by the guard", true, []string{KeptNoShift, KeptExplained, KeptExplained}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			est := make([]Estimate, 3)
			for j := range est {
				est[j] = Estimate{Train: prior[j], Estimated: 0.6, Interval: []float64{0.6 - width[j]/2, 0.6 + width[j]/2}, MeanScore: means[j]}
			}
			if tc.kept0 {
				est[0].Kept, est[0].Reason = true, KeptNoShift
			}
			explainShifts(ref, est)
			for j, e := range est {
				if e.Reason != tc.want[j] || e.Kept != (tc.want[j] != "") {
					t.Errorf("label %d: kept %v, reason %q; want %q", j, e.Kept, e.Reason, tc.want[j])
				}
			}
		})
	}
}

// The mapped method moves a shifted label's threshold by the prior shift
// alone; the expected method re-fits it; the nearer method, the default,
// takes whichever of the two moves less, or keeps the old threshold when
// they disagree on the direction; an unknown method is refused.
func TestRecalibrateMethods(t *testing.T) {
	_, rules, ref, scores, truth := fixture(t)
	old := rules.Thresholds()
	batch := resample(scores, truth, []float64{0.6, 0.3, 0.4}, 400, 5)
	got := map[Method][]float64{}
	for _, m := range []Method{Mapped, Expected, Nearer, ""} {
		o := DefaultOptions()
		o.Method = m
		res, err := Recalibrate(ref, batch.Scores, old, o)
		if err != nil {
			t.Fatal(err)
		}
		got[m] = res.Rules.Thresholds()
		if m != Mapped {
			continue
		}
		for j, e := range res.Estimates {
			want := old[j]
			if !e.Kept {
				want = ref.MapThreshold(j, old[j], e.Estimated)
			}
			if got[m][j] != want {
				t.Errorf("mapped: label %d threshold %v, want %v", j, got[m][j], want)
			}
		}
		if !(got[m][0] < old[0]) {
			t.Errorf("mapped: label 0, more prevalent, threshold %v → %v, want lower", old[0], got[m][0])
		}
	}
	for j := range old {
		if want := nearer(old[j], got[Mapped][j], got[Expected][j]); got[Nearer][j] != want {
			t.Errorf("nearer: label %d threshold %v, want %v (old %v, mapped %v, expected %v)", j, got[Nearer][j], want, old[j], got[Mapped][j], got[Expected][j])
		}
	}
	if !slices.Equal(got[""], got[Nearer]) {
		t.Errorf("the empty method gave %v, nearer %v", got[""], got[Nearer])
	}
	if slices.Equal(got[Expected], got[Mapped]) {
		t.Errorf("expected and mapped gave the same thresholds %v", got[Mapped])
	}
	o := DefaultOptions()
	o.Method = "magic"
	if _, err := Recalibrate(ref, batch.Scores, old, o); err == nil || !strings.Contains(err.Error(), "magic") {
		t.Errorf("unknown method: %v", err)
	}
}

func TestNearer(t *testing.T) {
	for _, tc := range []struct {
		name       string
		t, a, b, w float64
	}{
		{"both down, a nearer", 0.3, 0.2, 0.1, 0.2},
		{"both down, b nearer", 0.3, 0.05, 0.25, 0.25},
		{"both up", 0.3, 0.6, 0.4, 0.4},
		{"opposite directions", 0.3, 0.2, 0.4, 0.3},
		{"one stays", 0.3, 0.3, 0.5, 0.3},
	} {
		if got := nearer(tc.t, tc.a, tc.b); got != tc.w {
			t.Errorf("%s: nearer(%v, %v, %v) = %v, want %v", tc.name, tc.t, tc.a, tc.b, got, tc.w)
		}
	}
}

// Under a known prior shift of calibrated scores, every method moves the
// shifted labels' thresholds toward the F-optimal ones: those fitted with
// the labels of a large batch drawn at the new prevalences.
func TestRecalibrateTowardOracle(t *testing.T) {
	_, rules, ref, scores, truth := fixture(t)
	old := rules.Thresholds()
	prev := []float64{0.6, 0.3, 0.1} // label 0 up, label 2 down
	big := resample(scores, truth, prev, 20000, 8)
	oracle, err := decide.FitPerClass(big, decide.Options{Beta: 2, Objective: decide.SamplesF, MinPositives: 5})
	if err != nil {
		t.Fatal(err)
	}
	batch := resample(scores, truth, prev, 1000, 9)
	for _, m := range []Method{Nearer, Mapped, Expected} {
		o := DefaultOptions()
		o.Method = m
		res, err := Recalibrate(ref, batch.Scores, old, o)
		if err != nil {
			t.Fatal(err)
		}
		nw := res.Rules.Thresholds()
		for _, j := range []int{0, 2} {
			want := oracle.PerClass[j]
			if !(math.Abs(nw[j]-want) < math.Abs(old[j]-want)) {
				t.Errorf("%s: label %d threshold %.3f → %.3f, the oracle's %.3f", m, j, old[j], nw[j], want)
			}
		}
		t.Logf("%s: %.3f → %.3f (oracle %.3f)", m, old, nw, oracle.PerClass)
	}
}

// A crafted reference whose conditional score tables do not fit its labels
// is refused by name.
func TestReferenceCheckConditionalTables(t *testing.T) {
	_, _, ref, _, _ := fixture(t)
	for _, tc := range []struct {
		name string
		edit func(r *Reference)
		want string
	}{
		{"one table", func(r *Reference) { r.MeanIfNegative = nil }, "one of its two"},
		{"short", func(r *Reference) { r.MeanIfPositive = r.MeanIfPositive[:2] }, "for 2 labels, not 3"},
		{"short row", func(r *Reference) { r.MeanIfNegative = [][]float64{{0.1}, {0.2}, {0.3}} }, "row of 1 labels, not 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := *ref
			tc.edit(&r)
			if err := r.Check(3); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
