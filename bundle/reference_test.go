package bundle

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"mlabel/infer"
	"mlabel/shift"
)

// testReference is the validation reference of a small set of 3 labels.
func testReference(t *testing.T) *shift.Reference {
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
	ref, err := shift.NewReference(val, []float64{0.5, 0.5, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// The validation reference and the recalibration records survive the
// round trip, and a reference that does not fit the labels is refused.
func TestReferenceRoundTrip(t *testing.T) {
	b := testBundle(t)
	b.Reference = testReference(t)
	b.Recalibrations = []shift.Record{{
		Created: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Batch: shift.Batch{Source: "new", Images: 120, SHA256: "ab"},
		Labels: b.Labels, Train: []float64{0.5, 0.5, 0.5}, Estimated: []float64{0.6, 0.5, 0.1},
		Old: []float64{0.1, 0.5, 0.9}, New: []float64{0.05, 0.5, 0.95},
	}}
	got, err := Read(encode(t, b))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Reference, b.Reference) || !reflect.DeepEqual(got.Recalibrations, b.Recalibrations) {
		t.Fatalf("reference or records changed:\n%+v\n%+v", got.Reference, got.Recalibrations)
	}

	for _, tc := range []struct {
		name  string
		craft func(r *shift.Reference)
		want  string
	}{
		{"prevalences", func(r *shift.Reference) { r.Prevalence = r.Prevalence[:2] }, "2 prevalences for 3 labels"},
		{"prevalence of one", func(r *shift.Reference) { r.Prevalence[1] = 1 }, "outside (0, 1)"},
		{"no calibration", func(r *shift.Reference) { r.Calibration = nil }, "no calibration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.Reference = testReference(t)
			tc.craft(b.Reference)
			_, err := Read(encode(t, b))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
