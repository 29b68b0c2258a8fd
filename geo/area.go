package geo

import (
	"image"
	"math"
	"slices"
)

// authalicQ is the integral of an ellipsoid's area element over latitude:
// the area between the equator and latitude phi (radians) over one radian
// of longitude on the WGS 84 ellipsoid is b²/2·q(phi), where b is the
// semi-minor axis.
func authalicQ(phi float64) float64 {
	e2 := wgs84F * (2 - wgs84F)
	e := math.Sqrt(e2)
	s := math.Sin(phi)
	return s/(1-e2*s*s) + math.Log((1+e*s)/(1-e*s))/(2*e)
}

// ellipsoidArea returns the area in square metres on the WGS 84 ellipsoid
// of a polygon ring of longitude, latitude vertices in degrees (closed or
// not, either orientation), its edges taken straight in longitude and
// latitude. It is exact for edges along meridians and parallels (the
// edges of pixels in EPSG:4326 and 3857); other edges are integrated by
// Simpson's rule.
func ellipsoidArea(ring [][2]float64) float64 {
	b2 := wgs84A * wgs84A * (1 - wgs84F*(2-wgs84F))
	sum := 0.0
	for i := range ring {
		p, q := ring[i], ring[(i+1)%len(ring)]
		dl := (q[0] - p[0]) * math.Pi / 180
		if dl == 0 {
			continue
		}
		f1, f2 := p[1]*math.Pi/180, q[1]*math.Pi/180
		mean := authalicQ(f1)
		if f1 != f2 {
			mean = (authalicQ(f1) + 4*authalicQ((f1+f2)/2) + authalicQ(f2)) / 6
		}
		sum += dl * mean
	}
	return math.Abs(sum) * b2 / 2
}

// planarArea is the shoelace area of a ring.
func planarArea(ring [][2]float64) float64 {
	s := 0.0
	for i := range ring {
		p, q := ring[i], ring[(i+1)%len(ring)]
		s += p[0]*q[1] - q[0]*p[1]
	}
	return math.Abs(s) / 2
}

// Area returns the area in square metres of a polygon ring given in pixel
// coordinates (column, row; the top left corner of the image is 0, 0): in
// the UTM grid for a UTM CRS (as GIS software reports areas in a projected
// CRS), and on the WGS 84 ellipsoid for EPSG:4326 and 3857.
func (g *Georef) Area(ring [][2]float64) float64 {
	if _, _, ok := g.CRS.utm(); ok {
		t := g.Transform
		return planarArea(ring) * math.Abs(t[1]*t[5]-t[2]*t[4])
	}
	ll := make([][2]float64, len(ring))
	for i, p := range ring {
		ll[i][0], ll[i][1] = g.LonLat(p[0], p[1])
	}
	return ellipsoidArea(ll)
}

// RectArea returns the area in square metres of a rectangle of pixels.
func (g *Georef) RectArea(r image.Rectangle) float64 {
	return g.Area(rectRing(r))
}

// rectRing is the ring of a rectangle's corners, clockwise in the image.
func rectRing(r image.Rectangle) [][2]float64 {
	x0, y0, x1, y1 := float64(r.Min.X), float64(r.Min.Y), float64(r.Max.X), float64(r.Max.Y)
	return [][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}
}

// UnionArea returns the area in square metres covered by the union of
// rectangles of pixels (overlapping tiles counted once).
func (g *Georef) UnionArea(rects []image.Rectangle) float64 {
	var xs, ys []int
	for _, r := range rects {
		xs = append(xs, r.Min.X, r.Max.X)
		ys = append(ys, r.Min.Y, r.Max.Y)
	}
	slices.Sort(xs)
	slices.Sort(ys)
	xs, ys = slices.Compact(xs), slices.Compact(ys)
	total := 0.0
	for i := 0; i+1 < len(ys); i++ {
		for j := 0; j+1 < len(xs); j++ {
			cell := image.Rect(xs[j], ys[i], xs[j+1], ys[i+1])
			for _, r := range rects {
				if cell.In(r) {
					total += g.RectArea(cell)
					break
				}
			}
		}
	}
	return total
}
