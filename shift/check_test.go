package shift

import (
	"strings"
	"testing"

	"mlabel/infer"
)

// testCheckReference is the validation reference of a small set of 3 labels.
func testCheckReference(t *testing.T) *Reference {
	t.Helper()
	var val infer.Set
	for i := 0; i < 40; i++ {
		s, y := make([]float64, 3), make([]float64, 3)
		for j := range s {
			y[j] = float64((i + j) % 2)
			s[j] = 0.2 + 0.5*y[j] + 0.01*float64(i%7)
		}
		val.Scores, val.Truth = append(val.Scores, s), append(val.Truth, y)
	}
	ref, err := NewReference(val, []float64{0.5, 0.5, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// A validation reference that does not fit the labels, or holds values no
// fit gives, is refused.
func TestReferenceCheck(t *testing.T) {
	if err := testCheckReference(t).Check(3); err != nil {
		t.Fatalf("the reference made for 3 labels: %v", err)
	}
	for _, tc := range []struct {
		name  string
		n     int
		craft func(r *Reference)
		want  string
	}{
		{"prevalences", 3, func(r *Reference) { r.Prevalence = r.Prevalence[:2] }, "2 prevalences for 3 labels"},
		{"prevalence of one", 3, func(r *Reference) { r.Prevalence[1] = 1 }, "outside (0, 1)"},
		{"no calibration", 3, func(r *Reference) { r.Calibration = nil }, "no calibration"},
		{"positive rates", 3, func(r *Reference) { r.Positive = r.Positive[:2] }, "2 positive rates for 3 labels"},
		{"no images", 3, func(r *Reference) { r.Images = 0 }, "made from 0 images"},
		{"negative images", 3, func(r *Reference) { r.Images = -5 }, "made from -5 images"},
		{"other labels", 4, func(*Reference) {}, "4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testCheckReference(t)
			tc.craft(r)
			err := r.Check(tc.n)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
