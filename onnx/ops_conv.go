package onnx

import (
	"fmt"
	"slices"

	"mlabel/nn"
)

// window is the geometry of a 2-D convolution or pooling.
type window struct {
	kernel, stride, dilation [2]int
	pad                      [4]int // top, left, bottom, right
	out                      [2]int // output H, W
	ceil                     bool   // pools: ceil_mode
}

// readWindow reads strides, dilations, pads, auto_pad and ceil_mode for a
// kernel over the H, W input sizes in.
func readWindow(a *attrs, kernel []int, in [2]int, pool bool) (window, error) {
	var w window
	if len(kernel) != 2 {
		return w, fmt.Errorf("kernel_shape %v: only 2-D windows are supported", kernel)
	}
	strideDef, dilDef := []int{1, 1}, []int{1, 1}
	stride, dil := a.ints("strides", strideDef), a.ints("dilations", dilDef)
	pads := a.ints("pads", []int{0, 0, 0, 0})
	ceil := pool && a.int("ceil_mode", 0) == 1
	if len(stride) != 2 || len(dil) != 2 || len(pads) != 4 {
		return w, fmt.Errorf("strides %v, dilations %v, pads %v do not fit a 2-D window", stride, dil, pads)
	}
	if pool && !slices.Equal(dil, dilDef) {
		return w, fmt.Errorf("pooling dilations %v are not supported", dil)
	}
	w.ceil = ceil
	for i := range 2 {
		w.kernel[i], w.stride[i], w.dilation[i] = kernel[i], stride[i], dil[i]
	}
	for i, p := range pads {
		if p < 0 {
			return w, fmt.Errorf("negative pads %v are not supported", pads)
		}
		w.pad[i] = p
	}
	switch ap := a.str("auto_pad", "NOTSET"); ap {
	case "NOTSET":
	case "VALID":
		w.pad = [4]int{}
	case "SAME_UPPER", "SAME_LOWER":
		for i := range 2 {
			out := (in[i] + w.stride[i] - 1) / w.stride[i]
			total := max(0, (out-1)*w.stride[i]+(w.kernel[i]-1)*w.dilation[i]+1-in[i])
			begin := total / 2
			if ap == "SAME_LOWER" {
				begin = total - total/2
			}
			w.pad[i], w.pad[i+2] = begin, total-begin
		}
	default:
		return w, fmt.Errorf("auto_pad %q is not supported", ap)
	}
	for i := range 2 {
		span := in[i] + w.pad[i] + w.pad[i+2] - ((w.kernel[i]-1)*w.dilation[i] + 1)
		if span < 0 {
			return w, fmt.Errorf("window %v larger than padded input %v", kernel, in)
		}
		w.out[i] = span/w.stride[i] + 1
		if ceil && span%w.stride[i] != 0 {
			w.out[i]++
			if (w.out[i]-1)*w.stride[i] >= in[i]+w.pad[i] {
				w.out[i]--
			}
		}
	}
	return w, nil
}

// spatialInput returns the NHWC input of a conv or pool and its H, W.
func spatialInput(v *value) ([2]int, error) {
	if v.lay != layNHWC {
		return [2]int{}, fmt.Errorf("input of shape %v: only 4-D NCHW inputs are supported", v.shape)
	}
	return [2]int{v.shape[2], v.shape[3]}, nil
}

func convOp(b *builder, c *call) ([]*value, error) {
	x := c.input(0)
	if x == nil || x.k != nil {
		return nil, fmt.Errorf("the data input must be computed by the graph")
	}
	w, err := c.konstInput(1, "weight")
	if err != nil {
		return nil, err
	}
	if len(w.dims) != 4 {
		return nil, fmt.Errorf("weight shape %v: only 2-D convolutions are supported", w.dims)
	}
	groups := c.a.int("group", 1)
	kernel := c.a.ints("kernel_shape", w.dims[2:])
	if !slices.Equal(kernel, w.dims[2:]) {
		return nil, fmt.Errorf("kernel_shape %v does not match weight shape %v", kernel, w.dims)
	}
	o, ipg := w.dims[0], w.dims[1]
	var bias []float32
	if c.input(2) != nil {
		bk, err := c.konstInput(2, "bias")
		if err != nil {
			return nil, err
		}
		if bk.size() != o {
			return nil, fmt.Errorf("bias has %d values for %d filters", bk.size(), o)
		}
		bias = bk.float32s()
	}
	if x.lay == laySqueezed {
		return convOnSqueezed(b, c, x, w, groups, bias)
	}
	var pending [4]int // a preceding zero Pad folds into this convolution's padding
	if x.padded && x.padVal == 0 {
		pending = x.pad
	} else if x, err = b.settle(x, c.base); err != nil {
		return nil, err
	}
	in, err := spatialInput(x)
	if err != nil {
		return nil, err
	}
	if x.shape[1] != ipg*groups {
		return nil, fmt.Errorf("input has %d channels, weight %v with group %d wants %d", x.shape[1], w.dims, groups, ipg*groups)
	}
	win, err := readWindow(c.a, kernel, in, false)
	if err != nil {
		return nil, err
	}
	for i := range win.pad {
		win.pad[i] += pending[i]
	}
	name := b.emit(c.base, nn.OpConv2D, nn.Attrs{
		Filters: o, Kernel: win.kernel, Stride: win.stride, Pad: win.pad, Dilation: win.dilation,
		Groups: groups, Bias: bias != nil,
	}, x.node)
	b.param(name, "weight", transposeKonst(w, []int{2, 3, 1, 0}).float32s(), kernel[0], kernel[1], ipg, o)
	if bias != nil {
		b.param(name, "bias", bias, o)
	}
	return []*value{{node: name, shape: []int{x.shape[0], o, win.out[0], win.out[1]}, lay: layNHWC}}, nil
}

// convOnSqueezed maps a 1x1 convolution of an [N,C,1,1] tensor, as after a
// global pooling, to a dense layer.
func convOnSqueezed(b *builder, c *call, x *value, w *konst, groups int, bias []float32) ([]*value, error) {
	win, err := readWindow(c.a, w.dims[2:], [2]int{1, 1}, false)
	if err != nil {
		return nil, err
	}
	if groups != 1 || win.out != [2]int{1, 1} || win.pad != [4]int{} || w.dims[1] != x.shape[1] {
		return nil, fmt.Errorf("on a 1x1 feature map only an unpadded, ungrouped 1x1 convolution is supported")
	}
	o, i := w.dims[0], w.dims[1]
	name := b.emit(c.base, nn.OpDense, nn.Attrs{Units: o, Bias: bias != nil}, x.node)
	b.param(name, "weight", transposeKonst(&konst{dims: []int{o, i}, data: w.data}, []int{1, 0}).float32s(), i, o)
	if bias != nil {
		b.param(name, "bias", bias, o)
	}
	return []*value{{node: name, shape: []int{x.shape[0], o, 1, 1}, lay: laySqueezed}}, nil
}

func maxPoolOp(b *builder, c *call) ([]*value, error) {
	c.a.ignore("storage_order") // only affects the Indices output, which is refused when used
	return poolOp(b, c, nn.OpMaxPool, false)
}

func avgPoolOp(b *builder, c *call) ([]*value, error) {
	include := c.a.int("count_include_pad", 0) == 1
	return poolOp(b, c, nn.OpAvgPool, include)
}

// poolOp maps MaxPool and AveragePool. A preceding zero Pad folds into an
// average pool that counts padding; otherwise it is applied first.
func poolOp(b *builder, c *call, op nn.Op, includePad bool) ([]*value, error) {
	x := c.input(0)
	if x == nil || x.k != nil {
		return nil, fmt.Errorf("the data input must be computed by the graph")
	}
	var pending [4]int
	if x.padded && x.padVal == 0 && op == nn.OpAvgPool && includePad {
		pending = x.pad
	} else {
		var err error
		if x, err = b.settle(x, c.base); err != nil {
			return nil, err
		}
	}
	in, err := spatialInput(x)
	if err != nil {
		return nil, err
	}
	kernel := c.a.ints("kernel_shape", nil)
	win, err := readWindow(c.a, kernel, in, true)
	if err != nil {
		return nil, err
	}
	for i := range win.pad {
		win.pad[i] += pending[i]
	}
	if max(win.pad[0], win.pad[2]) > win.kernel[0]/2 || max(win.pad[1], win.pad[3]) > win.kernel[1]/2 {
		return nil, fmt.Errorf("pads %v exceed half the kernel %v, which the engine's pooling does not allow", win.pad, win.kernel)
	}
	name := b.emit(c.base, op, nn.Attrs{
		Kernel: win.kernel, Stride: win.stride, Pad: win.pad,
		CeilMode: win.ceil, CountIncludePad: includePad,
	}, x.node)
	return []*value{{node: name, shape: []int{x.shape[0], x.shape[1], win.out[0], win.out[1]}, lay: layNHWC}}, nil
}

func globalAvgPoolOp(b *builder, c *call) ([]*value, error) {
	return globalPool(b, c, nn.OpGlobalAvgPool)
}

func globalMaxPoolOp(b *builder, c *call) ([]*value, error) {
	return globalPool(b, c, nn.OpGlobalMaxPool)
}

func reduceMeanOp(b *builder, c *call) ([]*value, error) {
	return reduceSpatial(b, c, nn.OpGlobalAvgPool)
}

func reduceMaxOp(b *builder, c *call) ([]*value, error) {
	return reduceSpatial(b, c, nn.OpGlobalMaxPool)
}

// reduceSpatial maps ReduceMean and ReduceMax over H and W, as models
// converted from TensorFlow pool, to a global pooling.
func reduceSpatial(b *builder, c *call, op nn.Op) ([]*value, error) {
	x := c.input(0)
	if x == nil || x.k != nil {
		return nil, fmt.Errorf("the data input must be computed by the graph")
	}
	axes, err := normAxes(c.a.ints("axes", nil), len(x.shape))
	if err != nil {
		return nil, err
	}
	keep := c.a.int("keepdims", 1) == 1
	if !slices.Equal(axes, []int{2, 3}) || len(x.shape) != 4 {
		return nil, fmt.Errorf("reducing axes %v of %v: only the spatial axes [2 3] of a 4-D tensor are supported", axes, x.shape)
	}
	out, err := globalPool(b, c, op)
	if err != nil || keep {
		return out, err
	}
	return []*value{{node: out[0].node, shape: out[0].shape[:2], lay: layRaw}}, nil
}

// globalPool maps a global pooling; its [N,C,1,1] result is held as [N,C].
func globalPool(b *builder, c *call, op nn.Op) ([]*value, error) {
	x, err := b.dynamic(c, 0)
	if err != nil {
		return nil, err
	}
	if x.lay == laySqueezed {
		return []*value{x}, nil
	}
	if _, err := spatialInput(x); err != nil {
		return nil, err
	}
	name := b.emit(c.base, op, nn.Attrs{}, x.node)
	return []*value{{node: name, shape: []int{x.shape[0], x.shape[1], 1, 1}, lay: laySqueezed}}, nil
}

// padOp records a constant zero padding of H and W, folded into the next
// convolution when possible.
func padOp(b *builder, c *call) ([]*value, error) {
	x := c.input(0)
	if x == nil || x.k != nil {
		return nil, fmt.Errorf("the data input must be computed by the graph")
	}
	mode := c.a.str("mode", "constant")
	var pads []int
	val := 0.0
	if b.opset < 11 {
		pads = c.a.ints("pads", nil)
		val = c.a.float("value", 0)
	} else {
		pk, err := c.konstInput(1, "pads")
		if err != nil {
			return nil, err
		}
		pads = pk.ints()
		if c.input(2) != nil {
			vk, err := c.konstInput(2, "constant_value")
			if err != nil {
				return nil, err
			}
			val, _ = vk.scalar()
		}
	}
	if mode != "constant" {
		return nil, fmt.Errorf("only constant padding is supported, got mode %q", mode)
	}
	if x.padded && x.padVal != val {
		var err error
		if x, err = b.settle(x, c.base); err != nil {
			return nil, err
		}
	}
	if x.lay != layNHWC || len(pads) != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0 {
		return nil, fmt.Errorf("pads %v: only padding of H and W of a 4-D tensor is supported", pads)
	}
	if slices.Min(pads) < 0 {
		return nil, fmt.Errorf("negative pads %v are not supported", pads)
	}
	if slices.Max(pads) == 0 {
		return []*value{x}, nil
	}
	out := *x
	out.padded, out.padVal = true, val
	out.shape = []int{x.shape[0], x.shape[1], x.shape[2] + pads[2] + pads[6], x.shape[3] + pads[3] + pads[7]}
	out.pad = [4]int{x.pad[0] + pads[2], x.pad[1] + pads[3], x.pad[2] + pads[6], x.pad[3] + pads[7]}
	return []*value{&out}, nil
}
