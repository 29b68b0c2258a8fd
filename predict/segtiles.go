package predict

import (
	"fmt"
	"image"
	"iter"

	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/tensor"
)

// SegmentTiled segments a large image from its tiles, read from src one
// at a time (see imageio.Tiles) and run a few at a time, without holding
// the image, or all its tiles' inputs, at full resolution: cut by g, or,
// for a segmenter that works at a fixed scale (bundle.Segment.Scale), by
// windows of its input size at that scale (see Windows), whatever g says.
// The tiles' masks are stitched: every pixel of the image belongs to
// exactly one tile, the one whose seen part's centre is nearest along
// each axis (the middle of an overlap), and takes the class of the tile's
// output pixel it falls in. Areas are therefore exact fractions of the
// whole image's pixels (Seen is the whole image). Cut by g, the labels
// are decided as the classifier's tiles are, by max pooling (as in
// hypotheses-CNN-pooling): each label's score is the largest of its
// tiles' area fractions, each a fraction of the view the network saw,
// decided by TileRules(g): the area thresholds fitted on tiled
// validation scores for g (train --tiles), or those fitted on whole
// images, right for a segmenter trained on images the size of a tile. At
// a fixed scale each label's score is its area fraction of the whole
// stitched image, decided by the bundle's rule, fitted on validation's
// images scored the same way (their windows pooled, each pixel once).
// Class is the stitched mask at about the tiles' output resolution (each
// of its pixels an f×f block of the image, f the image pixels per output
// pixel of the finest tile).
func (p *Predictor) SegmentTiled(name string, src imageio.Source, g imageio.Grid) (Segmented, error) {
	if !p.Segmenter() {
		return Segmented{}, fmt.Errorf("predict: a %s bundle has no masks", p.b.Kind)
	}
	st, err := p.stitch(src, g)
	if err != nil {
		return Segmented{}, err
	}
	return p.segmented(name, st), nil
}

// segmented decides on a stitched image's max-pooled tile area fractions.
func (p *Predictor) segmented(name string, st *stitched) Segmented {
	class, mw, mh := st.classMap()
	b := image.Rect(0, 0, st.w, st.h)
	rules := p.rules
	if !st.scaled {
		rules, _ = p.TileRules(st.g)
	}
	pred := decideWith(rules, p.b.Labels, []string{name}, [][]float64{st.scores()})[0]
	return Segmented{Prediction: pred, Areas: labelMap(p.b.Labels, st.areas()), Class: class, W: mw, H: mh, Seen: b, Bounds: b}
}

// scores returns the image-level scores a stitched image is decided on:
// at a fixed scale its area fractions, every pixel counted once, as
// validation pools an image's windows (see train.PredictMasks);
// otherwise its tiles' area fractions max-pooled per label.
func (st *stitched) scores() []float64 {
	if st.scaled {
		return st.areas()
	}
	return infer.MaxPool(st.tileAreas)
}

// labelMap names values by labels.
func labelMap(labels []string, v []float64) map[string]float64 {
	out := make(map[string]float64, len(labels))
	for j, l := range labels {
		out[l] = v[j]
	}
	return out
}

// Windows returns how a segmenter at a fixed scale cuts an image: windows
// of its input size times its scale, overlapping by WindowOverlap, each
// reduced by the scale; ok is false for a bundle without a fixed scale.
func (p *Predictor) Windows() (w imageio.Windows, scale int, ok bool) {
	if !p.Segmenter() || p.b.Segment.Scale < 1 {
		return imageio.Windows{}, 0, false
	}
	f := p.b.Segment.Scale
	return imageio.Windows{Side: p.pre.Size * f, Overlap: WindowOverlap}, f, true
}

// WindowOverlap is how much neighbouring windows of a segmenter at a
// fixed scale overlap, as a fraction of their side (see
// imageio.WindowOverlap).
const WindowOverlap = imageio.WindowOverlap

// tileBatch is how many tiles of one image the segmenter runs at once.
const tileBatch = 8

// ranTiles is given each batch of tiles' inputs the segmenter runs; tests
// replace it to check that an image's tiles never run all at once, and
// what the network is fed.
var ranTiles = func(x *tensor.Tensor) {}

// tilePre is the preprocessing of a tile: the bundle's, and, at a fixed
// scale, the whole tile resized (a window of the input size is kept as
// it is; a shorter one, at an image's edge, stretched).
func (p *Predictor) tilePre() imageio.Preprocess {
	pre := p.pre
	if _, _, ok := p.Windows(); ok {
		pre.Mode = imageio.ModeSquash
	}
	return pre
}

// stitched holds the tiles of one image segmented: where each tile's
// output pixels lie in the image, which part of the image each owns, and
// each output pixel's labels and class.
type stitched struct {
	w, h, cols, rows, size, labels int
	// g is the grid the tiles were cut by; scaled is set for windows at a
	// fixed scale instead.
	g      imageio.Grid
	scaled bool
	// seen[k] is the part of the image tile k's network input shows.
	seen []image.Rectangle
	// colB and rowB are the ownership bounds: tile column c owns image
	// columns colB[c] to colB[c+1], tile row r rows rowB[r] to rowB[r+1].
	colB, rowB []int
	// above[k] holds, bit (i*size+j)*labels+l, whether tile k's output
	// pixel (j, i) shows label l; class[k] is tile k's class map.
	above [][]uint64
	class [][]uint8
	// tileAreas[k] holds tile k's area fractions, of all its pixels.
	tileAreas [][]float64
}

// shows reports whether tile k's output pixel (j, i) shows label l.
func (st *stitched) shows(k, i, j, l int) bool {
	b := (i*st.size+j)*st.labels + l
	return st.above[k][b/64]&(1<<(b%64)) != 0
}

// stitch reads src's tiles (cut by g, or by windows at the bundle's fixed
// scale), runs the segmenter on them tileBatch at a time, and places
// their outputs in the image. Only the tiles' bits and class maps are
// kept, never their inputs beyond a batch. Its error is about the image
// or the network.
func (p *Predictor) stitch(src imageio.Source, g imageio.Grid) (*stitched, error) {
	if err := p.pre.Validate(); err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	w, h := src.Size()
	st := &stitched{w: w, h: h, size: p.pre.Size, labels: len(p.b.Labels), g: g}
	var tiles iter.Seq2[imageio.Tile, error]
	if win, f, ok := p.Windows(); ok {
		rects, cols, rows := win.Rects(w, h)
		st.cols, st.rows, st.scaled = cols, rows, true
		tiles = imageio.TilesAt(src, rects, f)
	} else {
		if err := g.Check(); err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		st.cols, st.rows = g.N, g.N
		tiles = imageio.Tiles(src, g, p.pre.TileSide())
	}
	pre := p.tilePre()
	var xs [][]float32
	for t, err := range tiles {
		if err != nil {
			return nil, err
		}
		x, err := pre.FromRaster(t.Raster)
		if err != nil {
			return nil, fmt.Errorf("imageio: tile %d: %w", t.Index+1, err)
		}
		xs = append(xs, x)
		st.seen = append(st.seen, seenInImage(pre, t))
		if len(xs) == tileBatch {
			if err := p.runTiles(st, xs); err != nil {
				return nil, err
			}
			xs = xs[:0]
		}
	}
	if err := p.runTiles(st, xs); err != nil {
		return nil, err
	}
	if n := len(st.above); n != st.cols*st.rows {
		return nil, fmt.Errorf("predict: %d tiles read, the grid has %d", n, st.cols*st.rows)
	}
	st.colB, st.rowB = imageio.Owners(st.seen, st.cols, st.rows, w, h)
	return st, nil
}

// runTiles runs the segmenter on a batch of tiles' inputs and appends
// their bits, class maps and area fractions to st.
func (p *Predictor) runTiles(st *stitched, xs [][]float32) error {
	if len(xs) == 0 {
		return nil
	}
	s, ch := p.pre.Size, p.pre.Channels()
	per := s * s * ch
	x := tensor.New(len(xs), s, s, ch)
	for i, xi := range xs {
		if len(xi) != per {
			return fmt.Errorf("predict: tile %d has %d values, the network takes %d", i+1, len(xi), per)
		}
		copy(x.Data[i*per:(i+1)*per], xi)
	}
	ranTiles(x)
	logits, area, err := p.segmentBatch(x)
	if err != nil {
		return err
	}
	if logits.Shape[1] != s || logits.Shape[2] != s || logits.Shape[3] != st.labels {
		return fmt.Errorf("predict: the segmenter gives %v logits for %d×%d inputs and %d labels", logits.Shape, s, s, st.labels)
	}
	st.tileAreas = append(st.tileAreas, area...)
	t := infer.PixelLogits(p.th)
	cells := s * s * st.labels
	for k := range xs {
		ab := make([]uint64, (cells+63)/64)
		for i, v := range logits.Data[k*cells : (k+1)*cells] {
			if v > t[i%st.labels] {
				ab[i/64] |= 1 << (i % 64)
			}
		}
		st.above = append(st.above, ab)
		c, err := infer.ClassMapAt(logits, k, p.th)
		if err != nil {
			return fmt.Errorf("predict: %w", err)
		}
		st.class = append(st.class, c)
	}
	return nil
}

// seenInImage returns the part of the image the network input of tile t
// shows: the preprocessing's seen part of the reduced raster (all of it,
// or its centre square with a centre crop), scaled back to the image's
// pixels.
func seenInImage(pre imageio.Preprocess, t imageio.Tile) image.Rectangle {
	r := pre.SeenRect(image.Rect(0, 0, t.Raster.W, t.Raster.H))
	f := t.Factor
	out := image.Rect(r.Min.X*f, r.Min.Y*f, r.Max.X*f, r.Max.Y*f).Add(t.Rect.Min)
	return out.Intersect(t.Rect)
}

// areas returns each label's fraction of the image's pixels: every pixel
// counted once, in the tile that owns it.
func (st *stitched) areas() []float64 {
	counts := make([]int64, st.labels)
	s, l := st.size, st.labels
	for k := range st.above {
		r, c := k/st.cols, k%st.cols
		sn := st.seen[k]
		cx := imageio.OwnedPixels(st.colB[c], st.colB[c+1], sn.Min.X, sn.Max.X, s)
		cy := imageio.OwnedPixels(st.rowB[r], st.rowB[r+1], sn.Min.Y, sn.Max.Y, s)
		for i, ny := range cy {
			if ny == 0 {
				continue
			}
			for j, nx := range cx {
				if nx == 0 {
					continue
				}
				for lab := range l {
					if st.shows(k, i, j, lab) {
						counts[lab] += ny * nx
					}
				}
			}
		}
	}
	total := float64(int64(st.w) * int64(st.h))
	out := make([]float64, st.labels)
	for j, c := range counts {
		out[j] = float64(c) / total
	}
	return out
}

// classMap stitches the tiles' class maps into one mask of the image
// reduced by f, the image pixels per output pixel of its finest tile: each
// mask pixel takes the class of the output pixel its block's centre falls
// in, in the tile that owns it. It returns the mask and its width and
// height.
func (st *stitched) classMap() ([]uint8, int, int) {
	f := st.w + st.h
	for _, sn := range st.seen {
		f = min(f, sn.Dx()/st.size, sn.Dy()/st.size)
	}
	f = max(f, 1)
	mw, mh := (st.w+f-1)/f, (st.h+f-1)/f
	// owner returns, for each mask position along one axis of n pixels,
	// the index along that axis of the tile that owns its block's centre.
	owner := func(m, n, tiles int, bounds []int) []int {
		out := make([]int, m)
		c := 0
		for i := range m {
			for c+1 < tiles && min(i*f+f/2, n-1) >= bounds[c+1] {
				c++
			}
			out[i] = c
		}
		return out
	}
	cols, rows := owner(mw, st.w, st.cols, st.colB), owner(mh, st.h, st.rows, st.rowB)
	out := make([]uint8, mw*mh)
	for y := range mh {
		cy := min(y*f+f/2, st.h-1)
		for x := range mw {
			cx := min(x*f+f/2, st.w-1)
			k := rows[y]*st.cols + cols[x]
			sn := st.seen[k]
			i := imageio.OutPixel(cy, sn.Min.Y, sn.Max.Y, st.size)
			j := imageio.OutPixel(cx, sn.Min.X, sn.Max.X, st.size)
			out[y*mw+x] = st.class[k][i*st.size+j]
		}
	}
	return out, mw, mh
}

// PixelMap is a segmenter's labels of every pixel of an image at the
// image's own resolution, from its stitched tiles: each pixel takes the
// labels of the output pixel it falls in, in the tile that owns it (see
// SegmentTiled).
type PixelMap struct {
	st *stitched
	// colK and colJ give, per image column, the tile column that owns it
	// and its output column there; rowK and rowI the same per row.
	colK, colJ, rowK, rowI []int
}

// SegmentPixels segments src from its tiles as SegmentTiled does (cut by
// g, or by windows at the bundle's fixed scale) and returns the labels of
// its pixels.
func (p *Predictor) SegmentPixels(src imageio.Source, g imageio.Grid) (*PixelMap, error) {
	if !p.Segmenter() {
		return nil, fmt.Errorf("predict: a %s bundle has no masks", p.b.Kind)
	}
	st, err := p.stitch(src, g)
	if err != nil {
		return nil, err
	}
	m := &PixelMap{st: st, colK: make([]int, st.w), colJ: make([]int, st.w), rowK: make([]int, st.h), rowI: make([]int, st.h)}
	for c := range st.cols {
		sn := st.seen[c]
		for x := st.colB[c]; x < st.colB[c+1]; x++ {
			m.colK[x], m.colJ[x] = c, imageio.OutPixel(x, sn.Min.X, sn.Max.X, st.size)
		}
	}
	for r := range st.rows {
		sn := st.seen[r*st.cols]
		for y := st.rowB[r]; y < st.rowB[r+1]; y++ {
			m.rowK[y], m.rowI[y] = r, imageio.OutPixel(y, sn.Min.Y, sn.Max.Y, st.size)
		}
	}
	return m, nil
}

// Size returns the image's width and height.
func (m *PixelMap) Size() (w, h int) { return m.st.w, m.st.h }

// Labels returns the number of labels per pixel.
func (m *PixelMap) Labels() int { return m.st.labels }

// Row writes into dst, which holds width×Labels() values, whether each
// pixel x of row y shows label l, at dst[x*Labels()+l].
func (m *PixelMap) Row(y int, dst []bool) {
	st, l := m.st, m.st.labels
	r, i := m.rowK[y], m.rowI[y]
	for x := range st.w {
		k := r*st.cols + m.colK[x]
		for lab := range l {
			dst[x*l+lab] = st.shows(k, i, m.colJ[x], lab)
		}
	}
}
