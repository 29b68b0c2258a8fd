package decide

import (
	"encoding/json"
	"testing"

	"mlabel/bundle"
	"mlabel/internal/fill"
)

// Every field of a rule, its calibration and its label structure survives
// the conversion to the bundle's types and back; nil stays nil. The
// bundle's types name every field as the rule's do.
func TestRulesBundleRoundTrip(t *testing.T) {
	fill.RoundTrip(t, func(r *Rules) *Rules { return RulesFromBundle(r.ToBundle()) },
		nil, &Rules{Kind: Fixed, Labels: 3, Global: 0.5})
	fill.RoundTrip(t, func(c *Calibration) *Calibration { return CalibrationFromBundle(c.ToBundle()) }, nil)
	fill.SameJSON(t, (*Rules).ToBundle)
}

// Every field of a tiled rule survives the conversion to the bundle's
// types and back, and through a bundle file's header; nil stays nil.
func TestTiledBundleRoundTrip(t *testing.T) {
	header := func(tl *Tiled) *Tiled {
		data, err := json.Marshal(bundle.Header{Tiles: tl.ToBundle()})
		if err != nil {
			t.Fatal(err)
		}
		var h bundle.Header
		if err := json.Unmarshal(data, &h); err != nil {
			t.Fatal(err)
		}
		return TiledFromBundle(h.Tiles)
	}
	grid := &Tiled{Grid: 3, Overlap: 0.25}
	fill.RoundTrip(t, func(tl *Tiled) *Tiled { return TiledFromBundle(tl.ToBundle()) }, nil, grid)
	fill.RoundTrip(t, header, nil, grid)
}
