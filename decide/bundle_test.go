package decide

import (
	"reflect"
	"testing"

	"mlabel/internal/fill"
)

// Every field of a rule, its calibration and its label structure survives
// the conversion to the bundle's types and back; nil stays nil.
func TestRulesBundleRoundTrip(t *testing.T) {
	var full Rules
	fill.Fill(&full)
	for _, tc := range []struct {
		name  string
		rules *Rules
	}{
		{"nil", nil},
		{"fixed", &Rules{Kind: Fixed, Labels: 3, Global: 0.5}},
		{"every field", &full},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.rules.ToBundle()
			if (b == nil) != (tc.rules == nil) {
				t.Fatalf("ToBundle of %v is %v", tc.rules, b)
			}
			if got := RulesFromBundle(b); !reflect.DeepEqual(got, tc.rules) {
				t.Errorf("round trip gives\n%+v\nwant\n%+v", got, tc.rules)
			}
		})
	}
	if CalibrationFromBundle((*Calibration)(nil).ToBundle()) != nil {
		t.Error("a nil calibration does not stay nil")
	}
}
