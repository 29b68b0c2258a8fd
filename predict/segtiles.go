package predict

import (
	"fmt"
	"image"

	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/tensor"
)

// SegmentTiled segments a large image from its tiles cut by g, read from
// src one at a time (see imageio.Tiles), without holding the image at full
// resolution. The tiles' masks are stitched: every pixel of the image
// belongs to exactly one tile, the one whose seen part's centre is nearest
// along each axis (the middle of an overlap), and takes the class of the
// tile's output pixel it falls in. Areas are therefore exact fractions of
// the whole image's pixels (Seen is the whole image). The labels are
// decided as the classifier's tiles are, by max pooling (as in
// hypotheses-CNN-pooling): each label's score is the largest of its
// tiles' area fractions, each a fraction of the view the network saw,
// decided by TileRules(g): the area thresholds fitted on tiled
// validation scores for g (train --tiles), or those fitted on whole
// images, right for a segmenter trained on images the size of a tile.
// Class is the
// stitched mask at about the tiles' output resolution (each of its pixels
// an f×f block of the image, f the image pixels per output pixel of the
// finest tile).
func (p *Predictor) SegmentTiled(name string, src imageio.Source, g imageio.Grid) (Segmented, error) {
	if !p.Segmenter() {
		return Segmented{}, fmt.Errorf("predict: a %s bundle has no masks", p.b.Kind)
	}
	if err := p.pre.Validate(); err != nil {
		return Segmented{}, fmt.Errorf("predict: %w", err)
	}
	tl, err := p.readTiles(src, g)
	if err != nil {
		return Segmented{}, err
	}
	return p.segmentTiles(name, tl)
}

// segmentTiles segments tiles read by readTiles and decides on the
// stitched area fractions.
func (p *Predictor) segmentTiles(name string, tl *tileSet) (Segmented, error) {
	st, err := p.stitchTiles(tl)
	if err != nil {
		return Segmented{}, err
	}
	class, mw, mh := st.classMap()
	b := image.Rect(0, 0, st.w, st.h)
	rules, _ := p.TileRules(tl.g)
	pred := decideWith(rules, p.b.Labels, []string{name}, [][]float64{infer.MaxPool(st.tileAreas)})[0]
	return Segmented{Prediction: pred, Areas: labelMap(p.b.Labels, st.areas()), Class: class, W: mw, H: mh, Seen: b, Bounds: b}, nil
}

// tileScores returns the scores of an image segmented from its tiles, as
// SegmentTiled decides them: each label's largest tile area fraction.
func (p *Predictor) tileScores(tl *tileSet) ([]float64, error) {
	st, err := p.stitchTiles(tl)
	if err != nil {
		return nil, err
	}
	return infer.MaxPool(st.tileAreas), nil
}

// labelMap names values by labels.
func labelMap(labels []string, v []float64) map[string]float64 {
	out := make(map[string]float64, len(labels))
	for j, l := range labels {
		out[l] = v[j]
	}
	return out
}

// tileSet holds the network inputs of an image's tiles and the parts of
// the image they show.
type tileSet struct {
	w, h int
	g    imageio.Grid
	xs   [][]float32
	// seen[k] is the part of the image tile k's input shows.
	seen []image.Rectangle
}

// readTiles reads the tiles of src cut by g as network inputs. Its error
// is about the image.
func (p *Predictor) readTiles(src imageio.Source, g imageio.Grid) (*tileSet, error) {
	if err := p.pre.Validate(); err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	w, h := src.Size()
	tl := &tileSet{w: w, h: h, g: g}
	for t, err := range imageio.Tiles(src, g, p.pre.TileSide()) {
		if err != nil {
			return nil, err
		}
		x, err := p.pre.FromRaster(t.Raster)
		if err != nil {
			return nil, fmt.Errorf("imageio: tile %d: %w", t.Index+1, err)
		}
		tl.xs = append(tl.xs, x)
		tl.seen = append(tl.seen, seenInImage(p.pre, t))
	}
	return tl, nil
}

// stitched holds the tiles of one image segmented: where each tile's
// output pixels lie in the image, which part of the image each owns, and
// each output pixel's labels and class.
type stitched struct {
	w, h, n, size, labels int
	// seen[k] is the part of the image tile k's network input shows.
	seen []image.Rectangle
	// colB and rowB are the ownership bounds: tile column c owns image
	// columns colB[c] to colB[c+1], tile row r rows rowB[r] to rowB[r+1].
	colB, rowB []int
	// above[k][(i*size+j)*labels+l] is whether tile k's output pixel
	// (j, i) shows label l; class[k] is tile k's class map.
	above [][]bool
	class [][]uint8
	// tileAreas[k] holds tile k's area fractions, of all its pixels.
	tileAreas [][]float64
}

// stitchTiles runs the segmenter on the tiles of tl, one batch, and
// places their outputs in the image.
func (p *Predictor) stitchTiles(tl *tileSet) (*stitched, error) {
	g, xs := tl.g, tl.xs
	s, ch := p.pre.Size, p.pre.Channels()
	per := s * s * ch
	st := &stitched{w: tl.w, h: tl.h, n: g.N, size: s, labels: len(p.b.Labels), seen: tl.seen}
	if len(xs) != g.N*g.N {
		return nil, fmt.Errorf("predict: %d tiles read, the grid has %d", len(xs), g.N*g.N)
	}
	x := tensor.New(len(xs), s, s, ch)
	for i, xi := range xs {
		if len(xi) != per {
			return nil, fmt.Errorf("predict: tile %d has %d values, the network takes %d", i+1, len(xi), per)
		}
		copy(x.Data[i*per:(i+1)*per], xi)
	}
	logits, _, err := p.segmentBatch(x)
	if err != nil {
		return nil, err
	}
	if logits.Shape[1] != s || logits.Shape[2] != s || logits.Shape[3] != st.labels {
		return nil, fmt.Errorf("predict: the segmenter gives %v logits for %d×%d inputs and %d labels", logits.Shape, s, s, st.labels)
	}
	if st.tileAreas, err = infer.AreaFractions(logits, p.b.Segment.PixelThreshold); err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	t := infer.PixelLogit(p.b.Segment.PixelThreshold)
	cells := s * s * st.labels
	for k := range xs {
		ab := make([]bool, cells)
		for i, v := range logits.Data[k*cells : (k+1)*cells] {
			ab[i] = v > t
		}
		st.above = append(st.above, ab)
		c, err := infer.ClassMap(logits, k, p.b.Segment.PixelThreshold)
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		st.class = append(st.class, c)
	}
	st.colB, st.rowB = make([]int, g.N+1), make([]int, g.N+1)
	st.colB[g.N], st.rowB[g.N] = tl.w, tl.h
	for c := 1; c < g.N; c++ {
		a, b := st.seen[c-1], st.seen[c]
		st.colB[c] = (a.Min.X + a.Max.X + b.Min.X + b.Max.X) / 4
	}
	for r := 1; r < g.N; r++ {
		a, b := st.seen[(r-1)*g.N], st.seen[r*g.N]
		st.rowB[r] = (a.Min.Y + a.Max.Y + b.Min.Y + b.Max.Y) / 4
	}
	return st, nil
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

// outPixel returns the output pixel, along one axis, of the image pixel
// at v for a tile whose input shows [lo, hi) of that axis at size pixels:
// nearest neighbour, clamped to the tile.
func outPixel(v, lo, hi, size int) int {
	i := int((float64(v-lo) + 0.5) * float64(size) / float64(hi-lo))
	return min(max(i, 0), size-1)
}

// owned counts, for tile column (or row) c, the image pixels it owns that
// fall in each of its output pixels along one axis.
func owned(b0, b1, lo, hi, size int) []int64 {
	n := make([]int64, size)
	for v := b0; v < b1; v++ {
		n[outPixel(v, lo, hi, size)]++
	}
	return n
}

// areas returns each label's fraction of the image's pixels: every pixel
// counted once, in the tile that owns it.
func (st *stitched) areas() []float64 {
	counts := make([]int64, st.labels)
	s, l := st.size, st.labels
	for k, ab := range st.above {
		r, c := k/st.n, k%st.n
		sn := st.seen[k]
		cx := owned(st.colB[c], st.colB[c+1], sn.Min.X, sn.Max.X, s)
		cy := owned(st.rowB[r], st.rowB[r+1], sn.Min.Y, sn.Max.Y, s)
		for i, ny := range cy {
			if ny == 0 {
				continue
			}
			for j, nx := range cx {
				if nx == 0 {
					continue
				}
				for lab, on := range ab[(i*s+j)*l : (i*s+j+1)*l] {
					if on {
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
	owner := func(m, n int, bounds []int) []int {
		out := make([]int, m)
		c := 0
		for i := range m {
			for c+1 < st.n && min(i*f+f/2, n-1) >= bounds[c+1] {
				c++
			}
			out[i] = c
		}
		return out
	}
	cols, rows := owner(mw, st.w, st.colB), owner(mh, st.h, st.rowB)
	out := make([]uint8, mw*mh)
	for y := range mh {
		cy := min(y*f+f/2, st.h-1)
		for x := range mw {
			cx := min(x*f+f/2, st.w-1)
			k := rows[y]*st.n + cols[x]
			sn := st.seen[k]
			i := outPixel(cy, sn.Min.Y, sn.Max.Y, st.size)
			j := outPixel(cx, sn.Min.X, sn.Max.X, st.size)
			out[y*mw+x] = st.class[k][i*st.size+j]
		}
	}
	return out, mw, mh
}
