package metrics

import (
	"math"
	"reflect"
	"testing"

	"mlabel/internal/fill"
)

// Every field of the pixel figures survives the conversion to the
// bundle's type and back, undefined IoUs included.
func TestSegmentationBundleRoundTrip(t *testing.T) {
	var full Segmentation
	fill.Fill(&full)
	for _, tc := range []struct {
		name string
		s    *Segmentation
	}{
		{"nil", nil},
		{"every field", &full},
		{"undefined", &Segmentation{PixelThreshold: 0.5, Labels: []string{"a", "b"}, IoU: []float64{math.NaN(), 0.25}, MIoU: 0.25}},
		{"none defined", &Segmentation{PixelThreshold: 0.4, Labels: []string{"a"}, IoU: []float64{math.NaN()}, MIoU: math.NaN()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SegmentationFromBundle(tc.s.ToBundle())
			if tc.s == nil {
				if got != nil {
					t.Fatalf("nil gives %+v", got)
				}
				return
			}
			if !reflect.DeepEqual(nanless(got), nanless(tc.s)) {
				t.Errorf("round trip gives\n%+v\nwant\n%+v", got, tc.s)
			}
		})
	}
}

// nanless replaces NaN by -1, so that DeepEqual compares undefined values.
func nanless(s *Segmentation) Segmentation {
	c := *s
	c.IoU = append([]float64(nil), s.IoU...)
	for j, v := range c.IoU {
		if math.IsNaN(v) {
			c.IoU[j] = -1
		}
	}
	if math.IsNaN(c.MIoU) {
		c.MIoU = -1
	}
	return c
}
