package metrics

import (
	"reflect"
	"testing"

	"mlabel/internal/fill"
)

// Every field of a summary survives the conversion to the bundle's type
// and back; nil stays nil, as does a summary without per-label metrics.
func TestSummaryBundleRoundTrip(t *testing.T) {
	var full Summary
	fill.Fill(&full)
	for _, tc := range []struct {
		name string
		s    *Summary
	}{
		{"nil", nil},
		{"no per-label metrics", &Summary{Labels: []string{"a"}, Samples: 3, F2Samples: 0.5}},
		{"every field", &full},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SummaryFromBundle(tc.s.ToBundle()); !reflect.DeepEqual(got, tc.s) {
				t.Errorf("round trip gives\n%+v\nwant\n%+v", got, tc.s)
			}
		})
	}
}
