package nn

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"mlabel/tensor"
)

// convRun runs one conv layer's forward and backward pass on shape and
// returns the output, the input gradient and the weight and bias gradients.
func convRun(t *testing.T, a Attrs, shape []int) (y, gx, gw, gb []float32, wino bool) {
	t.Helper()
	l, err := newLayer(Node{Name: "c", Op: OpConv2D, Attrs: a}, [][]int{shape}, newRNG())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range l.Params() {
		p.Grad = tensor.New(p.Value.Shape...)
	}
	os, _ := l.OutShape([][]int{shape})
	x := []*tensor.Tensor{randomTensor(newRNG(), shape)}
	out, gin := tensor.New(os...), tensor.New(shape...)
	if err := l.Forward(x, out, true); err != nil {
		t.Fatal(err)
	}
	gout := randomTensor(newRNG(), os)
	if err := l.Backward(x, out, gout, []*tensor.Tensor{gin}); err != nil {
		t.Fatal(err)
	}
	c := l.(*convLayer)
	if a.Bias {
		gb = c.bias.Grad.Data
	}
	return out.Data, gin.Data, c.weight.Grad.Data, gb, c.winograd() && c.winogradBackward()
}

// TestWinogradMatchesIm2col checks the Winograd path against the im2col
// path, forward and backward, on shapes whose sides are and are not
// multiples of the tile, with every padding it takes, on one and two cores.
func TestWinogradMatchesIm2col(t *testing.T) {
	pad := func(p ...int) [4]int { return [4]int{p[0], p[1], p[2], p[3]} }
	tests := []struct {
		shape []int
		a     Attrs
	}{
		{[]int{4, 16, 16, 16}, Attrs{Filters: 16, Pad: pad(1, 1, 1, 1)}},
		{[]int{4, 18, 13, 24}, Attrs{Filters: 20, Pad: pad(1, 1, 1, 1), Bias: true, Act: OpReLU}},
		{[]int{2, 30, 30, 16}, Attrs{Filters: 32, Pad: pad(0, 0, 0, 0)}},
		{[]int{2, 22, 21, 17}, Attrs{Filters: 16, Pad: pad(2, 0, 1, 2), Bias: true}},
		{[]int{1, 40, 36, 32}, Attrs{Filters: 48, Pad: pad(1, 1, 1, 1)}}, // one image: the tiles split among cores
	}
	defer func(on bool) { winogradOn = on }(winogradOn)
	for _, tc := range tests {
		tc.a.Kernel = [2]int{3, 3}
		for _, procs := range []int{1, 2} {
			t.Run(fmt.Sprintf("%v_%v_%dcores", tc.shape, tc.a.Pad, procs), func(t *testing.T) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				winogradOn = false
				y0, gx0, gw0, gb0, _ := convRun(t, tc.a, tc.shape)
				winogradOn = true
				y1, gx1, gw1, gb1, wino := convRun(t, tc.a, tc.shape)
				if !wino {
					t.Fatal("the Winograd path does not apply")
				}
				for name, p := range map[string][2][]float32{"output": {y0, y1}, "input grad": {gx0, gx1}, "weight grad": {gw0, gw1}, "bias grad": {gb0, gb1}} {
					if len(p[0]) != len(p[1]) {
						t.Fatalf("%s: %d values, want %d", name, len(p[1]), len(p[0]))
					}
					scale := 0.0
					for _, v := range p[0] {
						scale = max(scale, math.Abs(float64(v)))
					}
					for i := range p[0] {
						if d := math.Abs(float64(p[0][i] - p[1][i])); d > 1e-4*max(1, scale) {
							t.Fatalf("%s %d is %g by Winograd, %g by im2col", name, i, p[1][i], p[0][i])
						}
					}
				}
			})
		}
	}
}

// TestWinogradGoldenTakesWinograd checks that the PyTorch golden
// conv3x3_winograd (checked by TestLayersMatchPyTorch) runs the Winograd
// path.
func TestWinogradGoldenTakesWinograd(t *testing.T) {
	g, err := readGolden("testdata/layers/conv3x3_winograd.bin")
	if err != nil {
		t.Fatal(err)
	}
	in := g.tensors["in0"]
	l, err := newLayer(g.Node, [][]int{in.Shape}, newRNG())
	if err != nil {
		t.Fatal(err)
	}
	out := tensor.New(g.tensors["out"].Shape...)
	if err := l.Forward([]*tensor.Tensor{in}, out, true); err != nil {
		t.Fatal(err)
	}
	if !l.(*convLayer).winograd() {
		t.Error("the golden's convolution does not take the Winograd path")
	}
}

// TestWinogradTransforms checks the strided transforms, vector kernels and
// the element loop alike (n = 21 has both), against their matrices.
func TestWinogradTransforms(t *testing.T) {
	bt := [][]float64{{4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
		{0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}}
	at := [][]float64{{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}}
	gm := [][]float64{{1.0 / 4, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
		{1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}}
	tests := []struct {
		name string
		f    func(in []float32, is int, out []float32, os int, n int)
		mat  [][]float64
	}{{"Bt", wgBTs, bt}, {"At", wgATs, at}, {"G", wgGs, gm}, {"A", wgAs, transpose(at)}, {"Gt", wgGTs, transpose(gm)}}
	const n, is, os = 21, 23, 29
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := randomTensor(newRNG(), []int{len(tc.mat[0]) * is}).Data
			out := make([]float32, len(tc.mat)*os)
			tc.f(in, is, out, os, n)
			for r, row := range tc.mat {
				for i := 0; i < n; i++ {
					want := 0.0
					for j, m := range row {
						want += m * float64(in[j*is+i])
					}
					if got := float64(out[r*os+i]); math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
						t.Fatalf("output %d, element %d: %g, want %g", r, i, got, want)
					}
				}
			}
		})
	}
}

func transpose(m [][]float64) [][]float64 {
	t := make([][]float64, len(m[0]))
	for i := range t {
		t[i] = make([]float64, len(m))
		for j := range m {
			t[i][j] = m[j][i]
		}
	}
	return t
}

// TestWinogradGradCheck checks the Winograd path's input and weight
// gradients against finite differences. The layer has no activation, so it
// is linear in its input and in its weights, and steps of 0.25 give exact
// differences, well above the rounding of the transforms.
func TestWinogradGradCheck(t *testing.T) {
	node := Node{Op: OpConv2D, Attrs: Attrs{Filters: 16, Kernel: [2]int{3, 3}, Pad: [4]int{1, 1, 1, 1}, Bias: true}}
	shape := []int{1, 13, 13, 16} // 16 tiles, two of them cut by the edges
	_, _, _, _, wino := convRun(t, node.Attrs, shape)
	if !wino {
		t.Fatal("the Winograd path does not apply")
	}
	gradCheckEps(t, node, [][]int{shape}, true, 0.25)
}

// TestWinogradGates checks which passes take the Winograd path.
func TestWinogradGates(t *testing.T) {
	tests := []struct {
		shape           []int
		a               Attrs
		fwd, bwd, gradW bool
	}{
		{[]int{32, 16, 16, 64}, Attrs{Filters: 64}, true, true, true},
		{[]int{32, 8, 8, 256}, Attrs{Filters: 256}, true, true, true},
		{[]int{32, 4, 4, 512}, Attrs{Filters: 512}, false, false, false}, // one tile per image, 32 tiles for 512×512
		{[]int{1, 8, 8, 64}, Attrs{Filters: 64}, true, false, false},     // 4 tiles: forward only
		{[]int{32, 4, 4, 64}, Attrs{Filters: 64}, false, true, true},     // backward only
		{[]int{8, 16, 16, 8}, Attrs{Filters: 64}, false, false, false},   // 8 input channels
		{[]int{8, 16, 16, 64}, Attrs{Filters: 64, Stride: [2]int{2, 2}}, false, false, false},
		{[]int{8, 16, 16, 64}, Attrs{Filters: 64, Groups: 2}, false, false, false},
	}
	for _, tc := range tests {
		tc.a.Kernel, tc.a.Pad = [2]int{3, 3}, [4]int{1, 1, 1, 1}
		l, err := newLayer(Node{Name: "c", Op: OpConv2D, Attrs: tc.a}, [][]int{tc.shape}, newRNG())
		if err != nil {
			t.Fatal(err)
		}
		c := l.(*convLayer)
		os, _ := l.OutShape([][]int{tc.shape})
		c.setGeom(tensor.New(tc.shape...), tensor.New(os...))
		fwd := c.winograd()
		bwd := c.winogradBackward()
		if fwd != tc.fwd || bwd != tc.bwd || (bwd && c.winogradGradW() != tc.gradW) {
			t.Errorf("%v %+v: forward %v, backward %v, weight gradient %v; want %v, %v, %v",
				tc.shape, tc.a, fwd, bwd, c.winogradGradW(), tc.fwd, tc.bwd, tc.gradW)
		}
	}
}
