package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"mlabel/tensor"
)

// logitOf is the logit of probability p.
func logitOf(p float64) float32 { return float32(math.Log(p / (1 - p))) }

// PixelBin puts a logit above exactly the candidates whose logit
// comparison (the one IoU.AddLogits makes) it passes.
func TestPixelBin(t *testing.T) {
	for _, tc := range []struct {
		p    float64
		want int
	}{{0.001, 0}, {0.0201, 1}, {0.5, 24}, {0.5001, 25}, {0.999, PixelBins - 1}} {
		if got := PixelBin(logitOf(tc.p)); got != tc.want {
			t.Errorf("PixelBin(logit %g) = %d, want %d", tc.p, got, tc.want)
		}
	}
}

// fitSet is a batch of one image of n pixels and two labels: label 0's
// scores are calibrated around 0.5, label 1's positives score 0.2 to 0.4
// and its negatives 0 to 0.25 (a model that under-calls label 1), so that
// 0.5 finds none of label 1 and a lower threshold finds most.
func fitSet(n int, seed uint64) (logits, truth *tensor.Tensor) {
	rng := rand.New(rand.NewPCG(seed, 1))
	logits, truth = tensor.New(1, 1, n, 2), tensor.New(1, 1, n, 2)
	for i := range n {
		pos0, pos1 := rng.IntN(2) == 1, rng.IntN(4) == 0
		p0 := 0.1 + 0.5*rng.Float64()
		if pos0 {
			p0 += 0.3
		}
		p1 := 0.25 * rng.Float64()
		if pos1 {
			p1 = 0.2 + 0.2*rng.Float64()
		}
		logits.Data[2*i], logits.Data[2*i+1] = logitOf(p0), logitOf(p1)
		if pos0 {
			truth.Data[2*i] = 1
		}
		if pos1 {
			truth.Data[2*i+1] = 1
		}
	}
	return logits, truth
}

// The fitted thresholds move away from 0.5 where the validation pixels
// call for it, and give a higher IoU than 0.5 on pixels of the same kind
// they were not fitted on; the counts at a candidate equal IoU.AddLogitsAt's.
func TestPixelHistFit(t *testing.T) {
	val, valTruth := fitSet(4000, 1)
	h := NewPixelHist(2)
	if err := h.AddLogits(val, valTruth, nil); err != nil {
		t.Fatal(err)
	}
	k := h.Fit()
	th := Thresholds(k)
	if th[1] >= 0.4 || th[1] < 0.2 {
		t.Errorf("label 1's threshold %g, want within [0.2, 0.4): its positives score there", th[1])
	}
	direct := NewIoU(2)
	if err := direct.AddLogitsAt(val, valTruth, nil, th); err != nil {
		t.Fatal(err)
	}
	if got := h.At(k); !equalCounts(got, direct) {
		t.Errorf("counts at the fitted candidates %+v, AddLogitsAt counts %+v", got, direct)
	}
	test, testTruth := fitSet(4000, 2)
	fitted, half := NewIoU(2), NewIoU(2)
	if err := fitted.AddLogitsAt(test, testTruth, nil, th); err != nil {
		t.Fatal(err)
	}
	if err := half.AddLogits(test, testTruth, nil, 0.5); err != nil {
		t.Fatal(err)
	}
	if f, o := fitted.Mean(), half.Mean(); !(f > o+0.2) {
		t.Errorf("held-out mIoU at the fitted thresholds %v %.3f, at 0.5 %.3f: want a clear gain", th, f, o)
	}
}

// A label without positive pixels keeps 0.5.
func TestPixelHistFitNoPositives(t *testing.T) {
	h := NewPixelHist(1)
	h.AddBin(0, 40, false)
	if k := h.Fit(); k[0] != PixelBins/2 {
		t.Errorf("fit %v, want %d", k, PixelBins/2)
	}
}

func equalCounts(a, b *IoU) bool {
	for j := range a.TP {
		if a.TP[j] != b.TP[j] || a.FP[j] != b.FP[j] || a.FN[j] != b.FN[j] {
			return false
		}
	}
	return true
}
