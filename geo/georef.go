// Package geo places images on the Earth: the georeferencing of a GeoTIFF
// (its affine pixel-to-CRS transform and its CRS's EPSG code), conversion
// of its coordinates to WGS 84 longitude and latitude, areas in square
// metres, and GeoTIFF writing of single-band class maps with the
// georeferencing of the image they were made from.
package geo

import (
	"errors"
	"fmt"
	"image"
	"math"

	"mlabel/imageio"
)

// GeoTIFF tags.
const (
	TagModelPixelScale    = 33550
	TagModelTiepoint      = 33922
	TagModelTransform     = 34264
	TagGeoKeyDirectory    = 34735
	TagGeoDoubleParams    = 34736
	TagGeoASCIIParams     = 34737
	TagGDALMetadata       = 42112
	TagGDALNoData         = 42113
	keyGTModelType        = 1024
	keyGTRasterType       = 1025
	keyGeographicType     = 2048
	keyProjectedCSType    = 3072
	modelTypeProjected    = 1
	modelTypeGeographic   = 2
	rasterTypePixelIsArea = 1
	rasterTypePixelIsPnt  = 2
	userDefined           = 32767
)

// ErrNotGeoreferenced is returned for an image that carries no
// georeferencing (not a TIFF, or a TIFF without GeoTIFF tags).
var ErrNotGeoreferenced = errors.New("geo: the image is not georeferenced")

// Transform is an affine map from pixel coordinates (column, row; the top
// left corner of the image is 0, 0) to CRS coordinates, in GDAL's order:
// x = T[0] + col·T[1] + row·T[2], y = T[3] + col·T[4] + row·T[5].
type Transform [6]float64

// Apply maps pixel coordinates to CRS coordinates.
func (t Transform) Apply(col, row float64) (x, y float64) {
	return t[0] + col*t[1] + row*t[2], t[3] + col*t[4] + row*t[5]
}

// Scale returns the transform of the same area in pixels f times larger.
func (t Transform) Scale(f float64) Transform {
	return Transform{t[0], t[1] * f, t[2] * f, t[3], t[4] * f, t[5] * f}
}

// Georef is where an image lies: its transform, of its pixels' corners
// (as GDAL reports it, whatever the file's raster type), and its CRS.
type Georef struct {
	CRS       CRS
	Transform Transform
	// Width and Height are the image's size in pixels.
	Width, Height int
	// PixelIsPoint records that the file's tie point was a pixel's
	// centre (GTRasterTypeGeoKey PixelIsPoint); Transform already moves
	// it to the pixel's corner, as GDAL does.
	PixelIsPoint bool
}

// ReadFile reads the georeferencing of the image file at path without
// reading its pixels. An image without georeferencing (not a TIFF, or no
// GeoTIFF tags) returns an error wrapping ErrNotGeoreferenced; a
// GeoTIFF whose tags cannot be read or whose CRS is not supported, some
// other error.
func ReadFile(path string) (*Georef, error) {
	tt, err := imageio.ReadTIFFTagsFile(path)
	if err != nil {
		if errors.Is(err, imageio.ErrNotTIFF) {
			return nil, fmt.Errorf("%w (%s is not a TIFF)", ErrNotGeoreferenced, path)
		}
		return nil, err
	}
	g, err := fromTags(tt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// fromTags reads the georeferencing of a TIFF's tags (see ReadFile).
func fromTags(tt *imageio.TIFFTags) (*Georef, error) {
	hasT := tt.Has(TagModelTransform)
	hasTie := tt.Has(TagModelTiepoint)
	if !hasT && !hasTie {
		return nil, ErrNotGeoreferenced
	}
	g := &Georef{Width: tt.Width, Height: tt.Height}
	var err error
	if hasT {
		err = g.readMatrix(tt)
	} else {
		err = g.readTiepoint(tt)
	}
	if err != nil {
		return nil, err
	}
	if err := g.readKeys(tt); err != nil {
		return nil, err
	}
	if g.PixelIsPoint {
		t := &g.Transform
		t[0] -= (t[1] + t[2]) / 2
		t[3] -= (t[4] + t[5]) / 2
	}
	for _, v := range g.Transform {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("geo: the transform %v is not finite", g.Transform)
		}
	}
	if t := g.Transform; t[1]*t[5]-t[2]*t[4] == 0 {
		return nil, fmt.Errorf("geo: the transform %v is singular (a pixel of no area)", t)
	}
	return g, nil
}

// readMatrix reads ModelTransformationTag's 4×4 matrix.
func (g *Georef) readMatrix(tt *imageio.TIFFTags) error {
	m, err := tt.Floats(TagModelTransform)
	if err != nil {
		return fmt.Errorf("geo: ModelTransformation: %w", err)
	}
	if len(m) != 16 {
		return fmt.Errorf("geo: ModelTransformation holds %d values, want 16", len(m))
	}
	g.Transform = Transform{m[3], m[0], m[1], m[7], m[4], m[5]}
	return nil
}

// readTiepoint reads ModelTiepointTag's first tie point and
// ModelPixelScaleTag.
func (g *Georef) readTiepoint(tt *imageio.TIFFTags) error {
	tp, err := tt.Floats(TagModelTiepoint)
	if err != nil {
		return fmt.Errorf("geo: ModelTiepoint: %w", err)
	}
	if len(tp) < 6 || len(tp)%6 != 0 {
		return fmt.Errorf("geo: ModelTiepoint holds %d values, want 6 per tie point", len(tp))
	}
	if !tt.Has(TagModelPixelScale) {
		if len(tp) > 6 {
			return fmt.Errorf("geo: %d ground control points without a pixel scale: warp the image to a grid first", len(tp)/6)
		}
		return errors.New("geo: a tie point without ModelPixelScale")
	}
	sc, err := tt.Floats(TagModelPixelScale)
	if err != nil {
		return fmt.Errorf("geo: ModelPixelScale: %w", err)
	}
	if len(sc) < 2 {
		return fmt.Errorf("geo: ModelPixelScale holds %d values, want 3", len(sc))
	}
	g.Transform = Transform{tp[3] - tp[0]*sc[0], sc[0], 0, tp[4] + tp[1]*sc[1], 0, -sc[1]}
	return nil
}

// readKeys reads the GeoKeyDirectory: the model type, the raster type and
// the EPSG code of the CRS.
func (g *Georef) readKeys(tt *imageio.TIFFTags) error {
	if !tt.Has(TagGeoKeyDirectory) {
		return errors.New("geo: the image has a transform but no GeoKeyDirectory (no CRS)")
	}
	d, err := tt.Uints(TagGeoKeyDirectory)
	if err != nil {
		return fmt.Errorf("geo: GeoKeyDirectory: %w", err)
	}
	if len(d) < 4 {
		return fmt.Errorf("geo: GeoKeyDirectory holds %d values, too few for its header", len(d))
	}
	if d[0] != 1 {
		return fmt.Errorf("geo: GeoKeyDirectory version %d, want 1", d[0])
	}
	n := d[3]
	if n > uint64(len(d)-4)/4 {
		return fmt.Errorf("geo: corrupt GeoKeyDirectory: it declares %d keys but holds room for %d", n, (len(d)-4)/4)
	}
	keys := map[uint64]uint64{}
	for i := uint64(0); i < n; i++ {
		k := d[4+4*i:]
		if k[1] == 0 { // the value is the key's entry itself
			keys[k[0]] = k[3]
		}
	}
	model, ok := keys[keyGTModelType]
	if !ok {
		return errors.New("geo: GeoKeyDirectory has no GTModelTypeGeoKey")
	}
	switch keys[keyGTRasterType] {
	case 0, rasterTypePixelIsArea:
	case rasterTypePixelIsPnt:
		g.PixelIsPoint = true
	default:
		return fmt.Errorf("geo: GTRasterTypeGeoKey %d is neither PixelIsArea (1) nor PixelIsPoint (2)", keys[keyGTRasterType])
	}
	var code uint64
	switch model {
	case modelTypeProjected:
		code = keys[keyProjectedCSType]
	case modelTypeGeographic:
		code = keys[keyGeographicType]
	default:
		return fmt.Errorf("geo: GTModelTypeGeoKey %d is not projected (1) or geographic (2)", model)
	}
	switch code {
	case 0:
		return errors.New("geo: the CRS has no EPSG code in the GeoKeyDirectory")
	case userDefined:
		return errors.New("geo: the CRS is user-defined, not an EPSG code: reproject the image (gdalwarp -t_srs EPSG:…)")
	}
	g.CRS = CRS(code)
	return g.CRS.Check()
}

// Point maps pixel coordinates to the CRS.
func (g *Georef) Point(col, row float64) (x, y float64) { return g.Transform.Apply(col, row) }

// LonLat maps pixel coordinates to WGS 84 longitude and latitude.
func (g *Georef) LonLat(col, row float64) (lon, lat float64) {
	return g.CRS.ToLonLat(g.Transform.Apply(col, row))
}

// Corners returns the longitude and latitude of the image's corners: top
// left, top right, bottom right, bottom left.
func (g *Georef) Corners() [4][2]float64 {
	w, h := float64(g.Width), float64(g.Height)
	var out [4][2]float64
	for i, p := range [4][2]float64{{0, 0}, {w, 0}, {w, h}, {0, h}} {
		out[i][0], out[i][1] = g.LonLat(p[0], p[1])
	}
	return out
}

// PixelSize returns a pixel's width and height in metres: in the grid for
// UTM, and on the ground at the image's centre for EPSG:4326 and 3857.
func (g *Georef) PixelSize() (w, h float64) {
	t := g.Transform
	if _, _, ok := g.CRS.utm(); ok {
		return math.Hypot(t[1], t[4]), math.Hypot(t[2], t[5])
	}
	cx, cy := float64(g.Width)/2, float64(g.Height)/2
	return groundDistance(g, cx, cy, cx+1, cy), groundDistance(g, cx, cy, cx, cy+1)
}

// groundDistance is the distance in metres on the WGS 84 ellipsoid between
// two nearby pixels' points, by the local radii of curvature.
func groundDistance(g *Georef, c0, r0, c1, r1 float64) float64 {
	l0, p0 := g.LonLat(c0, r0)
	l1, p1 := g.LonLat(c1, r1)
	e2 := wgs84F * (2 - wgs84F)
	phi := (p0 + p1) / 2 * math.Pi / 180
	s := math.Sin(phi)
	w := math.Sqrt(1 - e2*s*s)
	m := wgs84A * (1 - e2) / (w * w * w) // meridian radius
	n := wgs84A / w                      // prime vertical radius
	dx := (l1 - l0) * math.Pi / 180 * n * math.Cos(phi)
	dy := (p1 - p0) * math.Pi / 180 * m
	return math.Hypot(dx, dy)
}

// Bounds is the image's rectangle of pixels.
func (g *Georef) Bounds() image.Rectangle { return image.Rect(0, 0, g.Width, g.Height) }

// Reduced returns the georeferencing of the image reduced by the factor
// f ≥ 1 to w×h pixels (each pixel f×f of g's, from the same corner).
func (g *Georef) Reduced(f, w, h int) *Georef {
	r := *g
	r.Transform = g.Transform.Scale(float64(max(f, 1)))
	r.Width, r.Height = w, h
	r.PixelIsPoint = false
	return &r
}

// ReadFileFor is ReadFile for an image decoded at w×h pixels: it returns
// nil, with the reason, where the image has no usable georeferencing or
// its georeferencing is for another size.
func ReadFileFor(path string, w, h int) (*Georef, error) {
	g, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	if g.Width != w || g.Height != h {
		return nil, fmt.Errorf("geo: %s: georeferencing for %d×%d pixels, the image has %d×%d", path, g.Width, g.Height, w, h)
	}
	return g, nil
}
