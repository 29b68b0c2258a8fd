package nn

// Vector helpers on float32 slices. They use the AVX2/FMA kernels of
// elementwise_amd64.s or the NEON kernels of elementwise_arm64.s where the
// CPU has them, and plain loops for the tail and elsewhere. All slices must be at least as long as the first.

// vectorized is the one wrapper of the vector kernels: of n elements, kern
// gets the leading multiple of 8 when the CPU has AVX2/FMA, and elem each
// of the others. Both inline into the helpers.
func vectorized(n int, kern func(m int), elem func(i int)) {
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		kern(i)
	}
	for ; i < n; i++ {
		elem(i)
	}
}

// vecAffine sets y = x·a + b.
func vecAffine(x, a, b, y []float32) {
	n := len(x)
	x, a, b, y = x[:n], a[:n], b[:n], y[:n]
	vectorized(n, func(m int) { affineAVX(x[:m], a[:m], b[:m], y[:m]) },
		func(i int) { y[i] = x[i]*a[i] + b[i] })
}

// vecAffine3 sets y = x·a + b + z·k.
func vecAffine3(x, z, a, b, k, y []float32) {
	n := len(x)
	x, z, a, b, k, y = x[:n], z[:n], a[:n], b[:n], k[:n], y[:n]
	vectorized(n, func(m int) { affine3AVX(x[:m], z[:m], a[:m], b[:m], k[:m], y[:m]) },
		func(i int) { y[i] = x[i]*a[i] + b[i] + z[i]*k[i] })
}

// vecRelu sets y = max(x, 0); y may alias x.
func vecRelu(x, y []float32) {
	n := len(x)
	x, y = x[:n], y[:n]
	vectorized(n, func(m int) { reluAVX(x[:m], y[:m]) },
		func(i int) { y[i] = max(x[i], 0) })
}

// vecReluGrad sets gx = gy where y > 0 and 0 elsewhere.
func vecReluGrad(y, gy, gx []float32) {
	n := len(y)
	y, gy, gx = y[:n], gy[:n], gx[:n]
	vectorized(n, func(m int) { reluGradAVX(y[:m], gy[:m], gx[:m]) },
		func(i int) {
			g := gy[i]
			if !(y[i] > 0) {
				g = 0
			}
			gx[i] = g
		})
}

// vecAdd adds src into dst.
func vecAdd(dst, src []float32) {
	n := len(dst)
	dst, src = dst[:n], src[:n]
	vectorized(n, func(m int) { addAVX(dst[:m], src[:m]) },
		func(i int) { dst[i] += src[i] })
}

// vecSumProd adds g to s and g·(x − c) to q.
func vecSumProd(g, x, c, s, q []float32) {
	n := len(g)
	g, x, c, s, q = g[:n], x[:n], c[:n], s[:n], q[:n]
	vectorized(n, func(m int) { sumProdAVX(g[:m], x[:m], c[:m], s[:m], q[:m]) },
		func(i int) {
			s[i] += g[i]
			q[i] += g[i] * (x[i] - c[i])
		})
}

// vecMulAdd adds a·b into dst.
func vecMulAdd(dst, a, b []float32) {
	n := len(dst)
	dst, a, b = dst[:n], a[:n], b[:n]
	vectorized(n, func(m int) { mulAddAVX(dst[:m], a[:m], b[:m]) },
		func(i int) { dst[i] += a[i] * b[i] })
}

// vecMax sets dst = src where src > dst, leaving ties, smaller values and
// NaNs in src alone, like vecMaxIdx without the positions.
func vecMax(dst, src []float32) {
	n := len(dst)
	dst, src = dst[:n], src[:n]
	vectorized(n, func(m int) { maxAVX(dst[:m], src[:m]) },
		func(i int) {
			if src[i] > dst[i] {
				dst[i] = src[i]
			}
		})
}

// vecMaxIdx sets dst = src and idx = k where src > dst, leaving ties and
// smaller values alone.
func vecMaxIdx(dst []float32, idx []int32, src []float32, k int32) {
	n := len(dst)
	dst, idx, src = dst[:n], idx[:n], src[:n]
	vectorized(n, func(m int) { maxIdxAVX(dst[:m], idx[:m], src[:m], k) },
		func(i int) {
			best, v, id := dst[i], src[i], idx[i]
			if v > best {
				id = k
			}
			idx[i] = id
			dst[i] = max(best, v)
		})
}

// vecSelectIdx sets dst = g where idx == k and 0 elsewhere.
func vecSelectIdx(dst, g []float32, idx []int32, k int32) {
	n := len(dst)
	dst, g, idx = dst[:n], g[:n], idx[:n]
	vectorized(n, func(m int) { selectIdxAVX(dst[:m], g[:m], idx[:m], k) },
		func(i int) {
			v := g[i]
			if idx[i] != k {
				v = 0
			}
			dst[i] = v
		})
}

// vecAddRelu sets dst = max(dst + src, 0).
func vecAddRelu(dst, src []float32) {
	n := len(dst)
	dst, src = dst[:n], src[:n]
	vectorized(n, func(m int) { addReluAVX(dst[:m], src[:m]) },
		func(i int) { dst[i] = max(dst[i]+src[i], 0) })
}

// vecAdd2 sets y = a + b, clamped below at 0 when relu is set.
func vecAdd2(y, a, b []float32, relu bool) {
	n := len(y)
	y, a, b = y[:n], a[:n], b[:n]
	vectorized(n, func(m int) { add2AVX(y[:m], a[:m], b[:m], relu) },
		func(i int) {
			v := a[i] + b[i]
			if relu {
				v = max(v, 0)
			}
			y[i] = v
		})
}

// vecLeaky sets y = x for x > 0 and alpha·x otherwise; y may alias x.
func vecLeaky(x, y []float32, alpha float32) {
	n := len(x)
	x, y = x[:n], y[:n]
	vectorized(n, func(m int) { leakyAVX(x[:m], y[:m], alpha) },
		func(i int) { y[i] = max(x[i], 0) + alpha*min(x[i], 0) })
}

// vecSigmoid sets y = sigmoid(x), or x·sigmoid(x) (SiLU) when silu is set;
// y may alias x.
func vecSigmoid(x, y []float32, silu bool) {
	n := len(x)
	x, y = x[:n], y[:n]
	vectorized(n, func(m int) { sigmoidAVX(x[:m], y[:m], silu) },
		func(i int) {
			v := sigmoid32(x[i])
			if silu {
				v *= x[i]
			}
			y[i] = v
		})
}

// vecMul sets y = a·b.
func vecMul(y, a, b []float32) {
	n := len(y)
	y, a, b = y[:n], a[:n], b[:n]
	vectorized(n, func(m int) { mulAVX(y[:m], a[:m], b[:m]) },
		func(i int) { y[i] = a[i] * b[i] })
}

// vecClamp sets y = min(max(x, lo), hi); y may alias x.
func vecClamp(x, y []float32, lo, hi float32) {
	n := len(x)
	x, y = x[:n], y[:n]
	vectorized(n, func(m int) { clampAVX(x[:m], y[:m], lo, hi) },
		func(i int) { y[i] = min(max(x[i], lo), hi) })
}

// vecClampGrad sets gx = gy·scale where lo < y < hi and 0 elsewhere: the
// gradient of a clamp (scale 1) or of a hard sigmoid (scale its slope),
// given its output y.
func vecClampGrad(y, gy, gx []float32, lo, hi, scale float32) {
	n := len(y)
	y, gy, gx = y[:n], gy[:n], gx[:n]
	vectorized(n, func(m int) { clampGradAVX(y[:m], gy[:m], gx[:m], lo, hi, scale) },
		func(i int) {
			g := gy[i] * scale
			if !(y[i] > lo && y[i] < hi) {
				g = 0
			}
			gx[i] = g
		})
}
