package predict

import "mlabel/geo"

// Area is one label's area in an image: the fraction of the pixels the
// network saw and, where the pixels' size is known, the surface.
type Area struct {
	Fraction    float64  `json:"fraction"`
	SquareMetre *float64 `json:"m2,omitempty"`
	Hectare     *float64 `json:"hectares,omitempty"`
}

// LabelAreas returns each label's area in s; with gsd > 0 (the ground
// sample distance in metres per pixel), or for a georeferenced image
// without it, also in m² and hectares, over the pixels the network saw.
func (s Segmented) LabelAreas(labels []string, gsd float64) map[string]Area {
	out := make(map[string]Area, len(labels))
	seen := s.SeenArea(gsd)
	for _, l := range labels {
		a := Area{Fraction: s.Areas[l]}
		if seen > 0 {
			m2 := a.Fraction * seen
			ha := m2 / 1e4
			a.SquareMetre, a.Hectare = &m2, &ha
		}
		out[l] = a
	}
	return out
}

// SeenArea is the area in m² of the pixels of s the network saw: by gsd
// (metres per pixel) when it is positive, or else by the image file's
// georeferencing; 0 without either.
func (s Segmented) SeenArea(gsd float64) float64 {
	if gsd > 0 {
		return float64(s.SeenPixels()) * gsd * gsd
	}
	if ref, err := geo.ReadFileFor(s.Image, s.Bounds.Dx(), s.Bounds.Dy()); err == nil {
		return ref.RectArea(s.Seen)
	}
	return 0
}
