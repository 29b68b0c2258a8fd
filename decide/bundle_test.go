package decide

import (
	"encoding/json"
	"reflect"
	"testing"

	"mlabel/bundle"
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

// Every field of a tiled rule survives the conversion to the bundle's
// types and back, and through a bundle file's header; nil stays nil.
func TestTiledBundleRoundTrip(t *testing.T) {
	var full Tiled
	fill.Fill(&full)
	for _, tc := range []struct {
		name  string
		tiled *Tiled
	}{
		{"nil", nil},
		{"grid only", &Tiled{Grid: 3, Overlap: 0.25}},
		{"every field", &full},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.tiled.ToBundle()
			if (b == nil) != (tc.tiled == nil) {
				t.Fatalf("ToBundle of %v is %v", tc.tiled, b)
			}
			if got := TiledFromBundle(b); !reflect.DeepEqual(got, tc.tiled) {
				t.Errorf("round trip gives\n%+v\nwant\n%+v", got, tc.tiled)
			}
			data, err := json.Marshal(bundle.Header{Tiles: b})
			if err != nil {
				t.Fatal(err)
			}
			var h bundle.Header
			if err := json.Unmarshal(data, &h); err != nil {
				t.Fatal(err)
			}
			if got := TiledFromBundle(h.Tiles); !reflect.DeepEqual(got, tc.tiled) {
				t.Errorf("through a header gives\n%+v\nwant\n%+v", got, tc.tiled)
			}
		})
	}
}
