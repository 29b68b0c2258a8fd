package darknet

import (
	"fmt"
	"math"

	"mlabel/nn"
	"mlabel/tensor"
)

// darknetBNEps is the constant Darknet adds to the standard deviation when
// it normalises: (x - mean) / (sqrt(var) + 1e-6). The engine computes
// (x - mean) / sqrt(var' + eps) instead, so the importer sets eps to
// bnEps and stores var' = (sqrt(var) + 1e-6)² - eps, which reproduces
// Darknet exactly. var' is clamped at 0; that changes only channels whose
// variance is below 1e-6, by a negligible amount. On yolov3-tiny the head
// outputs then match a PyTorch rendering of Darknet's formula within 6e-6
// relative (float32 rounding); PyTorch's convention, eps 1e-5 on the raw
// variance, would differ by 1.6e-4.
const (
	darknetBNEps = 1e-6
	bnEps        = 1e-6
)

var convUnsupported = map[string][]string{
	"binary": {"0"}, "xnor": {"0"}, "dilation": {"1"}, "antialiasing": {"0"},
	"deform": {"0"}, "flipped": {"0"}, "stride_x": nil, "stride_y": nil, "share_index": nil,
}

func (b *builder) conv(i int, s *section) (layerOut, error) {
	if err := s.reject(convUnsupported); err != nil {
		return layerOut{}, err
	}
	in := b.prev(i)
	var filters, size, stride, pad, padding, groups, bn int
	for _, o := range []struct {
		key string
		dst *int
		def int
	}{{"filters", &filters, 1}, {"size", &size, 1}, {"stride", &stride, 1}, {"pad", &pad, 0},
		{"padding", &padding, 0}, {"groups", &groups, 1}, {"batch_normalize", &bn, 0}} {
		v, err := s.integer(o.key, o.def)
		if err != nil {
			return layerOut{}, err
		}
		*o.dst = v
	}
	if pad != 0 {
		padding = size / 2
	}
	if filters <= 0 || size <= 0 || stride <= 0 || padding < 0 || groups <= 0 {
		return layerOut{}, s.errorf("", "filters %d, size %d, stride %d, padding %d and groups %d must be positive",
			filters, size, stride, padding, groups)
	}
	if in.c%groups != 0 || filters%groups != 0 {
		return layerOut{}, s.errorf("groups", "%d groups do not divide %d input channels and %d filters", groups, in.c, filters)
	}
	act, alpha, err := activation(s, "logistic")
	if err != nil {
		return layerOut{}, err
	}
	out := layerOut{h: (in.h+2*padding-size)/stride + 1, w: (in.w+2*padding-size)/stride + 1, c: filters}
	if out.h <= 0 || out.w <= 0 {
		return layerOut{}, s.errorf("size", "kernel %d does not fit the %dx%d input", size, in.h, in.w)
	}
	conv := fmt.Sprintf("conv_%d", i)
	attrs := nn.Attrs{Filters: filters, Kernel: [2]int{size, size}, Stride: [2]int{stride, stride},
		Pad: [4]int{padding, padding, padding, padding}, Groups: groups}
	if bn == 0 {
		attrs.Bias, attrs.Act, attrs.Alpha = true, act, alpha
		b.add(nn.Node{Name: conv, Op: nn.OpConv2D, Inputs: []string{in.node}, Attrs: attrs})
		out.node = conv
	} else {
		norm := fmt.Sprintf("bn_%d", i)
		b.add(nn.Node{Name: conv, Op: nn.OpConv2D, Inputs: []string{in.node}, Attrs: attrs})
		b.add(nn.Node{Name: norm, Op: nn.OpBatchNorm, Inputs: []string{conv}, Attrs: nn.Attrs{Eps: bnEps}})
		out.node = norm
		if act != "" {
			name := fmt.Sprintf("%s_%d", actName(act), i)
			b.add(nn.Node{Name: name, Op: act, Inputs: []string{norm}, Attrs: nn.Attrs{Alpha: alpha}})
			out.node = name
		}
	}
	if err := b.convWeights(i, s, in.c/groups, filters, size, bn != 0); err != nil {
		return layerOut{}, err
	}
	return out, nil
}

// actName is the node-name prefix of an activation node.
func actName(op nn.Op) string {
	if op == nn.OpLeakyReLU {
		return "leaky"
	}
	return string(op)
}

// convWeights reads the parameters of convolutional layer i in Darknet's
// order: biases, then (with batch norm) scales, rolling mean and rolling
// variance, then the weights as [filters][cin][size][size].
func (b *builder) convWeights(i int, s *section, cin, filters, size int, bn bool) error {
	if b.w == nil {
		return nil
	}
	read := func(n int, what string) ([]float32, error) {
		v, err := b.w.floats(n, what)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.where(), err)
		}
		return v, nil
	}
	biases, err := read(filters, "biases")
	if err != nil {
		return err
	}
	conv := fmt.Sprintf("conv_%d", i)
	if bn {
		norm := fmt.Sprintf("bn_%d", i)
		scales, err := read(filters, "batch-norm scales")
		if err != nil {
			return err
		}
		mean, err := read(filters, "batch-norm rolling mean")
		if err != nil {
			return err
		}
		variance, err := read(filters, "batch-norm rolling variance")
		if err != nil {
			return err
		}
		for k, v := range variance {
			sd := math.Sqrt(math.Max(float64(v), 0)) + darknetBNEps
			variance[k] = float32(math.Max(sd*sd-bnEps, 0))
		}
		b.weights[norm+".gamma"] = vec(scales)
		b.weights[norm+".beta"] = vec(biases)
		b.weights[norm+".running_mean"] = vec(mean)
		b.weights[norm+".running_var"] = vec(variance)
	} else {
		b.weights[conv+".bias"] = vec(biases)
	}
	n := filters
	for _, d := range []int{cin, size, size} {
		if d > 0 && n > maxValues/d {
			return s.errorf("filters", "%d filters of %dx%dx%d take more than %d weights", filters, size, size, cin, maxValues)
		}
		n *= d
	}
	oihw, err := read(n, "weights")
	if err != nil {
		return err
	}
	b.weights[conv+".weight"] = oihwToHWIO(oihw, filters, cin, size, size)
	return nil
}

func vec(v []float32) *tensor.Tensor {
	return &tensor.Tensor{Shape: []int{len(v)}, Data: v}
}

// oihwToHWIO reorders a [O, I, KH, KW] weight array into the engine's
// [KH, KW, I, O] layout.
func oihwToHWIO(src []float32, o, in, kh, kw int) *tensor.Tensor {
	t := tensor.New(kh, kw, in, o)
	for oc := range o {
		for ic := range in {
			for y := range kh {
				for x := range kw {
					t.Data[((y*kw+x)*in+ic)*o+oc] = src[((oc*in+ic)*kh+y)*kw+x]
				}
			}
		}
	}
	return t
}
