package nn

import (
	"fmt"
	"math"

	"mlabel/tensor"
)

// bnGrain is the number of rows below which batch norm stays on one
// goroutine.
const bnGrain = 256

// batchNormLayer normalises each channel (the last axis) of its input. In
// training it uses the batch statistics over every other axis and updates the
// running statistics with PyTorch's momentum convention and the unbiased
// variance; in evaluation it uses the running statistics.
type batchNormLayer struct {
	shapeCheck
	eps, momentum     float64
	gamma, beta       *Param
	runMean, runVar   *Param
	mean, invStd      []float64 // statistics used by the last Forward
	scale, shift      []float32
	sums              chanSums
	pivot             []float32 // per-channel centre for the sums
	coefGy, coefConst []float32
	coefX             []float32
	train             bool // mode of the last Forward
}

func newBatchNorm(b *builder, name string, a Attrs, in [][]int) (*batchNormLayer, error) {
	s, err := sameShapeOut(in, 1)
	if err != nil {
		return nil, err
	}
	c := s[len(s)-1]
	l := &batchNormLayer{eps: a.Eps, momentum: a.Momentum}
	if l.eps == 0 {
		l.eps = 1e-5
	}
	if l.momentum == 0 {
		l.momentum = 0.1
	}
	if l.eps < 0 || l.momentum < 0 || l.momentum > 1 {
		return nil, fmt.Errorf("eps %g or momentum %g out of range", l.eps, l.momentum)
	}
	l.gamma = b.param(name, "gamma", false, true, c).fill(1)
	l.beta = b.param(name, "beta", false, true, c)
	l.runMean = b.param(name, "running_mean", true, false, c)
	l.runVar = b.param(name, "running_var", true, false, c).fill(1)
	return l, nil
}

// OutShape returns the input shape; the last axis must match the channels.
func (l *batchNormLayer) OutShape(in [][]int) ([]int, error) {
	return channelsLastOut(in, l.gamma.Value.Len())
}

// Params returns gamma, beta, running_mean and running_var.
func (l *batchNormLayer) Params() []*Param {
	return []*Param{l.gamma, l.beta, l.runMean, l.runVar}
}

// chanSums computes per-channel reductions over the rows of row-major
// [rows, C] matrices, in parallel, reusing its buffers. Each part sums a few
// rows in float32 (vectorised) and flushes them into float64 totals.
type chanSums struct {
	part32 []float32 // per-part float32 block sums, 2·C each
	part64 []float64 // per-part float64 sums, 2·C each, then the totals
	center []float32
}

// sumsFlush is the number of rows summed in float32 before flushing.
const sumsFlush = 16

// sums returns Σa and Σ a·(b−center) per channel, where center has C
// values. The results are valid until the next call.
func (l *chanSums) sums(a, b []float32, center []float32, c int) (s1, s2 []float64) {
	rows := len(a) / c
	parts := numParts(rows, bnGrain)
	l.part32 = grow(l.part32, 2*c*parts)
	l.part64 = grow64(l.part64, 2*c*(parts+1))
	clear(l.part32)
	clear(l.part64)
	parallelFor(rows, bnGrain, func(p, lo, hi int) {
		s32, q32 := l.part32[2*c*p:2*c*p+c], l.part32[2*c*p+c:2*c*(p+1)]
		s64, q64 := l.part64[2*c*p:2*c*p+c], l.part64[2*c*p+c:2*c*(p+1)]
		for r := lo; r < hi; r++ {
			vecSumProd(a[r*c:(r+1)*c], b[r*c:(r+1)*c], center, s32, q32)
			if (r-lo)%sumsFlush == sumsFlush-1 || r == hi-1 {
				for i := range s64 {
					s64[i] += float64(s32[i])
					q64[i] += float64(q32[i])
				}
				clear(s32)
				clear(q32)
			}
		}
	})
	s1 = l.part64[2*c*parts : 2*c*parts+c]
	s2 = l.part64[2*c*parts+c : 2*c*(parts+1)]
	for p := 0; p < parts; p++ {
		for i := 0; i < c; i++ {
			s1[i] += l.part64[2*c*p+i]
			s2[i] += l.part64[2*c*p+c+i]
		}
	}
	return s1, s2
}

// affine sets y = a[c]·x + b[c] (+ k[c]·z when z is not nil) row by row in
// parallel.
func affine(x, z, y, a, b, k []float32, c int) {
	rows := len(x) / c
	parallelFor(rows, bnGrain, func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			if z == nil {
				vecAffine(x[r*c:(r+1)*c], a, b, y[r*c:(r+1)*c])
			} else {
				vecAffine3(x[r*c:(r+1)*c], z[r*c:(r+1)*c], a, b, k, y[r*c:(r+1)*c])
			}
		}
	})
}

// Forward normalises with batch statistics (train) or running statistics.
func (l *batchNormLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	x := in[0].Data
	c := l.gamma.Value.Len()
	m := len(x) / c
	l.mean, l.invStd = grow64(l.mean, c), grow64(l.invStd, c)
	rm, rv := l.runMean.Value.Data, l.runVar.Value.Data
	l.train = train
	if train {
		if m < 2 {
			return fmt.Errorf("batch norm in training needs more than one value per channel, got %d", m)
		}
		// Summing x·(x−p) with p the first row keeps the variance accurate
		// when the mean is large: m·var = Σx(x−p) + Σx·(p−mean).
		l.pivot = append(l.pivot[:0], x[:c]...)
		s, q := l.sums.sums(x, x, l.pivot, c)
		mom := l.momentum
		for i := 0; i < c; i++ {
			mean := s[i] / float64(m)
			v := max((q[i]+s[i]*(float64(l.pivot[i])-mean))/float64(m), 0)
			l.mean[i], l.invStd[i] = mean, 1/math.Sqrt(v+l.eps)
			rm[i] = float32((1-mom)*float64(rm[i]) + mom*mean)
			rv[i] = float32((1-mom)*float64(rv[i]) + mom*v*float64(m)/float64(m-1))
		}
	} else {
		for i := 0; i < c; i++ {
			l.mean[i], l.invStd[i] = float64(rm[i]), 1/math.Sqrt(float64(rv[i])+l.eps)
		}
	}
	l.scale, l.shift = grow(l.scale, c), grow(l.shift, c)
	gm, bt := l.gamma.Value.Data, l.beta.Value.Data
	for i := 0; i < c; i++ {
		sc := float64(gm[i]) * l.invStd[i]
		l.scale[i] = float32(sc)
		l.shift[i] = float32(float64(bt[i]) - l.mean[i]*sc)
	}
	affine(x, nil, out.Data, l.scale, l.shift, nil, c)
	return nil
}

// Backward adds the gamma and beta gradients and writes the input gradient,
// for whichever mode the last Forward ran in.
func (l *batchNormLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	x, gy := in[0].Data, gradOut.Data
	c := l.gamma.Value.Len()
	if len(l.mean) != c {
		return fmt.Errorf("batch norm backward before forward")
	}
	m := float64(len(x) / c)
	// sg = Σgy, sgx = Σgy·(x−mean); dβ = sg, dγ = sgx·invStd.
	l.pivot = l.pivot[:0]
	for _, v := range l.mean {
		l.pivot = append(l.pivot, float32(v))
	}
	sg, sgx := l.sums.sums(gy, x, l.pivot, c)
	gm, dg, db := l.gamma.Value.Data, l.gamma.Grad.Data, l.beta.Grad.Data
	for i := 0; i < c; i++ {
		db[i] += float32(sg[i])
		dg[i] += float32(sgx[i] * l.invStd[i])
	}
	if gradIn[0] == nil {
		return nil
	}
	// Train: dx = a·gy + b·x + k with a = γ·invStd,
	// b = −a·invStd²·sgx/m, k = −a·sg/m − b·mean. Eval: dx = a·gy.
	l.coefGy, l.coefConst, l.coefX = grow(l.coefGy, c), grow(l.coefConst, c), grow(l.coefX, c)
	train := l.train
	for i := 0; i < c; i++ {
		a := float64(gm[i]) * l.invStd[i]
		var b, k float64
		if train {
			b = -a * l.invStd[i] * l.invStd[i] * sgx[i] / m
			k = -a*sg[i]/m - b*l.mean[i]
		}
		l.coefGy[i], l.coefConst[i], l.coefX[i] = float32(a), float32(k), float32(b)
	}
	affine(gy, x, gradIn[0].Data, l.coefGy, l.coefConst, l.coefX, c)
	return nil
}
