package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// Polygon is a polygon of pixels: its outer ring first, then its holes,
// each ring closed (last vertex = first), in pixel coordinates (column,
// row; the top left corner of the raster is 0, 0).
type Polygon [][][2]float64

// maxVectorPixels bounds the rasters Vectorize accepts.
const maxVectorPixels = 1 << 26

// Vectorize returns the polygons of the pixels of a w×h raster (row by
// row) equal to value: one per 4-connected region, with a hole for each
// region of other pixels it encloses (regions touching at a corner only
// are separate polygons). Each ring's vertices are the corners where its
// boundary turns. With tolerance > 0 the rings are simplified by
// Douglas-Peucker to within tolerance pixels, and rings left with no area
// dropped.
func Vectorize(pix []uint8, w, h int, value uint8, tolerance float64) ([]Polygon, error) {
	if w <= 0 || h <= 0 || int64(w)*int64(h) > maxVectorPixels || len(pix) != w*h {
		return nil, fmt.Errorf("geo: cannot vectorize %d values as %d×%d pixels (at most %d)", len(pix), w, h, maxVectorPixels)
	}
	comp, n := components(pix, w, h, value)
	v := &vectorizer{w: w, next: map[int][]int{}}
	first := make([]int, n+1) // each region's first edge, on its outer ring
	for i := range first {
		first[i] = -1
	}
	at := func(x, y int) bool { return x >= 0 && y >= 0 && x < w && y < h && pix[y*w+x] == value }
	for y := range h {
		for x := range w {
			c := comp[y*w+x]
			if c == 0 {
				continue
			}
			if first[c] < 0 {
				first[c] = len(v.edges)
			}
			// Edges run with the region on their right (y down).
			if !at(x, y-1) {
				v.add(x, y, x+1, y, c)
			}
			if !at(x+1, y) {
				v.add(x+1, y, x+1, y+1, c)
			}
			if !at(x, y+1) {
				v.add(x+1, y+1, x, y+1, c)
			}
			if !at(x-1, y) {
				v.add(x, y+1, x, y, c)
			}
		}
	}
	used := make([]bool, len(v.edges))
	polys := make([]Polygon, n+1)
	for c := 1; c <= n; c++ {
		polys[c] = Polygon{v.trace(first[c], used)}
	}
	for e := range v.edges {
		if !used[e] {
			c := v.edges[e].comp
			polys[c] = append(polys[c], v.trace(e, used))
		}
	}
	out := make([]Polygon, 0, n)
	for _, p := range polys[1:] {
		if tolerance > 0 {
			p = SimplifyPolygon(p, tolerance)
		}
		if len(p) > 0 {
			out = append(out, p)
		}
	}
	return out, nil
}

// components labels the 4-connected regions of pixels equal to value
// from 1; other pixels are 0.
func components(pix []uint8, w, h int, value uint8) ([]int32, int) {
	comp := make([]int32, len(pix))
	n := int32(0)
	var stack []int
	for i, p := range pix {
		if p != value || comp[i] != 0 {
			continue
		}
		n++
		comp[i] = n
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := j%w, j/w
			for _, k := range [4][2]int{{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}} {
				if k[0] < 0 || k[1] < 0 || k[0] >= w || k[1] >= h {
					continue
				}
				q := k[1]*w + k[0]
				if pix[q] == value && comp[q] == 0 {
					comp[q] = n
					stack = append(stack, q)
				}
			}
		}
	}
	return comp, int(n)
}

// edge is one pixel side on a region's boundary.
type edge struct {
	x0, y0, x1, y1 int
	comp           int32
}

// vectorizer holds the boundary edges of a raster's regions, and for each
// vertex the edges leaving it.
type vectorizer struct {
	w     int
	edges []edge
	next  map[int][]int
}

func (v *vectorizer) add(x0, y0, x1, y1 int, c int32) {
	v.next[y0*(v.w+1)+x0] = append(v.next[y0*(v.w+1)+x0], len(v.edges))
	v.edges = append(v.edges, edge{x0, y0, x1, y1, c})
}

// trace follows the ring that edge e starts, marking its edges used, and
// returns its turning vertices, closed. Where two edges of the region
// leave a vertex (two of its pixels touch there at a corner, and the
// region joins them elsewhere) it turns left, onto the other pixel: the
// ring closes there, and the pixels the region encloses but for that
// corner become a hole touching it at one point, as the OGC's simple
// features allow (a ring that touches itself they do not).
func (v *vectorizer) trace(e int, used []bool) [][2]float64 {
	var ring [][2]float64
	start := e
	for {
		used[e] = true
		cur := v.edges[e]
		dx, dy := cur.x1-cur.x0, cur.y1-cur.y0
		best, rank := -1, 4
		for _, o := range v.next[cur.y1*(v.w+1)+cur.x1] {
			n := v.edges[o]
			if n.comp != cur.comp || (used[o] && o != start) {
				continue
			}
			ndx, ndy := n.x1-n.x0, n.y1-n.y0
			r := 3 // a right turn
			switch {
			case ndx == dy && ndy == -dx:
				r = 1 // a left turn
			case ndx == dx && ndy == dy:
				r = 2
			}
			if r < rank {
				best, rank = o, r
			}
		}
		if rank != 2 {
			ring = append(ring, [2]float64{float64(cur.x1), float64(cur.y1)})
		}
		if best < 0 || best == start {
			break
		}
		e = best
	}
	return append(ring, ring[0])
}

// SimplifyPolygon simplifies each ring of p within tolerance pixels by
// Douglas-Peucker, dropping rings left without area, and the polygon with
// its outer ring. Where that leaves rings that cross or touch (as
// Douglas-Peucker may), it returns p as it was.
func SimplifyPolygon(p Polygon, tolerance float64) Polygon {
	s := simplifyRings(p, tolerance)
	if len(s) > 0 && !simple(s) {
		return p
	}
	return s
}

// simplifyRings is SimplifyPolygon without the check.
func simplifyRings(p Polygon, tolerance float64) Polygon {
	var out Polygon
	for i, r := range p {
		ring := make(orb.Ring, len(r))
		for k, q := range r {
			ring[k] = orb.Point(q)
		}
		s := simplify.DouglasPeucker(tolerance).Ring(ring)
		if len(s) < 4 || planarArea(toPairs(s)) == 0 {
			if i == 0 {
				return nil
			}
			continue
		}
		out = append(out, toPairs(s))
	}
	return out
}

func toPairs(r orb.Ring) [][2]float64 {
	out := make([][2]float64, len(r))
	for i, p := range r {
		out[i] = [2]float64(p)
	}
	return out
}

// simple reports whether no two edges of p's rings meet, but where
// consecutive edges of a ring share their vertex (without folding back on
// each other). Edges are bucketed in a grid so that a polygon of many
// edges is checked in about linear time.
func simple(p Polygon) bool {
	type seg struct {
		a, b       [2]float64
		ring, i, n int
	}
	var segs []seg
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for r, ring := range p {
		n := len(ring) - 1
		for i := range n {
			segs = append(segs, seg{ring[i], ring[i+1], r, i, n})
			for k := range 2 {
				lo[k] = math.Min(lo[k], ring[i][k])
				hi[k] = math.Max(hi[k], ring[i][k])
			}
		}
	}
	cells := max(1, int(math.Sqrt(float64(len(segs)))))
	size := math.Max(hi[0]-lo[0], hi[1]-lo[1])/float64(cells) + 1e-9
	cell := func(v float64, k int) int { return min(cells-1, int((v-lo[k])/size)) }
	grid := map[[2]int][]int{}
	for i, s := range segs {
		for cx := cell(math.Min(s.a[0], s.b[0]), 0); cx <= cell(math.Max(s.a[0], s.b[0]), 0); cx++ {
			for cy := cell(math.Min(s.a[1], s.b[1]), 1); cy <= cell(math.Max(s.a[1], s.b[1]), 1); cy++ {
				grid[[2]int{cx, cy}] = append(grid[[2]int{cx, cy}], i)
			}
		}
	}
	for _, in := range grid {
		for x := range in {
			for y := x + 1; y < len(in); y++ {
				s, t := segs[in[x]], segs[in[y]]
				adjacent := s.ring == t.ring && ((s.i+1)%s.n == t.i || (t.i+1)%t.n == s.i)
				if adjacent {
					if folds(s.a, s.b, t.a, t.b) {
						return false
					}
					continue
				}
				if meet(s.a, s.b, t.a, t.b) {
					return false
				}
			}
		}
	}
	return true
}

// orient is the sign of the turn a → b → c.
func orient(a, b, c [2]float64) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// onSegment reports whether c, collinear with a and b, lies between them.
func onSegment(a, b, c [2]float64) bool {
	return math.Min(a[0], b[0]) <= c[0] && c[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= c[1] && c[1] <= math.Max(a[1], b[1])
}

// meet reports whether the closed segments ab and cd share a point.
func meet(a, b, c, d [2]float64) bool {
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if ((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)) {
		return true
	}
	return (o1 == 0 && onSegment(a, b, c)) || (o2 == 0 && onSegment(a, b, d)) ||
		(o3 == 0 && onSegment(c, d, a)) || (o4 == 0 && onSegment(c, d, b))
}

// folds reports whether two consecutive edges ab and cd (b = c, or d = a)
// fold back along each other.
func folds(a, b, c, d [2]float64) bool {
	v, u, w := b, a, d // the shared vertex and the far ends
	if d == a {
		v, u, w = a, b, c
	}
	return orient(u, v, w) == 0 && (u[0]-v[0])*(w[0]-v[0])+(u[1]-v[1])*(w[1]-v[1]) > 0
}

// PolygonArea is the area of a polygon of pixels in pixels: its outer
// ring's less its holes'.
func PolygonArea(p Polygon) float64 {
	a := 0.0
	for i, r := range p {
		if i == 0 {
			a += planarArea(r)
		} else {
			a -= planarArea(r)
		}
	}
	return a
}
