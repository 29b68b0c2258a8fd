package metrics

import (
	"math"
	"testing"

	"mlabel/tensor"
)

func TestIoU(t *testing.T) {
	// One image of 4 pixels, 3 labels. Label 0: predicted on pixels 0, 1,
	// present on 1, 2 → TP 1, FP 1, FN 1, IoU 1/3. Label 1: predicted on
	// pixel 3, present on 3, but pixel 3 unknown → undefined. Label 2:
	// predicted and present on pixel 0 → 1.
	logits, _ := tensor.FromData([]float32{
		5, -5, 5,
		5, -5, -5,
		-5, -5, -5,
		-5, 5, -5,
	}, 1, 2, 2, 3)
	truth, _ := tensor.FromData([]float32{
		0, 0, 1,
		1, 0, 0,
		1, 0, 0,
		0, 1, 0,
	}, 1, 2, 2, 3)
	mask, _ := tensor.FromData([]float32{
		1, 1, 1,
		1, 1, 1,
		1, 1, 1,
		1, 0, 1,
	}, 1, 2, 2, 3)
	u := NewIoU(3)
	if err := u.AddLogits(logits, truth, mask, 0.5); err != nil {
		t.Fatal(err)
	}
	got := u.PerLabel()
	want := []float64{1.0 / 3, math.NaN(), 1}
	for j := range want {
		if math.IsNaN(want[j]) != math.IsNaN(got[j]) || !math.IsNaN(want[j]) && math.Abs(got[j]-want[j]) > 1e-12 {
			t.Errorf("label %d: IoU %v, want %v", j, got[j], want[j])
		}
	}
	if m := u.Mean(); math.Abs(m-(1.0/3+1)/2) > 1e-12 {
		t.Errorf("mIoU %v, want %v", m, (1.0/3+1)/2)
	}
	// Without the mask, label 1 is a perfect hit.
	u2 := NewIoU(3)
	if err := u2.AddLogits(logits, truth, nil, 0.5); err != nil {
		t.Fatal(err)
	}
	if v := u2.PerLabel()[1]; v != 1 {
		t.Errorf("label 1 without mask: IoU %v, want 1", v)
	}
	if err := u2.AddLogits(logits, truth, nil, 1); err == nil {
		t.Error("a pixel threshold of 1 is accepted")
	}
	if err := NewIoU(2).AddLogits(logits, truth, nil, 0.5); err == nil {
		t.Error("3 labels counted as 2")
	}
}
