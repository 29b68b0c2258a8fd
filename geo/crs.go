package geo

import (
	"fmt"
	"math"
)

// The WGS 84 ellipsoid.
const (
	wgs84A = 6378137.0
	wgs84F = 1 / 298.257223563
)

// CRS is a coordinate reference system named by its EPSG code. The ones
// this package converts to longitude and latitude are EPSG:4326 (WGS 84),
// the WGS 84 UTM zones north (32601–32660) and south (32701–32760), and
// Web Mercator (3857).
type CRS int

// Common codes.
const (
	WGS84       CRS = 4326
	WebMercator CRS = 3857
)

// utm returns the EPSG code of a WGS 84 UTM zone (1 to 60).
func utm(zone int, north bool) CRS {
	if north {
		return CRS(32600 + zone)
	}
	return CRS(32700 + zone)
}

// Check returns an error when the package cannot convert c's coordinates.
func (c CRS) Check() error {
	if c == WGS84 || c == WebMercator {
		return nil
	}
	if z, _, ok := c.utm(); ok && z >= 1 && z <= 60 {
		return nil
	}
	return fmt.Errorf("geo: EPSG:%d is not supported (supported: 4326, 3857, the WGS 84 UTM zones 32601–32660 and 32701–32760)", int(c))
}

// utm returns c's UTM zone and hemisphere.
func (c CRS) utm() (zone int, north, ok bool) {
	switch {
	case c > 32600 && c <= 32660:
		return int(c) - 32600, true, true
	case c > 32700 && c <= 32760:
		return int(c) - 32700, false, true
	}
	return 0, false, false
}

// Geographic reports whether c's coordinates are longitude and latitude.
func (c CRS) Geographic() bool { return c == WGS84 }

// String names c: "EPSG:32637 (WGS 84 / UTM zone 37N)".
func (c CRS) String() string {
	name := ""
	switch {
	case c == WGS84:
		name = "WGS 84"
	case c == WebMercator:
		name = "WGS 84 / Pseudo-Mercator"
	default:
		if z, north, ok := c.utm(); ok {
			h := "S"
			if north {
				h = "N"
			}
			name = fmt.Sprintf("WGS 84 / UTM zone %d%s", z, h)
		}
	}
	if name == "" {
		return fmt.Sprintf("EPSG:%d", int(c))
	}
	return fmt.Sprintf("EPSG:%d (%s)", int(c), name)
}

// ToLonLat converts coordinates of c to WGS 84 longitude and latitude in
// degrees. c must pass Check.
func (c CRS) ToLonLat(x, y float64) (lon, lat float64) {
	switch c {
	case WGS84:
		return x, y
	case WebMercator:
		return x / wgs84A * 180 / math.Pi, math.Atan(math.Sinh(y/wgs84A)) * 180 / math.Pi
	}
	zone, north, _ := c.utm()
	if !north {
		y -= 10e6
	}
	return tm.inverse(x-500000, y, centralMeridian(zone))
}

// FromLonLat converts WGS 84 longitude and latitude in degrees to
// coordinates of c. c must pass Check.
func (c CRS) FromLonLat(lon, lat float64) (x, y float64) {
	switch c {
	case WGS84:
		return lon, lat
	case WebMercator:
		return wgs84A * lon * math.Pi / 180, wgs84A * math.Asinh(math.Tan(lat*math.Pi/180))
	}
	zone, north, _ := c.utm()
	x, y = tm.forward(lon, lat, centralMeridian(zone))
	if !north {
		y += 10e6
	}
	return x + 500000, y
}

// centralMeridian is the longitude at the centre of a UTM zone.
func centralMeridian(zone int) float64 { return float64(6*zone - 183) }

// transverseMercator is the transverse Mercator projection of an
// ellipsoid by Krüger's series to sixth order in the third flattening n,
// in Karney's form (Transverse Mercator with an accuracy of a few
// nanometers, J. Geodesy 85, 2011): accurate to far under a millimetre
// within a UTM zone.
type transverseMercator struct {
	k0, e, e2 float64
	a         float64    // the rectifying radius times k0
	alpha     [6]float64 // forward series
	beta      [6]float64 // inverse series
}

// tm is UTM's projection of the WGS 84 ellipsoid.
var tm = newTransverseMercator(wgs84A, wgs84F, 0.9996)

func newTransverseMercator(a, f, k0 float64) *transverseMercator {
	n := f / (2 - f)
	n2, n3 := n*n, n*n*n
	n4, n5, n6 := n3*n, n3*n2, n3*n3
	t := &transverseMercator{k0: k0, e2: f * (2 - f)}
	t.e = math.Sqrt(t.e2)
	t.a = k0 * a / (1 + n) * (1 + n2/4 + n4/64 + n6/256)
	t.alpha = [6]float64{
		n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800,
		13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360,
		61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440,
		49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600,
		34729*n5/80640 - 3418889*n6/1995840,
		212378941 * n6 / 319334400,
	}
	t.beta = [6]float64{
		n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800,
		n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720,
		17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720,
		4397*n4/161280 - 11*n5/504 - 830251*n6/7257600,
		4583*n5/161280 - 108847*n6/3991680,
		20648693 * n6 / 638668800,
	}
	return t
}

// conformal returns tan of the conformal latitude of the latitude whose
// tangent is tau.
func (t *transverseMercator) conformal(tau float64) float64 {
	s := math.Sinh(t.e * math.Atanh(t.e*tau/math.Hypot(1, tau)))
	return tau*math.Hypot(1, s) - s*math.Hypot(1, tau)
}

// forward projects lon, lat (degrees) about the central meridian lon0 to
// easting and northing from the central meridian and the equator.
func (t *transverseMercator) forward(lon, lat, lon0 float64) (x, y float64) {
	lam := (lon - lon0) * math.Pi / 180
	tp := t.conformal(math.Tan(lat * math.Pi / 180))
	xi := math.Atan2(tp, math.Cos(lam))
	eta := math.Asinh(math.Sin(lam) / math.Hypot(tp, math.Cos(lam)))
	x1, y1 := eta, xi
	for j, a := range t.alpha {
		k := 2 * float64(j+1)
		y1 += a * math.Sin(k*xi) * math.Cosh(k*eta)
		x1 += a * math.Cos(k*xi) * math.Sinh(k*eta)
	}
	return t.a * x1, t.a * y1
}

// inverse is forward's inverse.
func (t *transverseMercator) inverse(x, y, lon0 float64) (lon, lat float64) {
	xi, eta := y/t.a, x/t.a
	xi1, eta1 := xi, eta
	for j, b := range t.beta {
		k := 2 * float64(j+1)
		xi1 -= b * math.Sin(k*xi) * math.Cosh(k*eta)
		eta1 -= b * math.Cos(k*xi) * math.Sinh(k*eta)
	}
	sh, c := math.Sinh(eta1), math.Cos(xi1)
	tp := math.Sin(xi1) / math.Hypot(sh, c)
	lam := math.Atan2(sh, c)
	// Newton's method for tan(lat) from its conformal tangent.
	tau := tp / (1 - t.e2)
	for range 8 {
		tpi := t.conformal(tau)
		d := (tp - tpi) / math.Hypot(1, tpi) * (1 + (1-t.e2)*tau*tau) / ((1 - t.e2) * math.Hypot(1, tau))
		tau += d
		if math.Abs(d) < 1e-15*math.Max(1, math.Abs(tau)) {
			break
		}
	}
	return wrapLon(lon0 + lam*180/math.Pi), math.Atan(tau) * 180 / math.Pi
}

// wrapLon brings a longitude into [-180, 180].
func wrapLon(lon float64) float64 {
	if lon >= -180 && lon <= 180 {
		return lon
	}
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	return lon - 180
}
