package predict

import (
	"context"
	"errors"
	"fmt"
	"image"
	"maps"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"mlabel/geo"
	"mlabel/imageio"
	"mlabel/infer"
)

// TilePrediction is the prediction of one tile of an image: its place,
// and its labels decided by the whole-image rule (a tile is a view of the
// size the model was trained on).
type TilePrediction struct {
	// Index is the tile's position in row order.
	Index int
	// Rect is the tile in the image's pixels.
	Rect image.Rectangle
	Prediction
}

// TilePredictions predicts each tile of src cut by g on its own, and the
// whole image from its tiles' max-pooled scores (as Tiled does). With
// g.N == 1 the one tile is the whole image, decided by the whole-image
// rule.
func (p *Predictor) TilePredictions(name string, src imageio.Source, g imageio.Grid) ([]TilePrediction, Prediction, error) {
	tiles, whole, bad, err := p.tilePredictions(name, src, g)
	if bad != nil {
		return nil, Prediction{}, bad
	}
	return tiles, whole, err
}

// tilePredictions is TilePredictions that tells an image that cannot be
// read (bad) from a failing network (err).
func (p *Predictor) tilePredictions(name string, src imageio.Source, g imageio.Grid) (tiles []TilePrediction, whole Prediction, bad, err error) {
	if p.Segmenter() {
		return nil, Prediction{}, nil, errors.New("predict: a segmenter's tiles are its masks, not tile predictions")
	}
	xs, bad := p.pre.TileInputs(src, g)
	if bad != nil {
		return nil, Prediction{}, fmt.Errorf("predict: %w", bad), nil
	}
	per, _, err := p.scoreArrays(xs)
	if err != nil {
		return nil, Prediction{}, nil, err
	}
	w, h := src.Size()
	rects := g.Rects(w, h)
	names := make([]string, len(per))
	for i := range names {
		names[i] = name
	}
	preds := decideWith(p.rules, p.b.Labels, names, per)
	out := make([]TilePrediction, len(per))
	for i := range per {
		out[i] = TilePrediction{Index: i, Rect: rects[i], Prediction: preds[i]}
	}
	rules := p.rules
	if g.N > 1 {
		rules, _ = p.TileRules(g)
	}
	whole = decideWith(rules, p.b.Labels, []string{name}, [][]float64{infer.MaxPool(per)})[0]
	return out, whole, nil, nil
}

// MapOptions say how MapFiles cuts and places images.
type MapOptions struct {
	BatchOptions
	// Georef reads an image's georeferencing; geo.ReadFile when nil.
	Georef func(path string) (*geo.Georef, error)
}

// MapFiles predicts the tiles of image files (the whole image when
// o.Tiles is 0) and returns them as an RFC 7946 GeoJSON FeatureCollection
// in WGS 84 longitude and latitude: one Polygon per tile, its footprint,
// with the properties image, tile (from 1, in row order), labels, scores
// and thresholds (the whole-image rule's); and one per image, its
// footprint, with tile 0, the labels its max-pooled scores reach, and
// hectares and area_m2: per label, the area of the union of the tiles that
// have it. An image without georeferencing, or whose georeferencing cannot
// be read, is placed in its pixels (x the column, y minus the row) and its
// features say so in the property note; its areas are absent. Files that
// cannot be read are failures; the error is for a failing network.
func (p *Predictor) MapFiles(ctx context.Context, files []string, o MapOptions) (*geojson.FeatureCollection, []Failure, error) {
	if o.Georef == nil {
		o.Georef = geo.ReadFile
	}
	g := imageio.Grid{N: max(o.Tiles, 1), Overlap: o.Overlap}
	if o.Tiles == 0 {
		g.Overlap = 0
	}
	if err := g.Check(); err != nil {
		return nil, nil, fmt.Errorf("predict: %w", err)
	}
	fc := geojson.NewFeatureCollection()
	var fails []Failure
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("predict: %w", err)
		}
		src, _, bad := openTiled(path, o.BatchOptions, len(p.pre.Bands) > 0)
		if bad != nil {
			fails = append(fails, Failure{Image: path, Err: bad})
			continue
		}
		w, h := src.Size()
		tiles, whole, bad, err := p.tilePredictions(path, src, g)
		src.Close()
		if err != nil {
			return nil, nil, err
		}
		if bad != nil {
			fails = append(fails, Failure{Image: path, Err: bad})
			continue
		}
		ref, gerr := o.Georef(path)
		m := newMapper(ref, gerr, w, h)
		fc.Features = append(fc.Features, m.imageFeature(whole, tiles, image.Rect(0, 0, w, h)))
		for _, t := range tiles {
			fc.Features = append(fc.Features, m.tileFeature(t, p.rules.Thresholds(), p.b.Labels))
		}
	}
	return fc, fails, nil
}

// mapper places the pixels of one image in GeoJSON coordinates.
type mapper struct {
	ref  *geo.Georef // nil: pixel coordinates
	note string
}

// newMapper places an image of w×h pixels by ref, or by its pixels when
// err says why ref is missing.
func newMapper(ref *geo.Georef, err error, w, h int) *mapper {
	switch {
	case errors.Is(err, geo.ErrNotGeoreferenced):
		return &mapper{note: "not georeferenced: coordinates are image pixels (x the column, y minus the row)"}
	case err != nil:
		return &mapper{note: fmt.Sprintf("georeferencing unreadable (%v): coordinates are image pixels (x the column, y minus the row)", err)}
	case ref.Width != w || ref.Height != h:
		return &mapper{note: fmt.Sprintf("georeferencing is for %d×%d pixels, the image has %d×%d: coordinates are image pixels (x the column, y minus the row)", ref.Width, ref.Height, w, h)}
	}
	return &mapper{ref: ref}
}

// point places a pixel corner.
func (m *mapper) point(col, row float64) orb.Point {
	if m.ref == nil {
		return orb.Point{col, 0 - row} // not -row: no -0 in the output
	}
	lon, lat := m.ref.LonLat(col, row)
	return orb.Point{lon, lat}
}

// polygon is a rectangle of pixels as a closed ring, counterclockwise as
// RFC 7946 asks.
func (m *mapper) polygon(r image.Rectangle) orb.Polygon {
	x0, y0, x1, y1 := float64(r.Min.X), float64(r.Min.Y), float64(r.Max.X), float64(r.Max.Y)
	ring := orb.Ring{m.point(x0, y0), m.point(x0, y1), m.point(x1, y1), m.point(x1, y0), m.point(x0, y0)}
	if ring.Orientation() == orb.CW {
		ring.Reverse()
	}
	return orb.Polygon{ring}
}

// properties are the properties every feature of an image has.
func (m *mapper) properties(p Prediction, tile int) geojson.Properties {
	labels := make([]string, len(p.Labels))
	for i, l := range p.Labels {
		labels[i] = l.Label
	}
	props := geojson.Properties{"image": p.Image, "tile": tile, "labels": labels, "scores": p.Scores}
	if m.note != "" {
		props["note"] = m.note
	}
	return props
}

// tileFeature is one tile's feature.
func (m *mapper) tileFeature(t TilePrediction, thr []float64, labels []string) *geojson.Feature {
	f := geojson.NewFeature(m.polygon(t.Rect))
	f.Properties = m.properties(t.Prediction, t.Index+1)
	th := map[string]float64{}
	for j, l := range labels {
		if j < len(thr) {
			th[l] = thr[j]
		}
	}
	f.Properties["thresholds"] = th
	return f
}

// imageFeature is the whole image's feature, with each label's area: the
// union of its tiles that have it.
func (m *mapper) imageFeature(whole Prediction, tiles []TilePrediction, bounds image.Rectangle) *geojson.Feature {
	f := geojson.NewFeature(m.polygon(bounds))
	f.Properties = m.properties(whole, 0)
	if m.ref == nil {
		return f
	}
	byLabel := map[string][]image.Rectangle{}
	for _, t := range tiles {
		for _, l := range t.Labels {
			byLabel[l.Label] = append(byLabel[l.Label], t.Rect)
		}
	}
	ha, m2 := map[string]float64{}, map[string]float64{}
	for _, l := range slices.Sorted(maps.Keys(whole.Scores)) {
		a := m.ref.UnionArea(byLabel[l])
		m2[l], ha[l] = a, a/1e4
	}
	f.Properties["area_m2"] = m2
	f.Properties["hectares"] = ha
	f.Properties["crs"] = m.ref.CRS.String()
	return f
}

// SegmentTolerance is how far, in pixels of a segmenter's mask, the
// polygons of its regions may stray from their pixels' edges when
// simplified: one pixel, the mask's resolution.
const SegmentTolerance = 1.0

// SegmentCollection returns segmented images as an RFC 7946 GeoJSON
// FeatureCollection in WGS 84 longitude and latitude: per image, its
// footprint (tile 0, with its labels and scores, and each label's area_m2
// and hectares: its fraction of the pixels seen), and per label, a Polygon
// for each region of its mask, with holes, simplified to within tolerance
// pixels of the mask, with the properties image, label, and the region's
// area_m2 and hectares (of its pixels, before simplification). georef
// reads an image's georeferencing (geo.ReadFile when nil); an image
// without it is placed in its pixels with a note, its areas in pixels
// (area_px).
func SegmentCollection(segs []Segmented, labels []string, georef func(string) (*geo.Georef, error), tolerance float64) (*geojson.FeatureCollection, error) {
	if georef == nil {
		georef = geo.ReadFile
	}
	fc := geojson.NewFeatureCollection()
	for _, s := range segs {
		ref, err := georef(s.Image)
		m := newMapper(ref, err, s.Bounds.Dx(), s.Bounds.Dy())
		f := geojson.NewFeature(m.polygon(s.Bounds))
		f.Properties = m.properties(s.Prediction, 0)
		if m.ref != nil {
			seen := m.ref.RectArea(s.Seen)
			m2, ha := map[string]float64{}, map[string]float64{}
			for _, l := range labels {
				m2[l] = s.Areas[l] * seen
				ha[l] = m2[l] / 1e4
			}
			f.Properties["area_m2"], f.Properties["hectares"] = m2, ha
			f.Properties["crs"] = m.ref.CRS.String()
		}
		fc.Features = append(fc.Features, f)
		for j, l := range labels {
			polys, err := geo.Vectorize(s.Class, s.W, s.H, uint8(j+1), 0)
			if err != nil {
				return nil, fmt.Errorf("predict: %s: %w", s.Image, err)
			}
			for _, p := range polys {
				fc.Features = append(fc.Features, m.region(s, l, p, tolerance))
			}
		}
	}
	return fc, nil
}

// region is the feature of one region of label l in s's mask.
func (m *mapper) region(s Segmented, l string, p geo.Polygon, tolerance float64) *geojson.Feature {
	// Mask pixels to image pixels.
	sx, sy := float64(s.Seen.Dx())/float64(s.W), float64(s.Seen.Dy())/float64(s.H)
	toImage := func(q geo.Polygon) geo.Polygon {
		out := make(geo.Polygon, len(q))
		for i, r := range q {
			out[i] = make([][2]float64, len(r))
			for k, v := range r {
				out[i][k] = [2]float64{float64(s.Seen.Min.X) + v[0]*sx, float64(s.Seen.Min.Y) + v[1]*sy}
			}
		}
		return out
	}
	exact := toImage(p)
	if tolerance > 0 {
		if simple := geo.SimplifyPolygon(p, tolerance); len(simple) > 0 {
			p = simple
		}
	}
	poly := make(orb.Polygon, 0, len(p))
	for i, r := range toImage(p) {
		ring := make(orb.Ring, len(r))
		for k, v := range r {
			ring[k] = m.point(v[0], v[1])
		}
		// RFC 7946: the outer ring counterclockwise, holes clockwise.
		if (i == 0) == (ring.Orientation() == orb.CW) {
			ring.Reverse()
		}
		poly = append(poly, ring)
	}
	f := geojson.NewFeature(poly)
	f.Properties = geojson.Properties{"image": s.Image, "label": l}
	if m.ref == nil {
		f.Properties["area_px"] = geo.PolygonArea(exact)
		f.Properties["note"] = m.note
		return f
	}
	a := 0.0
	for i, r := range exact {
		if i == 0 {
			a += m.ref.Area(r)
		} else {
			a -= m.ref.Area(r)
		}
	}
	f.Properties["area_m2"], f.Properties["hectares"] = a, a/1e4
	return f
}
