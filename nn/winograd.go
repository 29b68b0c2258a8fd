package nn

import "mlabel/gemm"

// Winograd F(4×4, 3×3) convolution (Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016) for 3×3 stride-1 convolutions: each
// 4×4 block of output pixels comes from a 6×6 block of input pixels through
//
//	Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
//
// so the products of a tile are 36 element-wise products per channel pair
// instead of 144. Over a batch these are 36 matrix products, one per tile
// position ξ: M[ξ] (tiles × Cout) = V[ξ] (tiles × Cin) · U[ξ] (Cin × Cout),
// with V the transformed input tiles and U the transformed weights. The
// input gradient is the same convolution of the output gradient with the
// weights turned by 180° and transposed; the weight gradient keeps the
// im2col path.

const (
	wgOut   = 4           // output pixels per tile side
	wgIn    = wgOut + 2   // input pixels per tile side
	wgPos   = wgIn * wgIn // positions of a transformed tile
	wgMin   = 64          // the fewest tiles per pass for the Winograd path
	wgChunk = 64          // the fewest tiles a chunk holds
)

// winogradOn enables the Winograd path; tests switch it off to compare with
// the im2col path.
var winogradOn = true

// winogradMinChannels is the fewest input and output channels for which the
// Winograd path pays: with fewer, its transforms cost more than the
// products they save.
var winogradMinChannels = 16

// winograd reports whether the Winograd path computes the current geometry:
// a 3×3 kernel, stride and dilation 1, one group, padding of at most 2 on
// every side, outputs of at least one tile each way, and enough tiles and
// channels for it to pay.
func (l *convLayer) winograd() bool {
	g := &l.win
	return winogradOn && g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 &&
		l.groups == 1 && max(g.pt, g.pl, g.pb, g.pr) <= 2 &&
		g.oh >= wgOut && g.ow >= wgOut &&
		min(g.c, l.cout) >= winogradMinChannels &&
		g.n*ceilDiv(g.oh, wgOut)*ceilDiv(g.ow, wgOut) >= wgMin
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// wgGeom is one Winograd convolution: n images of h×w×c in x, padded by pt
// above and pl on the left, give oh×ow×k in y.
type wgGeom struct {
	n, h, w, c int
	oh, ow, k  int
	pt, pl     int
}

// tiles returns the tile rows and columns of an image, and all the tiles.
func (g *wgGeom) tiles() (th, tw, total int) {
	th, tw = ceilDiv(g.oh, wgOut), ceilDiv(g.ow, wgOut)
	return th, tw, g.n * th * tw
}

// chunk returns the tiles a pass transforms at once: what fits the column
// budget, and at least 64.
func (g *wgGeom) chunk() int {
	return max(colBudget/(wgPos*(g.c+g.k)), wgChunk)
}

// winogradForward computes the layer's convolution of x into y (no bias or
// activation).
func (l *convLayer) winogradForward(x, y []float32) {
	g := &l.win
	ws := l.scratch()
	u := &ws.slots(scratchWinoU, 1)[0]
	*u = grow(*u, wgPos*g.c*l.cout)
	wgWeights(ws, l.weight.Value.Data, *u, g.c*l.cout)
	winogradConv(ws, &wgGeom{n: g.n, h: g.h, w: g.w, c: g.c, oh: g.oh, ow: g.ow, k: l.cout, pt: g.pt, pl: g.pl}, x, *u, y)
}

// winogradBackwardData writes the input gradient gx of gy: the convolution
// of gy, padded by 2-pt and 2-pl, with the weights turned by 180° and their
// input and output channels swapped.
func (l *convLayer) winogradBackwardData(gy, gx []float32) {
	g := &l.win
	ws := l.scratch()
	c, k := g.c, l.cout
	wt := &ws.slots(scratchWinoW, 1)[0]
	*wt = grow(*wt, 9*c*k)
	w := l.weight.Value.Data
	for i := 0; i < 9; i++ {
		src, dst := w[i*c*k:(i+1)*c*k], (*wt)[(8-i)*c*k:(9-i)*c*k]
		for ci := 0; ci < c; ci++ {
			row := src[ci*k : (ci+1)*k]
			for co, v := range row {
				dst[co*c+ci] = v
			}
		}
	}
	u := &ws.slots(scratchWinoU, 1)[0]
	*u = grow(*u, wgPos*c*k)
	wgWeights(ws, *wt, *u, c*k)
	winogradConv(ws, &wgGeom{n: g.n, h: g.oh, w: g.ow, c: k, oh: g.h, ow: g.w, k: c, pt: 2 - g.pt, pl: 2 - g.pl}, gy, *u, gx)
}

// wgWeights writes U = G g Gᵀ for the 3×3 kernels in w (HWIO, planes of p
// values, one per kernel position) into u, 36 planes of p values.
func wgWeights(ws *scratch, w, u []float32, p int) {
	const grain = 4096
	bufs := ws.slots(scratchWinoT, numParts(p, grain))
	parallelFor(p, grain, func(part, lo, hi int) {
		var tmp [wgIn * 3][]float32
		bufs[part] = grow(bufs[part], wgIn*3*(hi-lo))
		buf := bufs[part]
		for i := range tmp {
			tmp[i] = buf[i*(hi-lo) : (i+1)*(hi-lo)]
		}
		plane := func(s []float32, i int) []float32 { return s[i*p+lo : i*p+hi] }
		for j := 0; j < 3; j++ { // columns: tmp[a][j] = Σ_i G[a][i] w[i][j]
			wgG(plane(w, j), plane(w, 3+j), plane(w, 6+j),
				tmp[0*3+j], tmp[1*3+j], tmp[2*3+j], tmp[3*3+j], tmp[4*3+j], tmp[5*3+j])
		}
		for a := 0; a < wgIn; a++ { // rows: u[a][b] = Σ_j tmp[a][j] G[b][j]
			wgG(tmp[a*3], tmp[a*3+1], tmp[a*3+2],
				plane(u, a*wgIn), plane(u, a*wgIn+1), plane(u, a*wgIn+2),
				plane(u, a*wgIn+3), plane(u, a*wgIn+4), plane(u, a*wgIn+5))
		}
	})
}

// winogradConv computes the convolution of geometry g of x with the
// transformed weights u (36 planes of c×k) into y. The tiles are split
// among the cores, each transforming its tiles chunk by chunk into buffers
// of its own and running single-threaded products; with one part the
// products use every core.
func winogradConv(ws *scratch, g *wgGeom, x, u, y []float32) {
	_, _, total := g.tiles()
	tc := min(g.chunk(), total)
	parts := numParts(total, wgMin/2)
	if !gemm.Serial(min(tc, ceilDiv(total, parts)), g.k, g.c) {
		parts = 1
	}
	bufs := ws.slots(scratchWino, parts)
	parallelFor(parts, 1, func(part, _, _ int) {
		lo, hi := part*total/parts, (part+1)*total/parts
		bufs[part] = grow(bufs[part], wgPos*tc*(g.c+g.k)+wgPos*max(g.c, g.k)+g.c)
		mul := gemm.Sgemm
		if parts > 1 {
			mul = gemm.SgemmSerial
		}
		for t0 := lo; t0 < hi; t0 += tc {
			t1 := min(t0+tc, hi)
			nt := t1 - t0
			buf := bufs[part]
			v, m := buf[:wgPos*nt*g.c], buf[wgPos*tc*g.c:wgPos*tc*g.c+wgPos*nt*g.k]
			tmp := buf[wgPos*tc*(g.c+g.k):]
			g.inputTiles(x, v, tmp, t0, t1)
			for p := 0; p < wgPos; p++ {
				mul(false, false, nt, g.k, g.c, 1, v[p*nt*g.c:], g.c, u[p*g.c*g.k:], g.k, 0, m[p*nt*g.k:], g.k)
			}
			g.outputTiles(m, y, tmp, t0, t1)
		}
	})
}

// inputTiles writes V = Bᵀ d B of tiles t0..t1-1 into v (36 planes of
// (t1-t0)×c), using tmp (36·c + c values) as work space.
func (g *wgGeom) inputTiles(x, v, tmp []float32, t0, t1 int) {
	th, tw, _ := g.tiles()
	c, nt := g.c, t1-t0
	zero := tmp[wgPos*c : wgPos*c+c]
	clear(zero)
	var rows [wgPos][]float32
	var t [wgPos][]float32
	for i := range t {
		t[i] = tmp[i*c : (i+1)*c]
	}
	for ti := t0; ti < t1; ti++ {
		n, r := ti/(th*tw), ti%(th*tw)
		h0, w0 := r/tw*wgOut-g.pt, r%tw*wgOut-g.pl
		for a := 0; a < wgIn; a++ {
			ih := h0 + a
			for b := 0; b < wgIn; b++ {
				iw := w0 + b
				if ih < 0 || ih >= g.h || iw < 0 || iw >= g.w {
					rows[a*wgIn+b] = zero
				} else {
					o := ((n*g.h+ih)*g.w + iw) * c
					rows[a*wgIn+b] = x[o : o+c]
				}
			}
		}
		for b := 0; b < wgIn; b++ { // t[a][b] = Σ_i Bᵀ[a][i] d[i][b]
			wgBT(rows[b], rows[wgIn+b], rows[2*wgIn+b], rows[3*wgIn+b], rows[4*wgIn+b], rows[5*wgIn+b],
				t[b], t[wgIn+b], t[2*wgIn+b], t[3*wgIn+b], t[4*wgIn+b], t[5*wgIn+b])
		}
		k := ti - t0
		out := func(p int) []float32 { return v[(p*nt+k)*c : (p*nt+k+1)*c] }
		for a := 0; a < wgIn; a++ { // v[a][b] = Σ_j t[a][j] B[j][b]
			r := a * wgIn
			wgBT(t[r], t[r+1], t[r+2], t[r+3], t[r+4], t[r+5],
				out(r), out(r+1), out(r+2), out(r+3), out(r+4), out(r+5))
		}
	}
}

// outputTiles writes Y = Aᵀ m A of tiles t0..t1-1 from m (36 planes of
// (t1-t0)×k) into y, leaving out the pixels past the output's edges, using
// tmp (at least 36·k values) as work space.
func (g *wgGeom) outputTiles(m, y, tmp []float32, t0, t1 int) {
	th, tw, _ := g.tiles()
	k, nt := g.k, t1-t0
	var r [wgIn * wgOut][]float32
	for i := range r {
		r[i] = tmp[i*k : (i+1)*k]
	}
	sink := tmp[wgIn*wgOut*k : (wgIn*wgOut+4)*k]
	var dst [wgOut][]float32
	for ti := t0; ti < t1; ti++ {
		j := ti - t0
		in := func(p int) []float32 { return m[(p*nt+j)*k : (p*nt+j+1)*k] }
		for a := 0; a < wgIn; a++ { // r[a][q] = Σ_b m[a][b] A[b][q]
			p := a * wgIn
			wgAT(in(p), in(p+1), in(p+2), in(p+3), in(p+4), in(p+5),
				r[a*wgOut], r[a*wgOut+1], r[a*wgOut+2], r[a*wgOut+3])
		}
		n, rem := ti/(th*tw), ti%(th*tw)
		h0, w0 := rem/tw*wgOut, rem%tw*wgOut
		for q := 0; q < wgOut; q++ { // y[i][q] = Σ_a Aᵀ[i][a] r[a][q]
			ow := w0 + q
			for i := 0; i < wgOut; i++ {
				oh := h0 + i
				if oh < g.oh && ow < g.ow {
					o := ((n*g.oh+oh)*g.ow + ow) * k
					dst[i] = y[o : o+k]
				} else {
					dst[i] = sink[i*k : (i+1)*k]
				}
			}
			wgAT(r[q], r[wgOut+q], r[2*wgOut+q], r[3*wgOut+q], r[4*wgOut+q], r[5*wgOut+q],
				dst[0], dst[1], dst[2], dst[3])
		}
	}
}

// wgBT applies Bᵀ to six vectors: o = Bᵀ·d, element by element.
func wgBT(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5 []float32) {
	n := len(o0)
	d0, d1, d2, d3, d4, d5 = d0[:n], d1[:n], d2[:n], d3[:n], d4[:n], d5[:n]
	o1, o2, o3, o4, o5 = o1[:n], o2[:n], o3[:n], o4[:n], o5[:n]
	for i := range o0 {
		a0, a1, a2, a3, a4, a5 := d0[i], d1[i], d2[i], d3[i], d4[i], d5[i]
		s := a4 - 4*a2
		t := a3 - 4*a1
		o0[i] = 4*a0 - 5*a2 + a4
		o1[i] = s + t
		o2[i] = s - t
		s = a4 - a2
		t = 2 * (a3 - a1)
		o3[i] = s + t
		o4[i] = s - t
		o5[i] = 4*a1 - 5*a3 + a5
	}
}

// wgAT applies Aᵀ to six vectors: y = Aᵀ·m, element by element.
func wgAT(m0, m1, m2, m3, m4, m5, y0, y1, y2, y3 []float32) {
	n := len(y0)
	m0, m1, m2, m3, m4, m5 = m0[:n], m1[:n], m2[:n], m3[:n], m4[:n], m5[:n]
	y1, y2, y3 = y1[:n], y2[:n], y3[:n]
	for i := range y0 {
		a0, a1, a2, a3, a4, a5 := m0[i], m1[i], m2[i], m3[i], m4[i], m5[i]
		s12, d12 := a1+a2, a1-a2
		s34, d34 := a3+a4, a3-a4
		y0[i] = a0 + s12 + s34
		y1[i] = d12 + 2*d34
		y2[i] = s12 + 4*s34
		y3[i] = d12 + 8*d34 + a5
	}
}

// wgG applies G to three vectors: u = G·g, element by element.
func wgG(g0, g1, g2, u0, u1, u2, u3, u4, u5 []float32) {
	n := len(u0)
	g0, g1, g2 = g0[:n], g1[:n], g2[:n]
	u1, u2, u3, u4, u5 = u1[:n], u2[:n], u3[:n], u4[:n], u5[:n]
	for i := range u0 {
		a0, a1, a2 := g0[i], g1[i], g2[i]
		s := a0 + a2
		u0[i] = a0 / 4
		u1[i] = -(s + a1) / 6
		u2[i] = -(s - a1) / 6
		s = a0/24 + a2/6
		u3[i] = s + a1/12
		u4[i] = s - a1/12
		u5[i] = a2
	}
}
