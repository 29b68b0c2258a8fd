package shift

import (
	"reflect"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/infer"
	"mlabel/internal/fill"
)

// testBundleReference is the validation reference of a small set of 3 labels.
func testBundleReference(t *testing.T) *Reference {
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

// The validation reference survives the conversion to the bundle's type
// and back, whose fields are named alike; one that does not fit the labels
// is refused.
func TestReferenceBundleRoundTrip(t *testing.T) {
	ref := testBundleReference(t)
	got, err := ReferenceFromBundle(ref.ToBundle(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ref) {
		t.Fatalf("round trip gives\n%+v\nwant\n%+v", got, ref)
	}
	fill.SameJSON(t, (*Reference).ToBundle)
	if got, err := ReferenceFromBundle(nil, 3); got != nil || err != nil {
		t.Errorf("no reference gives %v, %v", got, err)
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
			r := testBundleReference(t)
			tc.craft(r)
			_, err := ReferenceFromBundle(r.ToBundle(), tc.n)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// Every field of a recalibration record survives the conversion to the
// bundle's type and back, one record and several; the bundle's type names
// every field as the record does.
func TestRecordsBundleRoundTrip(t *testing.T) {
	fill.RoundTrip(t, func(r Record) Record { return RecordsFromBundle([]bundle.Recalibration{r.ToBundle()})[0] })
	var a, b Record
	fill.Fill(&a)
	fill.Fill(&b)
	b.Batch.Source = "other"
	fill.RoundTrip(t, func(rs []Record) []Record {
		var bs []bundle.Recalibration
		for _, r := range rs {
			bs = append(bs, r.ToBundle())
		}
		return RecordsFromBundle(bs)
	}, nil, []Record{a, b})
	fill.SameJSON(t, Record.ToBundle)
}
