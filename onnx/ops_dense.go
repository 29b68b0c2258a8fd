package onnx

import (
	"fmt"

	"mlabel/nn"
)

// gemmOp maps Gemm with a constant B (and C) to a dense layer:
// Y = alpha * A * B + beta * C.
func gemmOp(b *builder, c *call) ([]*value, error) {
	if c.a.int("transA", 0) != 0 {
		return nil, fmt.Errorf("transA=1 is not supported")
	}
	transB := c.a.int("transB", 0) == 1
	alpha, beta := c.a.float("alpha", 1), c.a.float("beta", 1)
	if b.opset < 7 {
		c.a.ignore("broadcast")
	}
	w, err := c.konstInput(1, "B")
	if err != nil {
		return nil, err
	}
	if len(w.dims) != 2 {
		return nil, fmt.Errorf("B has shape %v, want a matrix", w.dims)
	}
	if transB {
		w = transposeKonst(w, []int{1, 0})
	} else {
		w = &konst{dims: w.dims, data: append([]float64(nil), w.data...)}
	}
	for i := range w.data {
		w.data[i] *= alpha
	}
	var bias []float32
	if c.input(2) != nil {
		ck, err := c.konstInput(2, "C")
		if err != nil {
			return nil, err
		}
		if bias, err = biasVector(ck, w.dims[1], beta); err != nil {
			return nil, err
		}
	}
	return dense(b, c, w, bias)
}

// biasVector broadcasts a Gemm C of shape [], [1], [M] or [1,M] to M values
// scaled by beta.
func biasVector(k *konst, m int, beta float64) ([]float32, error) {
	if prod(k.dims) != 1 && (len(k.dims) == 0 || k.dims[len(k.dims)-1] != m || prod(k.dims) != m) {
		return nil, fmt.Errorf("C of shape %v does not broadcast per output feature (%d); a per-sample bias is not supported", k.dims, m)
	}
	out := make([]float32, m)
	for i := range out {
		out[i] = float32(beta * k.data[i%len(k.data)])
	}
	return out, nil
}

// matMulOp maps MatMul of a batch of vectors by a constant matrix.
func matMulOp(b *builder, c *call) ([]*value, error) {
	w, err := c.konstInput(1, "second operand")
	if err != nil {
		return nil, err
	}
	if len(w.dims) != 2 {
		return nil, fmt.Errorf("second operand has shape %v, want a matrix", w.dims)
	}
	return dense(b, c, &konst{dims: w.dims, data: append([]float64(nil), w.data...)}, nil)
}

// dense emits a dense layer computing x * w + bias for the first input x,
// which must be [N, K]. A flatten left in NHWC order is absorbed by
// permuting the rows of w.
func dense(b *builder, c *call, w *konst, bias []float32) ([]*value, error) {
	x := c.input(0)
	if x == nil || x.k != nil {
		return nil, fmt.Errorf("the first operand must be computed by the graph")
	}
	k, m := w.dims[0], w.dims[1]
	if x.lay == layFlatHWC {
		if prod(x.chw[:]) != k || len(w.data) != k*m {
			return nil, fmt.Errorf("a flattened %v feature map does not fit a [%d, %d] matrix", x.chw, k, m)
		}
		rows := make([]float64, len(w.data))
		for e, o := range hwcToCHW(x.chw) {
			copy(rows[e*m:(e+1)*m], w.data[o*m:(o+1)*m])
		}
		w = &konst{dims: w.dims, data: rows}
	} else {
		var err error
		if x, err = b.settle(x, c.base); err != nil {
			return nil, err
		}
	}
	es := x.engineShape()
	if len(es) != 2 || es[1] != k {
		return nil, fmt.Errorf("first operand of shape %v does not fit a [N, %d] by [%d, %d] product", x.shape, k, k, m)
	}
	name := b.emit(c.base, nn.OpDense, nn.Attrs{Units: m, Bias: bias != nil}, x.node)
	b.param(name, "weight", w.float32s(), k, m)
	if bias != nil {
		b.param(name, "bias", bias, m)
	}
	return []*value{{node: name, shape: []int{x.shape[0], m}, lay: layRaw, biasFree: bias == nil}}, nil
}

// fuseBias gives the bias-free dense layer computing x the bias vec, for a
// MatMul followed by an Add of a constant. It reports whether it did.
func (b *builder) fuseBias(x *value, vec []float64, onlyUse bool) bool {
	i := b.specNode(x.node)
	if !x.biasFree || !onlyUse || i < 0 {
		return false
	}
	b.spec.Nodes[i].Attrs.Bias = true
	bias := make([]float32, len(vec))
	for j, v := range vec {
		bias[j] = float32(v)
	}
	b.param(x.node, "bias", bias, len(bias))
	return true
}
