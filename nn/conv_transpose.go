package nn

import (
	"fmt"

	"mlabel/gemm"
	"mlabel/tensor"
)

// convTransposeLayer is a 2-D transposed convolution (the gradient of a
// convolution with respect to its input) over NHWC inputs: each input pixel
// adds its kernel-sized patch x·W[a, b] to the output at (i·stride - pad_top
// + a, j·stride - pad_left + b). The weight is [KH, KW, Cin, Cout]; one
// group; an optional bias. The output side is (in-1)·stride - pad_a -
// pad_b + kernel.
type convTransposeLayer struct {
	shapeCheck
	kh, kw, sh, sw int
	pt, pl, pb, pr int
	cout           int
	weight, bias   *Param
	col            []float32 // one kernel tap's products, [N·H·W, Cout]
}

func newConvTranspose2D(b *builder, name string, a Attrs, in [][]int) (*convTransposeLayer, error) {
	_, _, _, cin, err := nhwc(in, 1)
	if err != nil {
		return nil, err
	}
	k := a.Kernel
	s := onePair(a.Stride, [2]int{1, 1})
	l := &convTransposeLayer{kh: k[0], kw: k[1], sh: s[0], sw: s[1], pt: a.Pad[0], pl: a.Pad[1], pb: a.Pad[2], pr: a.Pad[3], cout: a.Filters}
	switch {
	case l.cout <= 0:
		return nil, fmt.Errorf("filters %d must be positive", l.cout)
	case k[0] <= 0 || k[1] <= 0 || s[0] <= 0 || s[1] <= 0:
		return nil, fmt.Errorf("kernel %v and stride %v must be positive", k, s)
	case min(a.Pad[0], a.Pad[1], a.Pad[2], a.Pad[3]) < 0:
		return nil, fmt.Errorf("negative padding %v", a.Pad)
	case a.Groups > 1 || a.Dilation != [2]int{} && a.Dilation != [2]int{1, 1} || a.Act != "":
		return nil, fmt.Errorf("transposed convolutions have one group, no dilation and no fused activation")
	}
	// PyTorch's default initialisation of ConvTranspose2d: fan-in is
	// weight.size(1)·KH·KW, the output channels.
	fanIn := l.cout * k[0] * k[1]
	l.weight = b.param(name, "weight", false, false, k[0], k[1], cin, l.cout).uniformInit(b.rng, fanIn)
	if a.Bias {
		l.bias = b.param(name, "bias", false, true, l.cout).uniformInit(b.rng, fanIn)
	}
	return l, nil
}

// OutShape returns [N, (H-1)·SH - PT - PB + KH, (W-1)·SW - PL - PR + KW, Filters].
func (l *convTransposeLayer) OutShape(in [][]int) ([]int, error) {
	n, h, w, c, err := nhwc(in, 1)
	if err != nil {
		return nil, err
	}
	if c != l.weight.Value.Shape[2] {
		return nil, fmt.Errorf("input has %d channels, weight expects %d", c, l.weight.Value.Shape[2])
	}
	oh := (h-1)*l.sh - l.pt - l.pb + l.kh
	ow := (w-1)*l.sw - l.pl - l.pr + l.kw
	if oh < 1 || ow < 1 {
		return nil, fmt.Errorf("padding %v leaves no output for a %d×%d input", [4]int{l.pt, l.pl, l.pb, l.pr}, h, w)
	}
	return []int{n, oh, ow, l.cout}, nil
}

// Params returns the weight and, when present, the bias.
func (l *convTransposeLayer) Params() []*Param {
	if l.bias != nil {
		return []*Param{l.weight, l.bias}
	}
	return []*Param{l.weight}
}

// tap returns kernel tap (a, b)'s weight, a [Cin, Cout] matrix.
func (l *convTransposeLayer) tap(a, b int) []float32 {
	cin := l.weight.Value.Shape[2]
	off := (a*l.kw + b) * cin * l.cout
	return l.weight.Value.Data[off : off+cin*l.cout]
}

// each calls fn(r, o) for every input pixel r (in N·H·W order) and its
// output pixel o under kernel tap (a, b), skipping taps that fall outside.
func (l *convTransposeLayer) each(in, out []int, a, b int, fn func(r, o int)) {
	n, h, w := in[0], in[1], in[2]
	oh, ow := out[1], out[2]
	parallelFor(n*h, 1, func(_, lo, hi int) {
		for row := lo; row < hi; row++ {
			img, i := row/h, row%h
			y := i*l.sh - l.pt + a
			if y < 0 || y >= oh {
				continue
			}
			for j := range w {
				x := j*l.sw - l.pl + b
				if x < 0 || x >= ow {
					continue
				}
				fn(row*w+j, (img*oh+y)*ow+x)
			}
		}
	})
}

// Forward adds, for each kernel tap, the input times the tap's weight to
// the shifted output pixels, then the bias.
func (l *convTransposeLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	x := in[0]
	rows, cin, co := x.Shape[0]*x.Shape[1]*x.Shape[2], x.Shape[3], l.cout
	l.col = ensureLen(l.col, rows*co)
	clear(out.Data)
	for a := range l.kh {
		for b := range l.kw {
			gemm.Sgemm(false, false, rows, co, cin, 1, x.Data, cin, l.tap(a, b), co, 0, l.col, co)
			l.each(x.Shape, out.Shape, a, b, func(r, o int) {
				dst, src := out.Data[o*co:(o+1)*co], l.col[r*co:(r+1)*co]
				for k, v := range src {
					dst[k] += v
				}
			})
		}
	}
	if l.bias != nil {
		bias := l.bias.Value.Data
		for p := 0; p < len(out.Data); p += co {
			for k, v := range bias {
				out.Data[p+k] += v
			}
		}
	}
	return nil
}

// Backward gathers, for each kernel tap, the output gradient under the tap
// and multiplies it back: by the tap's weight for the input gradient, by
// the input for the tap's weight gradient.
func (l *convTransposeLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	x := in[0]
	rows, cin, co := x.Shape[0]*x.Shape[1]*x.Shape[2], x.Shape[3], l.cout
	l.col = ensureLen(l.col, rows*co)
	dx := gradIn[0]
	if dx != nil {
		clear(dx.Data)
	}
	cinco := cin * co
	for a := range l.kh {
		for b := range l.kw {
			clear(l.col)
			l.each(x.Shape, out.Shape, a, b, func(r, o int) {
				copy(l.col[r*co:(r+1)*co], gradOut.Data[o*co:(o+1)*co])
			})
			if dx != nil {
				gemm.Sgemm(false, true, rows, cin, co, 1, l.col, co, l.tap(a, b), co, 1, dx.Data, cin)
			}
			if l.weight.Grad != nil {
				off := (a*l.kw + b) * cinco
				gemm.Sgemm(true, false, cin, co, rows, 1, x.Data, cin, l.col, co, 1, l.weight.Grad.Data[off:off+cinco], co)
			}
		}
	}
	if l.bias != nil && l.bias.Grad != nil {
		g := l.bias.Grad.Data
		for p := 0; p < len(gradOut.Data); p += co {
			for k := range g {
				g[k] += gradOut.Data[p+k]
			}
		}
	}
	return nil
}

// ensureLen returns buf resized to n values, reusing its storage.
func ensureLen(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// convTransposeOp is the op table's entry of the transposed convolution.
func convTransposeOp() opInfo {
	return opInfo{minIn: 1, maxIn: 1,
		build: func(b *builder, n Node, in [][]int) (layer, error) { return newConvTranspose2D(b, n.Name, n.Attrs, in) },
		params: func(n Node, in []int) []paramDecl {
			a := n.Attrs
			if len(in) != 4 {
				return nil
			}
			return withBias(n, decl(n, "weight", a.Kernel[0], a.Kernel[1], in[3], a.Filters), a.Filters)
		},
		flops: func(n Node, in [][]int, out []int) int64 {
			k := int64(n.Attrs.Kernel[0]) * int64(n.Attrs.Kernel[1]) * int64(n.Attrs.Filters)
			return 2 * k * int64(tensor.Size(in[0]))
		},
	}
}
