package imageio

import (
	"fmt"
	"image"
	"iter"
)

// Grid cuts an image into N×N tiles that overlap by Overlap, a fraction of
// a tile's side, and together cover the whole image. Tiles let a network
// trained on small views look at a large image in detail.
type Grid struct {
	N       int
	Overlap float64
}

// Check reports whether g can cut an image: N ≥ 1 and Overlap in [0, 1).
func (g Grid) Check() error {
	if g.N < 1 || !(g.Overlap >= 0 && g.Overlap < 1) {
		return fmt.Errorf("imageio: tiles need a grid ≥ 1 and an overlap in [0, 1), got %d and %g", g.N, g.Overlap)
	}
	return nil
}

// String formats g as "3×3 tiles overlapping by 0.25".
func (g Grid) String() string {
	return fmt.Sprintf("%d×%d tiles overlapping by %g", g.N, g.N, g.Overlap)
}

// Rects returns the N×N tiles of a w×h image, in row order. Neighbouring
// tiles overlap by about Overlap of a tile's side; the first row and
// column start at 0 and the last end at the image's edge. g must be
// valid (Check).
func (g Grid) Rects(w, h int) []image.Rectangle {
	tw, th := g.side(w), g.side(h)
	out := make([]image.Rectangle, 0, g.N*g.N)
	for r := 0; r < g.N; r++ {
		y := g.offset(h, th, r)
		for c := 0; c < g.N; c++ {
			x := g.offset(w, tw, c)
			out = append(out, image.Rect(x, y, x+tw, y+th))
		}
	}
	return out
}

// side is the side of g's tiles that span n pixels.
func (g Grid) side(n int) int {
	s := float64(n) / (float64(g.N) - float64(g.N-1)*g.Overlap)
	return max(1, min(n, int(s+0.5)))
}

// offset places tile i of g, of the given side, along n pixels.
func (g Grid) offset(n, side, i int) int {
	if g.N == 1 {
		return (n - side) / 2
	}
	return i * (n - side) / (g.N - 1)
}

// Tile is one tile of a Source: its place in the image, and its pixels
// reduced by Factor (each pixel the mean of a Factor×Factor block).
type Tile struct {
	// Index is the tile's position in row order.
	Index int
	// Rect is the tile in the image's pixels.
	Rect image.Rectangle
	// Factor is the reduction of Raster: each of its pixels is the mean of
	// a Factor×Factor block of Rect.
	Factor int
	// Raster holds the tile's bands, Rect.Dx()/Factor by Rect.Dy()/Factor
	// pixels (rounded up).
	Raster *Raster
}

// Tiles reads the tiles of src cut by g, in row order, one at a time: each
// is reduced by the largest factor that keeps its shorter side at least
// minSide pixels (no reduction when minSide ≤ 0), so a tile of a huge image
// is never held at full resolution. The iteration stops at the first
// error, which it yields.
func Tiles(src Source, g Grid, minSide int) iter.Seq2[Tile, error] {
	return func(yield func(Tile, error) bool) {
		if err := g.Check(); err != nil {
			yield(Tile{}, err)
			return
		}
		w, h := src.Size()
		for i, r := range g.Rects(w, h) {
			f := 1
			if minSide > 0 {
				f = max(1, min(r.Dx(), r.Dy())/minSide)
			}
			ras, err := src.Window(r, f)
			if err != nil {
				yield(Tile{}, fmt.Errorf("imageio: tile %d %v: %w", i+1, r, err))
				return
			}
			if !yield(Tile{Index: i, Rect: r, Factor: f, Raster: ras}, nil) {
				return
			}
		}
	}
}

// TileSide is the shortest side Tiles keeps of the tiles p turns into
// network inputs (the minSide p's TileInputs gives it): 4 times p.Size, so
// that the mean over blocks before the resize to p.Size keeps what the
// resize itself keeps.
func (p Preprocess) TileSide() int { return 4 * p.Size }

// TileInputs returns the normalised network inputs of src's tiles cut by
// g, in row order (see Tiles and FromRaster).
func (p Preprocess) TileInputs(src Source, g Grid) ([][]float32, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var xs [][]float32
	for t, err := range Tiles(src, g, p.TileSide()) {
		if err != nil {
			return nil, err
		}
		x, err := p.FromRaster(t.Raster)
		if err != nil {
			return nil, fmt.Errorf("imageio: tile %d: %w", t.Index+1, err)
		}
		xs = append(xs, x)
	}
	return xs, nil
}

// FromRaster returns the normalised Size×Size×Channels() float32 HWC
// array of a raster: its bands p.Bands scaled by their statistics, or,
// without Bands, its RGB picture (Raster.Image).
func (p Preprocess) FromRaster(r *Raster) ([]float32, error) {
	pix, err := p.RasterPixels(r)
	if err != nil {
		return nil, err
	}
	return p.Normalized(pix), nil
}

// RasterPixels is FromRaster before normalisation: the raster resized to
// Size×Size as 8-bit values in HWC order (see InputPixels).
func (p Preprocess) RasterPixels(r *Raster) ([]uint8, error) {
	if len(p.Bands) > 0 {
		return p.BandPixels(r)
	}
	return p.Pixels(r.Image()), nil
}

// Windows cuts an image into tiles of a fixed side in the image's pixels,
// as many as it takes to cover it with neighbours overlapping by about
// Overlap of a side: the tiles of a network that works at a fixed scale,
// whatever the image's size and aspect. Along an axis shorter than Side
// the one tile spans the whole axis.
type Windows struct {
	Side    int
	Overlap float64
}

// WindowOverlap is how much neighbouring windows of a network at a fixed
// scale overlap, as a fraction of their side, wherever an image is cut
// into them (prediction, and validation in training): with each pixel
// owned by the window whose centre is nearest (see Owners), a pixel is
// never taken from the outer eighth of a window's side where an image's
// edge meets it.
const WindowOverlap = 0.25

// Check reports whether w can cut an image: Side ≥ 1 and Overlap in
// [0, 1).
func (w Windows) Check() error {
	if w.Side < 1 || !(w.Overlap >= 0 && w.Overlap < 1) {
		return fmt.Errorf("imageio: windows need a side ≥ 1 and an overlap in [0, 1), got %d and %g", w.Side, w.Overlap)
	}
	return nil
}

// Rects returns the tiles of an iw×ih image in row order, and how many
// columns and rows they make. w must be valid (Check).
func (w Windows) Rects(iw, ih int) (rects []image.Rectangle, cols, rows int) {
	xs, ys := w.offsets(iw), w.offsets(ih)
	sx, sy := min(w.Side, iw), min(w.Side, ih)
	for _, y := range ys {
		for _, x := range xs {
			rects = append(rects, image.Rect(x, y, x+sx, y+sy))
		}
	}
	return rects, len(xs), len(ys)
}

// offsets places the tiles along an axis of n pixels: the first at 0, the
// last ending at n, evenly in between.
func (w Windows) offsets(n int) []int {
	if n <= w.Side {
		return []int{0}
	}
	step := max(1, int(float64(w.Side)*(1-w.Overlap)))
	c := (n-w.Side+step-1)/step + 1
	out := make([]int, c)
	for i := range out {
		out[i] = i * (n - w.Side) / (c - 1)
	}
	return out
}

// Owners returns where neighbouring tiles hand an image over: the tiles
// seen, cols×rows of them in row order (as Windows.Rects gives them),
// each the part of the w×h image a tile shows; tile column c owns image
// columns colB[c] to colB[c+1], tile row r rows rowB[r] to rowB[r+1],
// each bound the middle of the overlap of its neighbours (where their
// centres' midpoint lies), so that every pixel of the image has exactly
// one owner, never in the outer part of a tile's side where an overlap
// lets another take it.
func Owners(seen []image.Rectangle, cols, rows, w, h int) (colB, rowB []int) {
	colB, rowB = make([]int, cols+1), make([]int, rows+1)
	colB[cols], rowB[rows] = w, h
	for c := 1; c < cols; c++ {
		a, b := seen[c-1], seen[c]
		colB[c] = (a.Min.X + a.Max.X + b.Min.X + b.Max.X) / 4
	}
	for r := 1; r < rows; r++ {
		a, b := seen[(r-1)*cols], seen[r*cols]
		rowB[r] = (a.Min.Y + a.Max.Y + b.Min.Y + b.Max.Y) / 4
	}
	return colB, rowB
}

// OutPixel returns the output pixel, along one axis, of the image pixel
// at v for a tile whose input shows [lo, hi) of that axis at size pixels:
// nearest neighbour, clamped to the tile.
func OutPixel(v, lo, hi, size int) int {
	i := int((float64(v-lo) + 0.5) * float64(size) / float64(hi-lo))
	return min(max(i, 0), size-1)
}

// OwnedPixels counts, along one axis, the image pixels [b0, b1) a tile
// owns (see Owners) that fall in each of its size output pixels, for a
// tile whose input shows [lo, hi) of the axis (see OutPixel).
func OwnedPixels(b0, b1, lo, hi, size int) []int64 {
	n := make([]int64, size)
	for v := b0; v < b1; v++ {
		n[OutPixel(v, lo, hi, size)]++
	}
	return n
}

// TilesAt reads the tiles rects of src, in order, one at a time, each
// reduced by the factor f ≥ 1 (see Source.Window). The iteration stops at
// the first error, which it yields.
func TilesAt(src Source, rects []image.Rectangle, f int) iter.Seq2[Tile, error] {
	return func(yield func(Tile, error) bool) {
		for i, r := range rects {
			ras, err := src.Window(r, f)
			if err != nil {
				yield(Tile{}, fmt.Errorf("imageio: tile %d %v: %w", i+1, r, err))
				return
			}
			if !yield(Tile{Index: i, Rect: r, Factor: f, Raster: ras}, nil) {
				return
			}
		}
	}
}

// Sub returns a copy of the part rect of r (inside r).
func (r *Raster) Sub(rect image.Rectangle) *Raster {
	rect = rect.Intersect(image.Rect(0, 0, r.W, r.H))
	out := &Raster{W: rect.Dx(), H: rect.Dy(), Bands: r.Bands, Max: r.Max, Pix: make([]float32, rect.Dx()*rect.Dy()*r.Bands)}
	for y := range out.H {
		row := ((rect.Min.Y+y)*r.W + rect.Min.X) * r.Bands
		copy(out.Pix[y*out.W*r.Bands:(y+1)*out.W*r.Bands], r.Pix[row:row+out.W*r.Bands])
	}
	return out
}
