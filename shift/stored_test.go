package shift

import (
	"math"
	"testing"

	"mlabel/decide"
	"mlabel/infer"
)

// rescore returns s with every score moved to σ(a·logit s + b): the same
// images scored by another model of the same recipe (a refit, trained on
// more images and so more confident).
func rescore(s infer.Set, a, b float64) infer.Set {
	out := s
	out.Scores = make([][]float64, len(s.Scores))
	for i, row := range s.Scores {
		out.Scores[i] = make([]float64, len(row))
		for j, p := range row {
			out.Scores[i][j] = infer.Sigmoid(a*decide.Logit(p) + b)
		}
	}
	return out
}

// changed returns the fraction of decisions that differ between two rules
// on the same scores.
func changed(scores [][]float64, a, b []float64) float64 {
	var diff, all float64
	for _, row := range scores {
		for j, s := range row {
			all++
			if (s >= a[j]) != (s >= b[j]) {
				diff++
			}
		}
	}
	return diff / all
}

// A refitted model's reference must describe the stored model. The
// thresholds are fitted on the first model's validation scores; the stored
// model scores every image more confidently. Recalibrating a batch drawn
// without any shift against the first model's validation reference (the
// old behaviour) reads the refit's confidence as a shift and moves the
// thresholds; against a reference made from the stored model's own
// held-out scores, at the prevalences counted on every labelled image,
// the decisions stay as they were.
func TestReferenceOfTheStoredModel(t *testing.T) {
	scores, truth := pool(40000, sep, 1)
	val := resample(scores, truth, trainPrev, 600, 2)
	rules, err := decide.FitPerClass(val, decide.Options{Beta: 2, Objective: decide.SamplesF, MinPositives: 5})
	if err != nil {
		t.Fatal(err)
	}
	const a, b = 1.8, 0.8 // the refit's scores, against the first model's
	test := rescore(resample(scores, truth, trainPrev, 150, 4), a, b)
	batch := rescore(resample(scores, truth, trainPrev, 400, 5), a, b)
	labelled := resample(scores, truth, trainPrev, 3000, 6)
	prior, err := CountPrior(labelled.Truth)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := NewReference(val, rules.Thresholds())
	if err != nil {
		t.Fatal(err)
	}
	stored, err := NewReferenceAt(test, rules.Thresholds(), prior)
	if err != nil {
		t.Fatal(err)
	}
	if stored.PriorImages != 3000 {
		t.Errorf("prior images %d, want 3000", stored.PriorImages)
	}
	for j, p := range stored.Prevalence {
		if math.Abs(p-trainPrev[j]) > 0.03 {
			t.Errorf("label %d: reference prevalence %.3f, population %.3f", j, p, trainPrev[j])
		}
	}
	old := rules.Thresholds()
	for _, tc := range []struct {
		name      string
		ref       *Reference
		atMost    float64 // fraction of decisions changed
		atLeast   float64
		keepsEach bool
	}{
		{"reference of the model before the refit", stale, 1, 0.005, false},
		{"reference of the stored model", stored, 0.002, 0, true},
	} {
		res, err := Recalibrate(tc.ref, batch.Scores, old, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		c := changed(batch.Scores, old, res.Rules.Thresholds())
		if c > tc.atMost || c < tc.atLeast {
			t.Errorf("%s: %.4f of the decisions changed, want [%v, %v]", tc.name, c, tc.atLeast, tc.atMost)
		}
		if tc.keepsEach {
			for j, e := range res.Estimates {
				if !e.Kept {
					t.Errorf("%s: label %d moved without a shift: %+v", tc.name, j, e)
				}
			}
		}
		t.Logf("%s: %.4f of decisions changed; estimates %+v", tc.name, c, res.Estimates)
	}
}

// The prior counts known tags only, smoothed inside (0, 1), and refuses
// ragged rows; a reference refuses a prior of the wrong length.
func TestCountPrior(t *testing.T) {
	p, err := CountPrior([][]float64{{1, 0, -1}, {1, 0, 1}, {0, 0, -1}})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{2.5 / 4, 0.5 / 4, 1.5 / 2}
	for j := range want {
		if math.Abs(p.Prevalence[j]-want[j]) > 1e-12 {
			t.Errorf("label %d: prevalence %v, want %v", j, p.Prevalence[j], want[j])
		}
	}
	if p.Images != 3 {
		t.Errorf("images %d, want 3", p.Images)
	}
	if _, err := CountPrior([][]float64{{1, 0}, {1}}); err == nil {
		t.Error("ragged tags accepted")
	}
	if _, err := CountPrior(nil); err == nil {
		t.Error("no tags accepted")
	}
	val, _, _, _, _ := fixture(t)
	if _, err := NewReferenceAt(val, []float64{0.5, 0.5, 0.5}, &Prior{Prevalence: []float64{0.5}, Images: 1}); err == nil {
		t.Error("prior of 1 label accepted for 3")
	}
}
