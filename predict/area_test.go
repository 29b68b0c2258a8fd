package predict

import (
	"image"
	"math"
	"testing"
)

func TestLabelAreas(t *testing.T) {
	s := Segmented{
		Prediction: Prediction{Image: "not-a-file.png"},
		Areas:      map[string]float64{"water": 0.25, "forest": 0.5},
		Seen:       image.Rect(10, 0, 110, 100), Bounds: image.Rect(0, 0, 120, 100),
	}
	for _, tc := range []struct {
		name string
		gsd  float64
		// m2 is each label's surface; nil for none.
		m2 map[string]float64
	}{
		{"without a ground sample distance or georeferencing", 0, nil},
		{"with a ground sample distance", 2, map[string]float64{"water": 0.25 * 100 * 100 * 4, "forest": 0.5 * 100 * 100 * 4, "snow": 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := s.LabelAreas([]string{"water", "forest", "snow"}, tc.gsd)
			if len(got) != 3 {
				t.Fatalf("%d labels' areas, want 3", len(got))
			}
			for l, a := range got {
				if a.Fraction != s.Areas[l] {
					t.Errorf("%s: fraction %v, want %v", l, a.Fraction, s.Areas[l])
				}
				if tc.m2 == nil {
					if a.SquareMetre != nil || a.Hectare != nil {
						t.Errorf("%s: a surface without a pixel size", l)
					}
					continue
				}
				if a.SquareMetre == nil || a.Hectare == nil {
					t.Fatalf("%s: no surface", l)
				}
				if math.Abs(*a.SquareMetre-tc.m2[l]) > 1e-9 || math.Abs(*a.Hectare-tc.m2[l]/1e4) > 1e-9 {
					t.Errorf("%s: %v m², %v ha; want %v m²", l, *a.SquareMetre, *a.Hectare, tc.m2[l])
				}
			}
		})
	}
}
