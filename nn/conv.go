package nn

import (
	"fmt"

	"mlabel/gemm"
	"mlabel/tensor"
)

// colBudget bounds the im2col buffer, in float32 values; the batch is
// processed in chunks of images that fit. A buffer that stays in the L2
// cache (2 MiB) is faster than one large pass: GEMM then packs the columns
// from cache instead of memory.
var colBudget = 1 << 19

// convLayer is a 2-D convolution over NHWC inputs with an HWIO weight, optional
// bias and an optional fused activation. Depthwise convolutions (groups equal
// to the input and output channels) take a direct path; the others use
// im2col and GEMM.
type convLayer struct {
	shapeCheck
	win     window
	groups  int
	cout    int
	weight  *Param
	bias    *Param
	epi     biasAct
	ws      *scratch // column buffers and per-core sums, shared by a model's layers
	pointer bool     // 1×1, stride 1, no padding, one group: the input is the column matrix
}

func newConv2D(b *builder, name string, a Attrs, in [][]int) (*convLayer, error) {
	_, _, _, cin, err := nhwc(in, 1)
	if err != nil {
		return nil, err
	}
	l := &convLayer{groups: max(a.Groups, 1), cout: a.Filters}
	k := a.Kernel
	s := onePair(a.Stride, [2]int{1, 1})
	d := onePair(a.Dilation, [2]int{1, 1})
	l.win = window{kh: k[0], kw: k[1], sh: s[0], sw: s[1], dh: d[0], dw: d[1],
		pt: a.Pad[0], pl: a.Pad[1], pb: a.Pad[2], pr: a.Pad[3]}
	switch {
	case l.cout <= 0:
		return nil, fmt.Errorf("filters %d must be positive", l.cout)
	case k[0] <= 0 || k[1] <= 0 || s[0] <= 0 || s[1] <= 0 || d[0] <= 0 || d[1] <= 0:
		return nil, fmt.Errorf("kernel %v, stride %v and dilation %v must be positive", k, s, d)
	case min(a.Pad[0], a.Pad[1], a.Pad[2], a.Pad[3]) < 0:
		return nil, fmt.Errorf("negative padding %v", a.Pad)
	case cin%l.groups != 0 || l.cout%l.groups != 0:
		return nil, fmt.Errorf("groups %d must divide input channels %d and filters %d", l.groups, cin, l.cout)
	}
	if l.epi.act, err = newActFunc(a.Act, a); err != nil {
		return nil, err
	}
	cg := cin / l.groups
	fanIn := cg * k[0] * k[1]
	l.weight = b.param(name, "weight", false, false, k[0], k[1], cg, l.cout).uniformInit(b.rng, fanIn)
	if a.Bias {
		l.bias = b.param(name, "bias", false, true, l.cout).uniformInit(b.rng, fanIn)
	}
	l.pointer = k == [2]int{1, 1} && s == [2]int{1, 1} && a.Pad == [4]int{} && l.groups == 1
	return l, nil
}

// setScratch makes the layer take its work buffers from s.
func (l *convLayer) setScratch(s *scratch) { l.ws = s }

// scratch returns the layer's work buffers, making its own when it has none.
func (l *convLayer) scratch() *scratch {
	if l.ws == nil {
		l.ws = &scratch{}
	}
	return l.ws
}

// OutShape returns [N, OH, OW, Filters].
func (l *convLayer) OutShape(in [][]int) ([]int, error) {
	n, h, w, c, err := nhwc(in, 1)
	if err != nil {
		return nil, err
	}
	g := l.win
	if c != l.weight.Value.Shape[2]*l.groups {
		return nil, fmt.Errorf("input has %d channels, weight expects %d", c, l.weight.Value.Shape[2]*l.groups)
	}
	oh := convOut(h, g.kh, g.sh, g.pt, g.pb, g.dh)
	ow := convOut(w, g.kw, g.sw, g.pl, g.pr, g.dw)
	if oh < 1 || ow < 1 {
		return nil, fmt.Errorf("kernel does not fit input %dx%d", h, w)
	}
	return []int{n, oh, ow, l.cout}, nil
}

// Params returns the weight and, when present, the bias.
func (l *convLayer) Params() []*Param {
	if l.bias != nil {
		return []*Param{l.weight, l.bias}
	}
	return []*Param{l.weight}
}

// depthwise reports whether the direct depthwise path applies.
func (l *convLayer) depthwise() bool {
	return l.groups > 1 && l.weight.Value.Shape[2] == 1 && l.cout == l.groups
}

// setGeom records the geometry of the current input and output.
func (l *convLayer) setGeom(in, out *tensor.Tensor) {
	l.win.n, l.win.h, l.win.w, l.win.c = in.Shape[0], in.Shape[1], in.Shape[2], in.Shape[3]
	l.win.oh, l.win.ow = out.Shape[1], out.Shape[2]
}

// chunk returns how many images fit in the im2col budget.
//
// Each chunk streams the whole weight matrix through GEMM (packing it, and
// in the backward pass reading and writing its gradient), so a chunk may grow
// to twice the weight's size: deep layers with small images and large
// weights then take the batch in one or two chunks.
func (l *convLayer) chunk() int {
	k := l.win.kh * l.win.kw * (l.win.c / l.groups)
	per := l.win.oh * l.win.ow * k
	limit := max(colBudget, 2*k*l.cout)
	return max(1, min(l.win.n, limit/max(per, 1)))
}

// Forward computes the convolution, bias and activation.
func (l *convLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	l.setGeom(in[0], out)
	x, y := in[0].Data, out.Data
	g := &l.win
	w := l.weight.Value.Data
	switch {
	case l.depthwise():
		l.depthwiseForward(x, y)
	case l.winograd():
		l.winogradForward(x, y)
	case l.pointer:
		gemm.Sgemm(false, false, g.n*g.oh*g.ow, l.cout, g.c, 1, x, g.c, w, l.cout, 0, y, l.cout)
	case l.imagesInParallel():
		cols := l.scratch().slots(scratchCol, numParts(g.n, 1))
		parallelFor(g.n, 1, func(part, lo, hi int) {
			l.im2colForward(x, y, &cols[part], lo, hi, true)
		})
		if l.epi.rowwise(l.biasData()) {
			return nil // im2colForward applied the epilogue chunk by chunk
		}
	default:
		l.im2colForward(x, y, &l.scratch().slots(scratchCol, 1)[0], 0, g.n, false)
	}
	l.epi.forward(y, l.biasData(), l.cout)
	return nil
}

// biasData returns the bias values, or nil without a bias.
func (l *convLayer) biasData() []float32 {
	if l.bias == nil {
		return nil
	}
	return l.bias.Value.Data
}

// minPartRows is the fewest output pixels per chunk for which a core runs
// its own images: every chunk packs the whole weight matrix, which costs
// more than the products of a few rows, so deep layers with small images
// split each GEMM among the cores instead, each packing part of the weight.
const minPartRows = 256

// imagesInParallel reports whether the im2col forward pass splits the batch
// among the cores, each core running im2col and a single-threaded GEMM on
// its own images: this needs no hand-off between the cores per chunk, where
// splitting each chunk's GEMM needs two. It applies when there is more than
// one core's worth of images and the GEMM of a chunk takes the Go path.
func (l *convLayer) imagesInParallel() bool {
	g := &l.win
	parts := numParts(g.n, 1)
	if parts < 2 {
		return false
	}
	cg, cog := g.c/l.groups, l.cout/l.groups
	k := g.kh * g.kw * cg
	rows := min(l.chunk(), g.n/parts) * g.oh * g.ow
	return rows >= minPartRows && gemm.Serial(rows, cog, k)
}

// im2colForward computes the convolution for images lo..hi-1 in chunks that
// fit the im2col budget, using col as the column buffer. serial runs each
// GEMM on the calling goroutine alone and then, when the epilogue is
// rowwise, applies it to the chunk while it is in cache; otherwise the
// caller applies the epilogue.
func (l *convLayer) im2colForward(x, y []float32, col *[]float32, lo, hi int, serial bool) {
	g := &l.win
	w := l.weight.Value.Data
	cg, cog := g.c/l.groups, l.cout/l.groups
	k := g.kh * g.kw * cg
	nb := l.chunk()
	*col = grow(*col, nb*g.oh*g.ow*k)
	mul := sgemm(serial)
	for n0 := lo; n0 < hi; n0 += nb {
		n1 := min(n0+nb, hi)
		rows := (n1 - n0) * g.oh * g.ow
		yc := y[n0*g.oh*g.ow*l.cout:]
		for gr := 0; gr < l.groups; gr++ {
			g.im2colOn(serial, x, *col, n0, n1, gr*cg, cg)
			mul(false, false, rows, cog, k, 1, *col, k, w[gr*cog:], l.cout, 0, yc[gr*cog:], l.cout)
		}
		if b := l.biasData(); serial && l.epi.rowwise(b) {
			l.epi.addRows(yc[:rows*l.cout], b)
		}
	}
}

// Backward adds the weight and bias gradients (unless frozen) and, when
// gradIn[0] is not nil, writes the input gradient.
func (l *convLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	l.setGeom(in[0], out)
	gy := l.epi.backward(out.Data, gradOut.Data)
	if trains(l.bias) {
		l.epi.biasGrad(gy, l.cout, l.bias.Grad.Data)
	}
	var gx []float32
	if gradIn[0] != nil {
		gx = gradIn[0].Data
	}
	x := in[0].Data
	g := &l.win
	w, wantW := l.weight.Value.Data, trains(l.weight)
	switch {
	case !wantW && gx == nil:
	case l.depthwise():
		l.depthwiseBackward(x, gy, gx, wantW)
	case l.winogradBackward():
		switch {
		case wantW && l.winogradGradW():
			l.winogradWeightGrad(x, gy)
		case wantW:
			l.im2colBackward(x, gy, nil, true)
		}
		if gx != nil {
			l.winogradBackwardData(gy, gx)
		}
	case l.pointer:
		rows := g.n * g.oh * g.ow
		if wantW {
			gemm.Sgemm(true, false, g.c, l.cout, rows, 1, x, g.c, gy, l.cout, 1, l.weight.Grad.Data, l.cout)
		}
		if gx != nil {
			gemm.Sgemm(false, true, rows, g.c, l.cout, 1, gy, l.cout, w, l.cout, 0, gx, g.c)
		}
	default:
		l.im2colBackward(x, gy, gx, wantW)
	}
	return nil
}

// trains reports whether p exists and takes gradients: it has a gradient
// tensor and is not frozen. Layers skip the gradients of frozen parameters.
func trains(p *Param) bool {
	return p != nil && p.Grad != nil && !p.Frozen
}

// im2colBackward is the general backward pass: per chunk of images and per
// group, dW += colᵀ·gy when wantW, and col2im(gy·Wᵀ) when gx is wanted.
// When the images run in parallel and each core's share is large next to
// the weight, each core takes its own images with single-threaded GEMMs and
// its own weight-gradient sum, added up at the end.
func (l *convLayer) im2colBackward(x, gy, gx []float32, wantW bool) {
	g := &l.win
	parts := numParts(g.n, 1)
	k := g.kh * g.kw * (g.c / l.groups)
	if !l.imagesInParallel() || (wantW && g.n/parts*g.oh*g.ow < 2*l.cout) {
		var dw []float32
		if wantW {
			dw = l.weight.Grad.Data
		}
		ws := l.scratch()
		l.backwardImages(x, gy, gx, wantW, 0, g.n, &ws.slots(scratchCol, 1)[0], &ws.slots(scratchDCol, 1)[0], dw, false)
		return
	}
	ws := l.scratch()
	cols, dcols := ws.slots(scratchCol, parts), ws.slots(scratchDCol, parts)
	dwParts := ws.slots(scratchDWPart, parts)
	parallelFor(g.n, 1, func(part, lo, hi int) {
		var dw []float32
		if wantW {
			dw = l.weight.Grad.Data
			if part > 0 {
				dwParts[part] = grow(dwParts[part], k*l.cout)
				dw = dwParts[part]
				clear(dw)
			}
		}
		l.backwardImages(x, gy, gx, wantW, lo, hi, &cols[part], &dcols[part], dw, true)
	})
	if wantW {
		for _, dw := range dwParts[1:parts] {
			vecAdd(l.weight.Grad.Data, dw)
		}
	}
}

// backwardImages is the backward pass for images lo..hi-1 with the column
// buffers col and dcol, adding the weight gradient to dw; serial runs it on
// the calling goroutine alone.
func (l *convLayer) backwardImages(x, gy, gx []float32, wantW bool, lo, hi int, col, dcol *[]float32, dw []float32, serial bool) {
	g := &l.win
	w := l.weight.Value.Data
	cg, cog := g.c/l.groups, l.cout/l.groups
	k := g.kh * g.kw * cg
	nb := l.chunk()
	*col = grow(*col, nb*g.oh*g.ow*k)
	if gx != nil {
		*dcol = grow(*dcol, nb*g.oh*g.ow*k)
	}
	mul := sgemm(serial)
	for n0 := lo; n0 < hi; n0 += nb {
		n1 := min(n0+nb, hi)
		rows := (n1 - n0) * g.oh * g.ow
		gyc := gy[n0*g.oh*g.ow*l.cout:]
		for gr := 0; gr < l.groups; gr++ {
			if wantW {
				g.im2colOn(serial, x, *col, n0, n1, gr*cg, cg)
				mul(true, false, k, cog, rows, 1, *col, k, gyc[gr*cog:], l.cout, 1, dw[gr*cog:], l.cout)
			}
			if gx != nil {
				mul(false, true, rows, k, cog, 1, gyc[gr*cog:], l.cout, w[gr*cog:], l.cout, 0, *dcol, k)
				if serial {
					g.col2imImages(*dcol, gx, n0, gr*cg, cg, gr == 0, 0, n1-n0)
				} else {
					g.col2im(*dcol, gx, n0, n1, gr*cg, cg, gr == 0)
				}
			}
		}
	}
}

// sgemm returns the GEMM a worker calls: the serial one when the caller
// already runs workers in parallel, the parallel one otherwise.
func sgemm(serial bool) func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if serial {
		return gemm.SgemmSerial
	}
	return gemm.Sgemm
}
