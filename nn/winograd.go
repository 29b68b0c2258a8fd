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
// weights turned by 180° and transposed. The weight gradient is, per ξ,
// dU[ξ] = V[ξ]ᵀ · (A dY Aᵀ)[ξ], summed over the tiles, and dW = Gᵀ dU G.

const (
	wgOut      = 4           // output pixels per tile side
	wgIn       = wgOut + 2   // input pixels per tile side
	wgPos      = wgIn * wgIn // positions of a transformed tile
	wgMin      = 16          // the fewest tiles of a batch for the Winograd backward pass
	wgMinImage = 4           // the fewest tiles per image for the Winograd forward pass
	wgChunk    = 64          // the fewest tiles a chunk holds
)

// winogradOn enables the Winograd path; tests switch it off to compare with
// the im2col path.
var winogradOn = true

// winogradMinChannels is the fewest input and output channels for which the
// Winograd path pays: with fewer, its transforms cost more than the
// products they save.
const winogradMinChannels = 16

// winogradShape reports whether the Winograd path can compute the current
// geometry: a 3×3 kernel, stride and dilation 1, one group, padding of at
// most 2 on every side, and enough channels for it to pay.
func (l *convLayer) winogradShape() bool {
	g := &l.win
	return winogradOn && g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 &&
		l.groups == 1 && max(g.pt, g.pl, g.pb, g.pr) <= 2 &&
		min(g.c, l.cout) >= winogradMinChannels
}

// winograd reports whether the forward pass takes the Winograd path: the
// geometry allows it and each image has at least 2×2 tiles. The choice
// does not depend on the batch size, so an image gets the same outputs
// alone as in any batch.
func (l *convLayer) winograd() bool {
	g := &l.win
	return l.winogradShape() && ceilDiv(g.oh, wgOut)*ceilDiv(g.ow, wgOut) >= wgMinImage
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// wgGeom is one Winograd convolution: n images of h×w×c in x, padded by pt
// above and pl on the left, give oh×ow×k in y, with 36 transformed weight
// matrices of c×k (or k×c, read transposed).
type wgGeom struct {
	n, h, w, c int
	oh, ow, k  int
	pt, pl     int
	transU     bool // the weight matrices are stored k×c, to be read transposed
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
// input and output channels swapped. The turn reorders the kernel
// positions; the swap is left to the products, which read each transformed
// weight matrix transposed.
func (l *convLayer) winogradBackwardData(gy, gx []float32) {
	g := &l.win
	ws := l.scratch()
	c, k := g.c, l.cout
	wt := &ws.slots(scratchWinoW, 1)[0]
	*wt = grow(*wt, 9*c*k)
	w := l.weight.Value.Data
	for i := 0; i < 9; i++ {
		copy((*wt)[(8-i)*c*k:(9-i)*c*k], w[i*c*k:(i+1)*c*k])
	}
	u := &ws.slots(scratchWinoU, 1)[0]
	*u = grow(*u, wgPos*c*k)
	wgWeights(ws, *wt, *u, c*k)
	winogradConv(ws, &wgGeom{n: g.n, h: g.oh, w: g.ow, c: k, oh: g.h, ow: g.w, k: c, pt: 2 - g.pt, pl: 2 - g.pl, transU: true}, gy, *u, gx)
}

// wgWeights writes U = G g Gᵀ for the 3×3 kernels in w (HWIO, planes of p
// values, one per kernel position) into u, 36 planes of p values.
func wgWeights(ws *scratch, w, u []float32, p int) {
	const grain = 4096
	bufs := ws.slots(scratchWinoT, numParts(p, grain))
	parallelFor(p, grain, func(part, lo, hi int) {
		n := hi - lo
		bufs[part] = grow(bufs[part], wgIn*3*n)
		tmp := bufs[part]        // tmp[a][j], planes of n values
		for j := 0; j < 3; j++ { // tmp[a][j] = Σ_i G[a][i] w[i][j]
			wgGs(w[j*p+lo:], 3*p, tmp[j*n:], 3*n, n)
		}
		for a := 0; a < wgIn; a++ { // u[a][b] = Σ_j G[b][j] tmp[a][j]
			wgGs(tmp[a*3*n:], n, u[a*wgIn*p+lo:], p, n)
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
		bufs[part] = grow(bufs[part], tileBufLen(tc, g.c, g.k))
		mul := sgemm(parts > 1)
		for t0 := lo; t0 < hi; t0 += tc {
			t1 := min(t0+tc, hi)
			nt := t1 - t0
			buf := bufs[part]
			v, m, tmp := splitTileBuf(buf, tc, nt, g.c, g.k)
			g.inputTiles(x, v, tmp, t0, t1)
			ldu := g.k
			if g.transU {
				ldu = g.c
			}
			for p := 0; p < wgPos; p++ {
				mul(false, g.transU, nt, g.k, g.c, 1, v[p*nt*g.c:], g.c, u[p*g.c*g.k:], ldu, 0, m[p*nt*g.k:], g.k)
			}
			g.outputTiles(m, y, tmp, t0, t1)
		}
	})
}

// inputTiles writes V = Bᵀ d B of tiles t0..t1-1 into v (36 planes of
// (t1-t0)×c), using tmp (72·c values) as work space.
func (g *wgGeom) inputTiles(x, v, tmp []float32, t0, t1 int) {
	th, tw, _ := g.tiles()
	c, nt := g.c, t1-t0
	d, t := tmp[:wgPos*c], tmp[wgPos*c:2*wgPos*c]
	for ti := t0; ti < t1; ti++ {
		n, r := ti/(th*tw), ti%(th*tw)
		h0, w0 := r/tw*wgOut-g.pt, r%tw*wgOut-g.pl
		src, rs := d, wgIn*c // the tile, with rows rs apart
		if h0 >= 0 && w0 >= 0 && h0+wgIn <= g.h && w0+wgIn <= g.w {
			src, rs = x[((n*g.h+h0)*g.w+w0)*c:], g.w*c
		} else {
			g.gatherTile(x, d, n, h0, w0)
		}
		for b := 0; b < wgIn; b++ { // t[a][b] = Σ_i Bᵀ[a][i] d[i][b]
			wgBTs(src[b*c:], rs, t[b*c:], wgIn*c, c)
		}
		k := ti - t0
		for a := 0; a < wgIn; a++ { // v[a][b] = Σ_j Bᵀ[b][j] t[a][j]
			wgBTs(t[a*wgIn*c:], c, v[(a*wgIn*nt+k)*c:], nt*c, c)
		}
	}
}

// gatherTile copies the 6×6 input pixels of image n from row h0 and column
// w0 into d, zero where they fall outside the image.
func (g *wgGeom) gatherTile(x, d []float32, n, h0, w0 int) {
	c := g.c
	for a := 0; a < wgIn; a++ {
		ih := h0 + a
		for b := 0; b < wgIn; b++ {
			iw := w0 + b
			dst := d[(a*wgIn+b)*c : (a*wgIn+b+1)*c]
			if ih < 0 || ih >= g.h || iw < 0 || iw >= g.w {
				clear(dst)
			} else {
				copy(dst, x[((n*g.h+ih)*g.w+iw)*c:])
			}
		}
	}
}

// outputTiles writes Y = Aᵀ m A of tiles t0..t1-1 from m (36 planes of
// (t1-t0)×k) into y, leaving out the pixels past the output's edges, using
// tmp (40·k values) as work space.
func (g *wgGeom) outputTiles(m, y, tmp []float32, t0, t1 int) {
	th, tw, _ := g.tiles()
	k, nt := g.k, t1-t0
	r := tmp[:wgIn*wgOut*k]                                // r[a][q]
	part := tmp[wgIn*wgOut*k : (wgIn*wgOut+wgOut*wgOut)*k] // a tile cut by the edge
	for ti := t0; ti < t1; ti++ {
		j := ti - t0
		for a := 0; a < wgIn; a++ { // r[a][q] = Σ_b Aᵀ[q][b] m[a][b]
			wgATs(m[(a*wgIn*nt+j)*k:], nt*k, r[a*wgOut*k:], k, k)
		}
		n, rem := ti/(th*tw), ti%(th*tw)
		h0, w0 := rem/tw*wgOut, rem%tw*wgOut
		rows, cols := min(wgOut, g.oh-h0), min(wgOut, g.ow-w0)
		for q := 0; q < cols; q++ { // y[i][q] = Σ_a Aᵀ[i][a] r[a][q]
			o := ((n*g.oh+h0)*g.ow + w0 + q) * k
			if rows == wgOut {
				wgATs(r[q*k:], wgOut*k, y[o:], g.ow*k, k)
				continue
			}
			wgATs(r[q*k:], wgOut*k, part, k, k)
			for i := 0; i < rows; i++ {
				copy(y[o+i*g.ow*k:o+i*g.ow*k+k], part[i*k:])
			}
		}
	}
}

// wgVectorPart runs the vector transform k on the leading multiple of 8 of
// the n values, where the vector kernels run and there is one, and returns
// how many values it did; the caller's loop does the rest.
func wgVectorPart(k func(in *float32, is int, out *float32, os int, n int), in []float32, is int, out []float32, os, n int) int {
	if !wgVector || n < 8 {
		return 0
	}
	m := n &^ 7
	k(&in[0], is, &out[0], os, m)
	return m
}

// wgBTs applies Bᵀ to six vectors of n values, the i-th at in[i*is:], and
// writes the six results, the i-th at out[i*os:].
func wgBTs(in []float32, is int, out []float32, os int, n int) {
	in, out = in[:5*is+n], out[:5*os+n]
	i := wgVectorPart(wgBTAVX, in, is, out, os, n)
	for ; i < n; i++ {
		a0, a1, a2, a3, a4, a5 := in[i], in[is+i], in[2*is+i], in[3*is+i], in[4*is+i], in[5*is+i]
		s, t := a4-4*a2, a3-4*a1
		out[i] = 4*a0 - 5*a2 + a4
		out[os+i] = s + t
		out[2*os+i] = s - t
		s, t = a4-a2, 2*(a3-a1)
		out[3*os+i] = s + t
		out[4*os+i] = s - t
		out[5*os+i] = 4*a1 - 5*a3 + a5
	}
}

// wgATs applies Aᵀ to six vectors of n values, the i-th at in[i*is:], and
// writes the four results, the i-th at out[i*os:].
func wgATs(in []float32, is int, out []float32, os int, n int) {
	in, out = in[:5*is+n], out[:3*os+n]
	i := wgVectorPart(wgATAVX, in, is, out, os, n)
	for ; i < n; i++ {
		a0, a1, a2, a3, a4, a5 := in[i], in[is+i], in[2*is+i], in[3*is+i], in[4*is+i], in[5*is+i]
		s12, d12 := a1+a2, a1-a2
		s34, d34 := a3+a4, a3-a4
		out[i] = a0 + s12 + s34
		out[os+i] = d12 + 2*d34
		out[2*os+i] = s12 + 4*s34
		out[3*os+i] = d12 + 8*d34 + a5
	}
}

// wgGs applies G to three vectors of n values, the i-th at in[i*is:], and
// writes the six results, the i-th at out[i*os:].
func wgGs(in []float32, is int, out []float32, os int, n int) {
	in, out = in[:2*is+n], out[:5*os+n]
	i := wgVectorPart(wgGAVX, in, is, out, os, n)
	for ; i < n; i++ {
		a0, a1, a2 := in[i], in[is+i], in[2*is+i]
		s := a0 + a2
		out[i] = a0 * (1.0 / 4)
		out[os+i] = (s + a1) * (-1.0 / 6)
		out[2*os+i] = (s - a1) * (-1.0 / 6)
		s = a0*(1.0/24) + a2*(1.0/6)
		out[3*os+i] = s + a1*(1.0/12)
		out[4*os+i] = s - a1*(1.0/12)
		out[5*os+i] = a2
	}
}

// wgAs applies A to four vectors of n values, the i-th at in[i*is:], and
// writes the six results, the i-th at out[i*os:].
func wgAs(in []float32, is int, out []float32, os int, n int) {
	in, out = in[:3*is+n], out[:5*os+n]
	i := wgVectorPart(wgAAVX, in, is, out, os, n)
	for ; i < n; i++ {
		y0, y1, y2, y3 := in[i], in[is+i], in[2*is+i], in[3*is+i]
		e, o := y0+y2, y1+y3
		out[i] = y0
		out[os+i] = e + o
		out[2*os+i] = e - o
		e, o = y0+4*y2, 2*y1+8*y3
		out[3*os+i] = e + o
		out[4*os+i] = e - o
		out[5*os+i] = y3
	}
}

// wgGTs applies Gᵀ to six vectors of n values, the i-th at in[i*is:], and
// writes the three results, the i-th at out[i*os:].
func wgGTs(in []float32, is int, out []float32, os int, n int) {
	in, out = in[:5*is+n], out[:2*os+n]
	i := wgVectorPart(wgGTAVX, in, is, out, os, n)
	for ; i < n; i++ {
		u0, u1, u2, u3, u4, u5 := in[i], in[is+i], in[2*is+i], in[3*is+i], in[4*is+i], in[5*is+i]
		s12, s34 := u1+u2, u3+u4
		out[i] = u0*(1.0/4) - s12*(1.0/6) + s34*(1.0/24)
		out[os+i] = (u2-u1)*(1.0/6) + (u3-u4)*(1.0/12)
		out[2*os+i] = -s12*(1.0/6) + s34*(1.0/6) + u5
	}
}

// wgMaxGradWeights is the largest Cin·Cout for which the weight gradient
// takes the Winograd path: each core sums its tiles into 36 transformed
// gradient matrices of that size, which for wider layers cost more memory
// traffic than the products they save.
const wgMaxGradWeights = 256 * 256

// winogradBackward reports whether the backward pass takes the Winograd
// path (whichever path the forward pass took: the gradients are the same
// up to rounding): the geometry allows it, the batch has at least 16 tiles,
// and one for every 1024 weights of a kernel position. Each pass streams 36
// weight-sized matrices, four times the weight, which wide layers with few
// tiles cannot repay.
func (l *convLayer) winogradBackward() bool {
	g := &l.win
	tiles := g.n * ceilDiv(g.oh, wgOut) * ceilDiv(g.ow, wgOut)
	return l.winogradShape() && tiles >= wgMin && tiles*1024 >= g.c*l.cout
}

// winogradGradW reports whether the weight gradient takes the Winograd
// path as well.
func (l *convLayer) winogradGradW() bool {
	return l.win.c*l.cout <= wgMaxGradWeights
}

// winogradWeightGrad adds the weight gradient of gy to the layer's: per
// tile position, dU[ξ] = Σ_tiles V[ξ]ᵀ · (A dY Aᵀ)[ξ], and dW = Gᵀ dU G.
// The tiles are split among the cores, each summing its own dU.
func (l *convLayer) winogradWeightGrad(x, gy []float32) {
	wg := &l.win
	g := &wgGeom{n: wg.n, h: wg.h, w: wg.w, c: wg.c, oh: wg.oh, ow: wg.ow, k: l.cout, pt: wg.pt, pl: wg.pl}
	c, k := g.c, g.k
	_, _, total := g.tiles()
	tc := min(g.chunk(), total)
	parts := numParts(total, wgMin)
	if !gemm.Serial(c, k, min(tc, ceilDiv(total, parts))) {
		parts = 1
	}
	ws := l.scratch()
	bufs, dus := ws.slots(scratchWino, parts), ws.slots(scratchWinoDU, parts)
	parallelFor(parts, 1, func(part, _, _ int) {
		lo, hi := part*total/parts, (part+1)*total/parts
		bufs[part] = grow(bufs[part], tileBufLen(tc, c, k))
		dus[part] = grow(dus[part], wgPos*c*k)
		du := dus[part]
		clear(du)
		mul := sgemm(parts > 1)
		for t0 := lo; t0 < hi; t0 += tc {
			t1 := min(t0+tc, hi)
			nt := t1 - t0
			buf := bufs[part]
			v, dm, tmp := splitTileBuf(buf, tc, nt, c, k)
			g.inputTiles(x, v, tmp, t0, t1)
			g.gradTiles(gy, dm, tmp, t0, t1)
			for p := 0; p < wgPos; p++ {
				mul(true, false, c, k, nt, 1, v[p*nt*c:], c, dm[p*nt*k:], k, 1, du[p*c*k:], k)
			}
		}
	})
	for _, du := range dus[1:parts] {
		vecAdd(dus[0][:wgPos*c*k], du)
	}
	wgGradWeights(ws, dus[0], l.weight.Grad.Data, c*k)
}

// gradTiles writes A dY Aᵀ of the output-gradient tiles t0..t1-1 of gy
// into dm (36 planes of (t1-t0)×k), the pixels past the output's edges
// counting as zero, using tmp (40·k values) as work space.
func (g *wgGeom) gradTiles(gy, dm, tmp []float32, t0, t1 int) {
	th, tw, _ := g.tiles()
	k, nt := g.k, t1-t0
	d, t := tmp[:wgOut*wgOut*k], tmp[wgOut*wgOut*k:(wgOut*wgOut+wgIn*wgOut)*k]
	for ti := t0; ti < t1; ti++ {
		n, r := ti/(th*tw), ti%(th*tw)
		h0, w0 := r/tw*wgOut, r%tw*wgOut
		src, rs := gy[((n*g.oh+h0)*g.ow+w0)*k:], g.ow*k
		if h0+wgOut > g.oh || w0+wgOut > g.ow {
			src, rs = d, wgOut*k
			for i := 0; i < wgOut; i++ {
				for j := 0; j < wgOut; j++ {
					dst := d[(i*wgOut+j)*k : (i*wgOut+j+1)*k]
					if h0+i < g.oh && w0+j < g.ow {
						copy(dst, gy[((n*g.oh+h0+i)*g.ow+w0+j)*k:])
					} else {
						clear(dst)
					}
				}
			}
		}
		for q := 0; q < wgOut; q++ { // t[a][q] = Σ_i A[a][i] dy[i][q]
			wgAs(src[q*k:], rs, t[q*k:], wgOut*k, k)
		}
		j := ti - t0
		for a := 0; a < wgIn; a++ { // dm[a][b] = Σ_q A[b][q] t[a][q]
			wgAs(t[a*wgOut*k:], k, dm[(a*wgIn*nt+j)*k:], nt*k, k)
		}
	}
}

// wgGradWeights adds Gᵀ dU G, for the 36 planes of p values in du, to the
// HWIO weight gradient dw (9 planes of p values).
func wgGradWeights(ws *scratch, du, dw []float32, p int) {
	const grain = 4096
	bufs := ws.slots(scratchWinoT, numParts(p, grain))
	parallelFor(p, grain, func(part, lo, hi int) {
		n := hi - lo
		bufs[part] = grow(bufs[part], (wgIn*3+9)*n)
		r, out := bufs[part][:wgIn*3*n], bufs[part][wgIn*3*n:]
		for a := 0; a < wgIn; a++ { // r[a][j] = Σ_b G[b][j] du[a][b]
			wgGTs(du[a*wgIn*p+lo:], p, r[a*3*n:], n, n)
		}
		for j := 0; j < 3; j++ { // out[i][j] = Σ_a G[a][i] r[a][j]
			wgGTs(r[j*n:], 3*n, out[j*n:], 3*n, n)
		}
		for i := 0; i < 9; i++ {
			vecAdd(dw[i*p+lo:i*p+hi], out[i*n:(i+1)*n])
		}
	})
}

// tileBufLen is the scratch a Winograd worker needs for up to tc tiles of c
// input and k output channels: the transformed inputs, the products, and
// room for one tile's transform.
func tileBufLen(tc, c, k int) int { return wgPos*tc*(c+k) + 2*wgPos*max(c, k) }

// splitTileBuf cuts a worker's scratch (tileBufLen(tc, c, k) long) into the
// transformed inputs and products of nt ≤ tc tiles and the transform's room.
func splitTileBuf(buf []float32, tc, nt, c, k int) (v, m, tmp []float32) {
	return buf[:wgPos*nt*c], buf[wgPos*tc*c : wgPos*tc*c+wgPos*nt*k], buf[wgPos*tc*(c+k):]
}
