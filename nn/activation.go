package nn

import (
	"fmt"
	"math"

	"mlabel/tensor"
)

// actGrain is the number of elements below which elementwise loops stay on
// one goroutine.
const actGrain = 1 << 14

// actFunc is an elementwise activation with its parameters. The zero value
// (op "") is the identity.
type actFunc struct {
	op    Op
	alpha float32
	beta  float32
}

// newActFunc returns the activation op with the parameters of attrs. An empty
// op is the identity.
func newActFunc(op Op, attrs Attrs) (actFunc, error) {
	a := actFunc{op: op}
	switch op {
	case "", OpReLU, OpReLU6, OpSiLU, OpHardSwish, OpSigmoid:
	case OpLeakyReLU:
		a.alpha = 0.01
		if attrs.Alpha != 0 {
			a.alpha = float32(attrs.Alpha)
		}
	case OpHardSigmoid:
		a.alpha, a.beta = 1.0/6, 0.5
		if attrs.Alpha != 0 {
			a.alpha = float32(attrs.Alpha)
		}
		if attrs.Beta != 0 {
			a.beta = float32(attrs.Beta)
		}
	default:
		return a, fmt.Errorf("unknown activation %q", op)
	}
	return a, nil
}

// identity reports whether a does nothing.
func (a actFunc) identity() bool { return a.op == "" }

// needsInput reports whether the derivative needs the activation's input;
// otherwise it is computed from the output alone.
func (a actFunc) needsInput() bool {
	switch a.op {
	case OpSiLU, OpHardSwish:
		return true
	case OpLeakyReLU:
		return a.alpha < 0
	}
	return false
}

// apply sets y[i] = f(x[i]); y may alias x.
func (a actFunc) apply(x, y []float32) {
	parallelFor(len(x), actGrain, func(_, lo, hi int) { a.applyRange(x[lo:hi], y[lo:hi]) })
}

func (a actFunc) applyRange(x, y []float32) {
	y = y[:len(x)]
	switch a.op {
	case "":
		copy(y, x)
	case OpReLU:
		vecRelu(x, y)
	case OpReLU6:
		vecClamp(x, y, 0, 6)
	case OpLeakyReLU:
		vecLeaky(x, y, a.alpha)
	case OpSiLU:
		vecSigmoid(x, y, true)
	case OpHardSigmoid:
		for i, v := range x {
			y[i] = min(max(a.alpha*v+a.beta, 0), 1)
		}
	case OpHardSwish:
		for i, v := range x {
			y[i] = v * min(max(v+3, 0), 6) / 6
		}
	case OpSigmoid:
		vecSigmoid(x, y, false)
	}
}

// grad sets gx[i] = gy[i]·f'(x[i]). x is the activation input and y its
// output; x may be nil when needsInput is false. gx may alias gy.
func (a actFunc) grad(x, y, gy, gx []float32) {
	parallelFor(len(gy), actGrain, func(_, lo, hi int) {
		var xs []float32
		if x != nil {
			xs = x[lo:hi]
		}
		a.gradRange(xs, y[lo:hi], gy[lo:hi], gx[lo:hi])
	})
}

func (a actFunc) gradRange(x, y, gy, gx []float32) {
	y = y[:len(gy)]
	gx = gx[:len(gy)]
	switch a.op {
	case "":
		copy(gx, gy)
	case OpReLU:
		vecReluGrad(y, gy, gx)
	case OpReLU6:
		vecClampGrad(y, gy, gx, 0, 6, 1)
	case OpLeakyReLU:
		if x != nil {
			y = x[:len(gy)]
		}
		for i, g := range gy {
			m := posMask(y[i])
			gx[i] = math.Float32frombits(math.Float32bits(g)&m | math.Float32bits(g*a.alpha)&^m)
		}
	case OpHardSigmoid:
		vecClampGrad(y, gy, gx, 0, 1, a.alpha)
	case OpSigmoid:
		for i, g := range gy {
			gx[i] = g * y[i] * (1 - y[i])
		}
	case OpSiLU:
		// The sigmoids come from the vector kernel, a block at a time.
		var buf [256]float32
		for lo := 0; lo < len(gy); lo += len(buf) {
			hi := min(lo+len(buf), len(gy))
			sig := buf[:hi-lo]
			vecSigmoid(x[lo:hi], sig, false)
			xs, gys, gxs := x[lo:hi], gy[lo:hi], gx[lo:hi]
			for i, s := range sig {
				gxs[i] = gys[i] * s * (1 + xs[i]*(1-s))
			}
		}
	case OpHardSwish:
		// PyTorch: 0 below -3, x/3 + 1/2 up to 3, 1 above; as bit masks.
		x = x[:len(gy)]
		for i, g := range gy {
			v := x[i]
			d := math.Float32bits(v/3+0.5) &^ posMask(-3-v)
			above := posMask(v - 3)
			d = d&^above | one&above
			gx[i] = g * math.Float32frombits(d)
		}
	}
}

// one is the bit pattern of 1.
var one = math.Float32bits(1)

// posMask returns all ones when v > 0 and zero otherwise (including -0),
// without a data-dependent branch: activation gradients on random data
// mispredict branches half the time.
func posMask(v float32) uint32 {
	b := int32(math.Float32bits(v))
	return uint32(-b>>31) &^ uint32(b>>31)
}

// sigmoid32 returns 1/(1+e^-v) in float32, via exp32.
func sigmoid32(v float32) float32 {
	return 1 / (1 + exp32(-v))
}

// exp32 returns e^x to about 2e-7 relative error, several times faster than
// math.Exp: x = n·ln2 + r with |r| ≤ ln2/2, e^r by its degree-6 Taylor
// polynomial, and 2^n built in the exponent bits. x is clamped to the range
// where the result is a normal float32.
func exp32(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
		round = 12582912 // 1.5·2^23: adding and subtracting rounds to an integer
	)
	x = min(max(x, -87.3), 88.3)
	n := (x*log2e + round) - round
	r := x - n*ln2hi - n*ln2lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// activationLayer is an elementwise activation layer on tensors of any rank.
type activationLayer struct {
	shapeCheck
	act actFunc
}

// OutShape returns the shape of the single input.
func (l *activationLayer) OutShape(in [][]int) ([]int, error) { return sameShapeOut(in, 1) }

// Forward applies the activation elementwise.
func (l *activationLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	l.act.apply(in[0].Data, out.Data)
	return nil
}

// Backward multiplies the upstream gradient by the activation's derivative.
func (l *activationLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	if gradIn[0] == nil {
		return nil
	}
	l.act.grad(in[0].Data, out.Data, gradOut.Data, gradIn[0].Data)
	return nil
}

// Params returns nil: activations have no parameters.
func (l *activationLayer) Params() []*Param { return nil }
