package metrics

import (
	"math"
	"reflect"
	"testing"

	"mlabel/internal/fill"
)

// Every field of the pixel figures survives the conversion to the
// bundle's type and back, undefined IoUs included; nil stays nil.
func TestSegmentationBundleRoundTrip(t *testing.T) {
	through := func(s *Segmentation) *Segmentation { return SegmentationFromBundle(s.ToBundle()) }
	fill.RoundTrip(t, through, nil)
	for _, s := range []*Segmentation{
		{PixelThreshold: 0.5, Labels: []string{"a", "b"}, IoU: []float64{math.NaN(), 0.25}, MIoU: 0.25},
		{PixelThreshold: 0.4, Labels: []string{"a"}, IoU: []float64{math.NaN()}, MIoU: math.NaN()},
	} {
		if got := through(s); !reflect.DeepEqual(nanless(got), nanless(s)) {
			t.Errorf("round trip gives\n%+v\nwant\n%+v", got, s)
		}
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
