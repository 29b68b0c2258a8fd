package metrics

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// The pixel figures survive their JSON encoding, undefined IoUs included,
// and write undefined values as null.
func TestSegmentationJSON(t *testing.T) {
	for _, tc := range []struct {
		s    *Segmentation
		want string
	}{
		{&Segmentation{PixelThreshold: 0.5, Labels: []string{"a", "b"}, IoU: []float64{math.NaN(), 0.25}, MIoU: 0.25},
			`{"pixel_threshold":0.5,"labels":["a","b"],"iou":[null,0.25],"miou":0.25}`},
		{&Segmentation{PixelThreshold: 0.4, Labels: []string{"a"}, IoU: []float64{math.NaN()}, MIoU: math.NaN()},
			`{"pixel_threshold":0.4,"labels":["a"],"iou":[null],"miou":null}`},
		{&Segmentation{PixelThreshold: 0.3, MIoU: 0.5}, `{"pixel_threshold":0.3,"labels":null,"iou":null,"miou":0.5}`},
	} {
		data, err := json.Marshal(tc.s)
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != tc.want {
			t.Errorf("encoded as %s, want %s", data, tc.want)
		}
		var got Segmentation
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(nanless(&got), nanless(tc.s)) {
			t.Errorf("round trip gives\n%+v\nwant\n%+v", got, *tc.s)
		}
	}
}

// nanless replaces NaN by -1, so that DeepEqual compares undefined values.
func nanless(s *Segmentation) Segmentation {
	c := *s
	c.IoU = append([]float64(nil), s.IoU...)
	if s.IoU == nil {
		c.IoU = nil
	}
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
