package nn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"mlabel/tensor"
)

// randomizeParams gives every parameter non-trivial values: weights in ±1,
// scales and variances in [0.5, 1.5], running means in ±0.5.
func randomizeParams(l layer, rng *rand.Rand) {
	for _, p := range l.Params() {
		for i := range p.Value.Data {
			u := rng.Float32()
			switch {
			case strings.HasSuffix(p.Name, ".gamma"), strings.HasSuffix(p.Name, ".scale"), strings.HasSuffix(p.Name, ".running_var"):
				p.Value.Data[i] = 0.5 + u
			case strings.HasSuffix(p.Name, ".running_mean"):
				p.Value.Data[i] = u - 0.5
			default:
				p.Value.Data[i] = 2*u - 1
			}
		}
	}
}

// randomTensor returns a tensor of the shape with values uniform in ±1.
func randomTensor(rng *rand.Rand, shape []int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i := range t.Data {
		t.Data[i] = 2*rng.Float32() - 1
	}
	return t
}

// fillNaN sets every element of t to NaN.
func fillNaN(t *tensor.Tensor) {
	for i := range t.Data {
		t.Data[i] = float32(math.NaN())
	}
}

// projLoss returns Σ out·r in float64.
func projLoss(out, r *tensor.Tensor) float64 {
	var s float64
	for i, v := range out.Data {
		s += float64(v) * float64(r.Data[i])
	}
	return s
}

// gradCheck compares a layer's analytic input and parameter gradients with
// central finite differences of the loss Σ out·R for a random R. Points
// where the two one-sided differences disagree sit on a kink (ReLU at 0, a
// max-pool tie) and are skipped; at most a few may be.
func gradCheck(t *testing.T, node Node, inShapes [][]int, train bool) {
	t.Helper()
	gradCheckEps(t, node, inShapes, train, 3e-3)
}

// gradCheckEps is gradCheck with steps of eps. Layers that are linear in
// each input and parameter take large steps, whose differences are exact
// and stand well above the rounding of the forward pass.
func gradCheckEps(t *testing.T, node Node, inShapes [][]int, train bool, eps float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	l, err := newLayer(node, inShapes, rng)
	if err != nil {
		t.Fatalf("newLayer: %v", err)
	}
	randomizeParams(l, rng)
	in := make([]*tensor.Tensor, len(inShapes))
	gin := make([]*tensor.Tensor, len(inShapes))
	for i, s := range inShapes {
		in[i] = randomTensor(rng, s)
		gin[i] = tensor.New(s...)
	}
	os, err := l.OutShape(inShapes)
	if err != nil {
		t.Fatalf("OutShape: %v", err)
	}
	out := tensor.New(os...)
	r := randomTensor(rng, os)
	loss := func() float64 {
		if err := l.Forward(in, out, train); err != nil {
			t.Fatalf("Forward: %v", err)
		}
		return projLoss(out, r)
	}
	base := loss()
	for _, p := range l.Params() {
		if p.Grad != nil {
			p.Grad.Zero()
		}
	}
	for _, g := range gin {
		fillNaN(g) // Backward must overwrite input gradients
	}
	if err := l.Backward(in, out, r, gin); err != nil {
		t.Fatalf("Backward: %v", err)
	}
	checked, skipped := 0, 0
	compare := func(what string, vals []float32, ana []float32) {
		for i := range vals {
			if math.IsNaN(float64(ana[i])) {
				t.Errorf("%s[%d]: gradient not written", what, i)
				continue
			}
			v := vals[i]
			vals[i] = v + float32(eps)
			up := loss()
			vals[i] = v - float32(eps)
			down := loss()
			vals[i] = v
			num := (up - down) / (2 * eps)
			fwd, bwd := (up-base)/eps, (base-down)/eps
			if math.Abs(fwd-bwd) > 1e-2+0.05*math.Abs(num) {
				skipped++
				continue
			}
			checked++
			a := float64(ana[i])
			if math.Abs(num-a) > 2e-3+1e-2*max(math.Abs(num), math.Abs(a)) {
				t.Errorf("%s[%d]: analytic %.6g, numeric %.6g", what, i, a, num)
			}
		}
	}
	for i := range in {
		compare("input"+string(rune('0'+i)), in[i].Data, gin[i].Data)
	}
	for _, p := range l.Params() {
		if p.Grad != nil {
			compare(p.Name, p.Value.Data, p.Grad.Data)
		}
	}
	if skipped > checked/20+2 {
		t.Errorf("skipped %d kink points of %d", skipped, checked+skipped)
	}
}

func TestGradCheck(t *testing.T) {
	img := [][]int{{2, 5, 6, 4}}
	cases := []struct {
		name  string
		node  Node
		in    [][]int
		train bool
	}{
		{"conv3x3", Node{Op: OpConv2D, Attrs: Attrs{Filters: 3, Kernel: [2]int{3, 3}, Pad: [4]int{1, 1, 1, 1}}}, img, true},
		{"conv_stride2_asympad_bias", Node{Op: OpConv2D, Attrs: Attrs{Filters: 3, Kernel: [2]int{3, 2}, Stride: [2]int{2, 2}, Pad: [4]int{0, 1, 1, 0}, Bias: true}}, img, true},
		{"conv_dilation", Node{Op: OpConv2D, Attrs: Attrs{Filters: 2, Kernel: [2]int{2, 2}, Dilation: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}, Bias: true, Act: OpReLU}}, img, true},
		{"conv_groups", Node{Op: OpConv2D, Attrs: Attrs{Filters: 6, Kernel: [2]int{3, 3}, Groups: 2, Pad: [4]int{1, 1, 1, 1}, Act: OpLeakyReLU, Alpha: 0.2}}, img, true},
		{"conv_depthwise", Node{Op: OpConv2D, Attrs: Attrs{Filters: 4, Kernel: [2]int{3, 3}, Groups: 4, Stride: [2]int{2, 1}, Pad: [4]int{1, 1, 1, 1}, Bias: true, Act: OpReLU6}}, img, true},
		{"conv_depthwise_mult2", Node{Op: OpConv2D, Attrs: Attrs{Filters: 8, Kernel: [2]int{3, 3}, Groups: 4, Pad: [4]int{1, 0, 1, 0}}}, img, true},
		{"conv_pointwise_silu", Node{Op: OpConv2D, Attrs: Attrs{Filters: 5, Kernel: [2]int{1, 1}, Bias: true, Act: OpSiLU}}, img, true},
		{"conv_1x1_stride2_hswish", Node{Op: OpConv2D, Attrs: Attrs{Filters: 3, Kernel: [2]int{1, 1}, Stride: [2]int{2, 2}, Act: OpHardSwish}}, img, true},
		{"batchnorm_train", Node{Op: OpBatchNorm}, img, true},
		{"batchnorm_eval", Node{Op: OpBatchNorm, Attrs: Attrs{Eps: 1e-3}}, img, false},
		{"batchnorm_2d", Node{Op: OpBatchNorm}, [][]int{{6, 3}}, true},
		{"relu", Node{Op: OpReLU}, img, true},
		{"leaky_relu", Node{Op: OpLeakyReLU, Attrs: Attrs{Alpha: 0.1}}, img, true},
		{"relu6", Node{Op: OpReLU6}, img, true},
		{"silu", Node{Op: OpSiLU}, img, true},
		{"hard_sigmoid", Node{Op: OpHardSigmoid}, img, true},
		{"hard_sigmoid_custom", Node{Op: OpHardSigmoid, Attrs: Attrs{Alpha: 0.2, Beta: 0.4}}, img, true},
		{"hard_swish", Node{Op: OpHardSwish}, [][]int{{3, 40}}, true},
		{"sigmoid", Node{Op: OpSigmoid}, img, true},
		{"maxpool2", Node{Op: OpMaxPool, Attrs: Attrs{Kernel: [2]int{2, 2}}}, img, true},
		{"maxpool2_pad_bottom_right", Node{Op: OpMaxPool, Attrs: Attrs{Kernel: [2]int{2, 2}, Pad: [4]int{0, 0, 1, 1}}}, [][]int{{2, 5, 5, 3}}, true},
		{"avgpool2_pad_top_left", Node{Op: OpAvgPool, Attrs: Attrs{Kernel: [2]int{2, 2}, Pad: [4]int{1, 1, 0, 0}, CountIncludePad: true}}, [][]int{{2, 5, 5, 3}}, true},
		{"maxpool3_s2_p1_ceil", Node{Op: OpMaxPool, Attrs: Attrs{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}, CeilMode: true}}, img, true},
		{"avgpool2_ceil", Node{Op: OpAvgPool, Attrs: Attrs{Kernel: [2]int{2, 2}, CeilMode: true}}, [][]int{{2, 5, 5, 3}}, true},
		{"avgpool3_p1_incl", Node{Op: OpAvgPool, Attrs: Attrs{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}, CountIncludePad: true, CeilMode: true}}, img, true},
		{"avgpool3_p1_excl", Node{Op: OpAvgPool, Attrs: Attrs{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}}}, img, true},
		{"global_avgpool", Node{Op: OpGlobalAvgPool}, img, true},
		{"global_maxpool", Node{Op: OpGlobalMaxPool}, img, true},
		{"dense", Node{Op: OpDense, Attrs: Attrs{Units: 5, Bias: true}}, [][]int{{3, 7}}, true},
		{"dense_relu_4d", Node{Op: OpDense, Attrs: Attrs{Units: 4, Act: OpReLU}}, [][]int{{2, 2, 2, 3}}, true},
		{"dense_sigmoid", Node{Op: OpDense, Attrs: Attrs{Units: 4, Bias: true, Act: OpSigmoid}}, [][]int{{3, 6}}, true},
		{"dropout_eval", Node{Op: OpDropout, Attrs: Attrs{Rate: 0.5}}, img, false},
		{"add2", Node{Op: OpAdd}, [][]int{{2, 3, 3, 4}, {2, 3, 3, 4}}, true},
		{"add2_relu", Node{Op: OpAdd, Attrs: Attrs{Act: OpReLU}}, [][]int{{2, 3, 3, 4}, {2, 3, 3, 4}}, true},
		{"add1_relu6", Node{Op: OpAdd, Attrs: Attrs{Act: OpReLU6}}, [][]int{{2, 3, 3, 4}}, true},
		{"add3_relu", Node{Op: OpAdd, Attrs: Attrs{Act: OpReLU}}, [][]int{{2, 3, 3, 4}, {2, 3, 3, 4}, {2, 3, 3, 4}}, true},
		{"mul_same", Node{Op: OpMul}, [][]int{{2, 3, 3, 4}, {2, 3, 3, 4}}, true},
		{"mul_bcast4d", Node{Op: OpMul}, [][]int{{2, 3, 3, 4}, {2, 1, 1, 4}}, true},
		{"mul_bcast2d", Node{Op: OpMul}, [][]int{{2, 3, 3, 4}, {2, 4}}, true},
		{"concat", Node{Op: OpConcat}, [][]int{{2, 3, 3, 4}, {2, 3, 3, 2}, {2, 3, 3, 1}}, true},
		{"upsample2", Node{Op: OpUpsample}, [][]int{{2, 2, 3, 3}}, true},
		{"upsample3", Node{Op: OpUpsample, Attrs: Attrs{Scale: 3}}, [][]int{{1, 2, 2, 2}}, true},
		{"flatten", Node{Op: OpFlatten}, img, true},
		{"scale_shift", Node{Op: OpScaleShift}, img, true},
		{"group_softmax", Node{Op: OpGroupSoftmax, Attrs: Attrs{LabelGroups: [][]int{{0, 2, 3}, {5, 1}}}}, [][]int{{3, 7}}, true},
		{"group_softmax_none", Node{Op: OpGroupSoftmax, Attrs: Attrs{LabelGroups: [][]int{{1, 4}, {0, 2, 5}}, GroupNone: []bool{true, false}}}, [][]int{{3, 6}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.node.Name = c.name
			gradCheck(t, c.node, c.in, c.train)
		})
	}
}
