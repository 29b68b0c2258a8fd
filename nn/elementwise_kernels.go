package nn

// Vector helpers on float32 slices. They use the AVX2/FMA kernels where the
// CPU has them, and plain loops for the tail and elsewhere. All slices must
// be at least as long as the first.

// vecAffine sets y = x·a + b.
func vecAffine(x, a, b, y []float32) {
	n := len(x)
	a, b, y = a[:n], b[:n], y[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		affineAVX(x[:i], a[:i], b[:i], y[:i])
	}
	for ; i < n; i++ {
		y[i] = x[i]*a[i] + b[i]
	}
}

// vecAffine3 sets y = x·a + b + z·k.
func vecAffine3(x, z, a, b, k, y []float32) {
	n := len(x)
	z, a, b, k, y = z[:n], a[:n], b[:n], k[:n], y[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		affine3AVX(x[:i], z[:i], a[:i], b[:i], k[:i], y[:i])
	}
	for ; i < n; i++ {
		y[i] = x[i]*a[i] + b[i] + z[i]*k[i]
	}
}

// vecRelu sets y = max(x, 0); y may alias x.
func vecRelu(x, y []float32) {
	n := len(x)
	y = y[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		reluAVX(x[:i], y[:i])
	}
	for ; i < n; i++ {
		y[i] = max(x[i], 0)
	}
}

// vecReluGrad sets gx = gy where y > 0 and 0 elsewhere.
func vecReluGrad(y, gy, gx []float32) {
	n := len(y)
	gy, gx = gy[:n], gx[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		reluGradAVX(y[:i], gy[:i], gx[:i])
	}
	for ; i < n; i++ {
		g := gy[i]
		if !(y[i] > 0) {
			g = 0
		}
		gx[i] = g
	}
}

// vecAdd adds src into dst.
func vecAdd(dst, src []float32) {
	n := len(dst)
	src = src[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		addAVX(dst[:i], src[:i])
	}
	for ; i < n; i++ {
		dst[i] += src[i]
	}
}

// vecSumProd adds g to s and g·(x − c) to q.
func vecSumProd(g, x, c, s, q []float32) {
	n := len(g)
	x, c, s, q = x[:n], c[:n], s[:n], q[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		sumProdAVX(g[:i], x[:i], c[:i], s[:i], q[:i])
	}
	for ; i < n; i++ {
		s[i] += g[i]
		q[i] += g[i] * (x[i] - c[i])
	}
}

// vecMulAdd adds a·b into dst.
func vecMulAdd(dst, a, b []float32) {
	n := len(dst)
	a, b = a[:n], b[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		mulAddAVX(dst[:i], a[:i], b[:i])
	}
	for ; i < n; i++ {
		dst[i] += a[i] * b[i]
	}
}

// vecMax sets dst = src where src > dst, leaving ties, smaller values and
// NaNs in src alone, like vecMaxIdx without the positions.
func vecMax(dst, src []float32) {
	n := len(dst)
	src = src[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		maxAVX(dst[:i], src[:i])
	}
	for ; i < n; i++ {
		if src[i] > dst[i] {
			dst[i] = src[i]
		}
	}
}

// vecMaxIdx sets dst = src and idx = k where src > dst, leaving ties and
// smaller values alone.
func vecMaxIdx(dst []float32, idx []int32, src []float32, k int32) {
	n := len(dst)
	idx, src = idx[:n], src[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		maxIdxAVX(dst[:i], idx[:i], src[:i], k)
	}
	for ; i < n; i++ {
		best, v, id := dst[i], src[i], idx[i]
		if v > best {
			id = k
		}
		idx[i] = id
		dst[i] = max(best, v)
	}
}

// vecSelectIdx sets dst = g where idx == k and 0 elsewhere.
func vecSelectIdx(dst, g []float32, idx []int32, k int32) {
	n := len(dst)
	g, idx = g[:n], idx[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		selectIdxAVX(dst[:i], g[:i], idx[:i], k)
	}
	for ; i < n; i++ {
		v := g[i]
		if idx[i] != k {
			v = 0
		}
		dst[i] = v
	}
}

// vecAddRelu sets dst = max(dst + src, 0).
func vecAddRelu(dst, src []float32) {
	n := len(dst)
	src = src[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		addReluAVX(dst[:i], src[:i])
	}
	for ; i < n; i++ {
		dst[i] = max(dst[i]+src[i], 0)
	}
}

// vecAdd2 sets y = a + b, clamped below at 0 when relu is set.
func vecAdd2(y, a, b []float32, relu bool) {
	n := len(y)
	a, b = a[:n], b[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		add2AVX(y[:i], a[:i], b[:i], relu)
	}
	for ; i < n; i++ {
		v := a[i] + b[i]
		if relu {
			v = max(v, 0)
		}
		y[i] = v
	}
}

// vecLeaky sets y = x for x > 0 and alpha·x otherwise; y may alias x.
func vecLeaky(x, y []float32, alpha float32) {
	n := len(x)
	y = y[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		leakyAVX(x[:i], y[:i], alpha)
	}
	for ; i < n; i++ {
		y[i] = max(x[i], 0) + alpha*min(x[i], 0)
	}
}

// vecSigmoid sets y = sigmoid(x), or x·sigmoid(x) (SiLU) when silu is set;
// y may alias x.
func vecSigmoid(x, y []float32, silu bool) {
	n := len(x)
	y = y[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		sigmoidAVX(x[:i], y[:i], silu)
	}
	for ; i < n; i++ {
		v := sigmoid32(x[i])
		if silu {
			v *= x[i]
		}
		y[i] = v
	}
}

// vecMul sets y = a·b.
func vecMul(y, a, b []float32) {
	n := len(y)
	a, b = a[:n], b[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		mulAVX(y[:i], a[:i], b[:i])
	}
	for ; i < n; i++ {
		y[i] = a[i] * b[i]
	}
}

// vecClamp sets y = min(max(x, lo), hi); y may alias x.
func vecClamp(x, y []float32, lo, hi float32) {
	n := len(x)
	y = y[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		clampAVX(x[:i], y[:i], lo, hi)
	}
	for ; i < n; i++ {
		y[i] = min(max(x[i], lo), hi)
	}
}

// vecClampGrad sets gx = gy·scale where lo < y < hi and 0 elsewhere: the
// gradient of a clamp (scale 1) or of a hard sigmoid (scale its slope),
// given its output y.
func vecClampGrad(y, gy, gx []float32, lo, hi, scale float32) {
	n := len(y)
	gy, gx = gy[:n], gx[:n]
	i := 0
	if useAVX && n >= 8 {
		i = n &^ 7
		clampGradAVX(y[:i], gy[:i], gx[:i], lo, hi, scale)
	}
	for ; i < n; i++ {
		g := gy[i] * scale
		if !(y[i] > lo && y[i] < hi) {
			g = 0
		}
		gx[i] = g
	}
}
