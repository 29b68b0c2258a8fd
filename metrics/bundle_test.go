package metrics

import (
	"testing"

	"mlabel/internal/fill"
)

// Every field of a summary survives the conversion to the bundle's type
// and back; nil stays nil, as does a summary without per-label metrics.
// The bundle's type names every field as the summary does.
func TestSummaryBundleRoundTrip(t *testing.T) {
	fill.RoundTrip(t, func(s *Summary) *Summary { return SummaryFromBundle(s.ToBundle()) },
		nil, &Summary{Labels: []string{"a"}, Samples: 3, F2Samples: 0.5})
	fill.SameJSON(t, (*Summary).ToBundle)
}
