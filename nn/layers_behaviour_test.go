package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"mlabel/tensor"
)

func newRNG() *rand.Rand { return rand.New(rand.NewPCG(3, 5)) }

func TestLayerInitialisesLikePyTorch(t *testing.T) {
	cases := []struct {
		node      Node
		in        []int
		fanIn     int
		wantNames []string
	}{
		{Node{Name: "c", Op: OpConv2D, Attrs: Attrs{Filters: 64, Kernel: [2]int{3, 3}, Bias: true}}, []int{1, 8, 8, 32}, 288, []string{"c.weight", "c.bias"}},
		{Node{Name: "g", Op: OpConv2D, Attrs: Attrs{Filters: 64, Kernel: [2]int{3, 3}, Groups: 4}}, []int{1, 8, 8, 32}, 72, []string{"g.weight"}},
		{Node{Name: "d", Op: OpDense, Attrs: Attrs{Units: 50, Bias: true}}, []int{2, 400}, 400, []string{"d.weight", "d.bias"}},
	}
	for _, c := range cases {
		l, err := newLayer(c.node, [][]int{c.in}, newRNG())
		if err != nil {
			t.Fatal(err)
		}
		ps := l.Params()
		if len(ps) != len(c.wantNames) {
			t.Fatalf("%s: %d params, want %d", c.node.Name, len(ps), len(c.wantNames))
		}
		bound := 1 / math.Sqrt(float64(c.fanIn))
		for i, p := range ps {
			if p.Name != c.wantNames[i] || p.Grad == nil || p.NoDecay != strings.HasSuffix(p.Name, ".bias") {
				t.Errorf("param %d: name %q, grad %v, nodecay %v", i, p.Name, p.Grad != nil, p.NoDecay)
			}
			var sq float64
			for _, v := range p.Value.Data {
				if math.Abs(float64(v)) > bound {
					t.Fatalf("%s: %g outside ±%g", p.Name, v, bound)
				}
				sq += float64(v) * float64(v)
			}
			// Uniform in ±b has standard deviation b/√3.
			if std := math.Sqrt(sq / float64(p.Value.Len())); math.Abs(std-bound/math.Sqrt(3)) > 0.2*bound {
				t.Errorf("%s: std %g, want about %g", p.Name, std, bound/math.Sqrt(3))
			}
		}
	}
}

func TestLayerNilRandomSourceIsFixedSeed(t *testing.T) {
	node := Node{Name: "c", Op: OpConv2D, Attrs: Attrs{Filters: 4, Kernel: [2]int{3, 3}, Bias: true}}
	a, err := newLayer(node, [][]int{{1, 5, 5, 2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newLayer(node, [][]int{{1, 5, 5, 2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := closeTo(a.Params()[0].Value, b.Params()[0].Value); err != nil {
		t.Errorf("weights differ between two nil-seeded layers: %v", err)
	}
	if _, err := newLayer(Node{Name: "d", Op: OpDropout, Attrs: Attrs{Rate: 0.5}}, [][]int{{2, 3}}, nil); err != nil {
		t.Errorf("dropout with nil random source: %v", err)
	}
}

func TestLayerBatchNormParams(t *testing.T) {
	l, err := newLayer(Node{Name: "bn", Op: OpBatchNorm}, [][]int{{2, 3, 3, 4}}, newRNG())
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name    string
		value   float32
		buffer  bool
		noDecay bool
	}{{"bn.gamma", 1, false, true}, {"bn.beta", 0, false, true}, {"bn.running_mean", 0, true, false}, {"bn.running_var", 1, true, false}}
	for i, p := range l.Params() {
		w := want[i]
		if p.Name != w.name || (p.Grad == nil) != w.buffer || p.NoDecay != w.noDecay || p.Value.Data[3] != w.value {
			t.Errorf("param %d = %s (buffer %v, nodecay %v, value %g), want %+v", i, p.Name, p.Grad == nil, p.NoDecay, p.Value.Data[3], w)
		}
	}
}

func TestLayerErrors(t *testing.T) {
	img := [][]int{{1, 4, 4, 3}}
	cases := []struct {
		name string
		node Node
		in   [][]int
	}{
		{"input", Node{Op: OpInput}, img},
		{"unknown", Node{Op: "bogus"}, img},
		{"conv_no_filters", Node{Op: OpConv2D, Attrs: Attrs{Kernel: [2]int{3, 3}}}, img},
		{"conv_no_kernel", Node{Op: OpConv2D, Attrs: Attrs{Filters: 2}}, img},
		{"conv_bad_groups", Node{Op: OpConv2D, Attrs: Attrs{Filters: 4, Kernel: [2]int{1, 1}, Groups: 2}}, img},
		{"conv_too_big", Node{Op: OpConv2D, Attrs: Attrs{Filters: 4, Kernel: [2]int{5, 5}}}, img},
		{"conv_rank", Node{Op: OpConv2D, Attrs: Attrs{Filters: 4, Kernel: [2]int{1, 1}}}, [][]int{{2, 3}}},
		{"conv_act", Node{Op: OpConv2D, Attrs: Attrs{Filters: 4, Kernel: [2]int{1, 1}, Act: "tanhh"}}, img},
		{"pool_big_pad", Node{Op: OpMaxPool, Attrs: Attrs{Kernel: [2]int{2, 2}, Pad: [4]int{2, 2, 2, 2}}}, img},
		{"dense_no_units", Node{Op: OpDense}, [][]int{{2, 3}}},
		{"dropout_rate", Node{Op: OpDropout, Attrs: Attrs{Rate: 1}}, img},
		{"add_mismatch", Node{Op: OpAdd}, [][]int{{1, 4, 4, 3}, {1, 4, 4, 2}}},
		{"mul_bad_bcast", Node{Op: OpMul}, [][]int{{1, 4, 4, 3}, {1, 4}}},
		{"concat_mismatch", Node{Op: OpConcat}, [][]int{{1, 4, 4, 3}, {1, 3, 4, 3}}},
		{"relu_two_inputs", Node{Op: OpReLU}, [][]int{{1, 2}, {1, 2}}},
		{"upsample_scale", Node{Op: OpUpsample, Attrs: Attrs{Scale: -1}}, img},
		{"global_rank", Node{Op: OpGlobalAvgPool}, [][]int{{2, 3}}},
	}
	for _, c := range cases {
		c.node.Name = "node_" + c.name
		_, err := newLayer(c.node, c.in, newRNG())
		if err == nil {
			t.Errorf("%s: no error", c.name)
		} else if !strings.Contains(err.Error(), c.node.Name) {
			t.Errorf("%s: error %q does not name the node", c.name, err)
		}
	}
}

func TestForwardRejectsWrongShapes(t *testing.T) {
	l, err := newLayer(Node{Name: "c", Op: OpConv2D, Attrs: Attrs{Filters: 2, Kernel: [2]int{3, 3}}}, [][]int{{1, 5, 5, 3}}, newRNG())
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(1, 5, 5, 3)
	if err := l.Forward([]*tensor.Tensor{x}, tensor.New(1, 5, 5, 2), false); err == nil {
		t.Error("wrong output shape accepted")
	}
	if err := l.Forward([]*tensor.Tensor{tensor.New(1, 5, 5, 4)}, tensor.New(1, 3, 3, 2), false); err == nil {
		t.Error("wrong input channels accepted")
	}
	out := tensor.New(1, 3, 3, 2)
	if err := l.Forward([]*tensor.Tensor{x}, out, false); err != nil {
		t.Fatal(err)
	}
	if err := l.Backward([]*tensor.Tensor{x}, out, tensor.New(1, 3, 3, 1), []*tensor.Tensor{nil}); err == nil {
		t.Error("wrong gradient shape accepted")
	}
}

func TestDropout(t *testing.T) {
	const rate = 0.3
	l, err := newLayer(Node{Name: "d", Op: OpDropout, Attrs: Attrs{Rate: rate}}, [][]int{{4, 1000}}, newRNG())
	if err != nil {
		t.Fatal(err)
	}
	x := randomTensor(newRNG(), []int{4, 1000})
	in := []*tensor.Tensor{x}
	out := tensor.New(4, 1000)
	if err := l.Forward(in, out, false); err != nil {
		t.Fatal(err)
	}
	for i, v := range out.Data {
		if v != x.Data[i] {
			t.Fatalf("eval mode changed value %d", i)
		}
	}
	if err := l.Forward(in, out, true); err != nil {
		t.Fatal(err)
	}
	g := randomTensor(newRNG(), []int{4, 1000})
	gin := tensor.New(4, 1000)
	if err := l.Backward(in, out, g, []*tensor.Tensor{gin}); err != nil {
		t.Fatal(err)
	}
	zeros := 0
	for i, v := range out.Data {
		keep := float32(1 / (1 - rate))
		switch {
		case v == 0:
			zeros++
			if gin.Data[i] != 0 {
				t.Fatalf("dropped value %d has gradient %g", i, gin.Data[i])
			}
		case math.Abs(float64(v-x.Data[i]*keep)) > 1e-6 || math.Abs(float64(gin.Data[i]-g.Data[i]*keep)) > 1e-6:
			t.Fatalf("kept value %d: out %g grad %g, want %g and %g", i, v, gin.Data[i], x.Data[i]*keep, g.Data[i]*keep)
		}
	}
	if frac := float64(zeros) / 4000; math.Abs(frac-rate) > 0.03 {
		t.Errorf("dropped fraction %g, want about %g", frac, rate)
	}
}

// TestConvChunksAndNilGradIn checks that processing the batch in small
// chunks and skipping the input gradient leave the results unchanged.
func TestConvChunksAndNilGradIn(t *testing.T) {
	node := Node{Name: "c", Op: OpConv2D, Attrs: Attrs{Filters: 4, Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}, Bias: true}}
	shape := []int{5, 7, 7, 3}
	run := func(budget int, wantGradIn bool) (*tensor.Tensor, *tensor.Tensor, []*Param) {
		saved := colBudget
		colBudget = budget
		defer func() { colBudget = saved }()
		l, err := newLayer(node, [][]int{shape}, newRNG())
		if err != nil {
			t.Fatal(err)
		}
		x := randomTensor(newRNG(), shape)
		out := tensor.New(5, 4, 4, 4)
		if err := l.Forward([]*tensor.Tensor{x}, out, true); err != nil {
			t.Fatal(err)
		}
		var gin *tensor.Tensor
		if wantGradIn {
			gin = tensor.New(shape...)
		}
		if err := l.Backward([]*tensor.Tensor{x}, out, out, []*tensor.Tensor{gin}); err != nil {
			t.Fatal(err)
		}
		return out, gin, l.Params()
	}
	out0, gin0, p0 := run(1<<22, true)
	out1, gin1, p1 := run(1, true)
	_, _, p2 := run(1<<22, false)
	if err := closeTo(out1, out0); err != nil {
		t.Errorf("chunked output: %v", err)
	}
	if err := closeTo(gin1, gin0); err != nil {
		t.Errorf("chunked input gradient: %v", err)
	}
	for i := range p0 {
		if err := closeTo(p1[i].Grad, p0[i].Grad); err != nil {
			t.Errorf("chunked %s gradient: %v", p0[i].Name, err)
		}
		if err := closeTo(p2[i].Grad, p0[i].Grad); err != nil {
			t.Errorf("%s gradient without input gradient: %v", p0[i].Name, err)
		}
	}
}

// TestStepDoesNotAllocateBuffers checks that, once shapes are stable, a
// forward and backward pass allocates no tensor-sized buffers (only the
// small bookkeeping of spawning goroutines).
func TestStepDoesNotAllocateBuffers(t *testing.T) {
	img := [][]int{{4, 16, 16, 16}}
	nodes := []Node{
		{Op: OpConv2D, Attrs: Attrs{Filters: 16, Kernel: [2]int{3, 3}, Pad: [4]int{1, 1, 1, 1}, Bias: true, Act: OpSiLU}},
		{Op: OpConv2D, Attrs: Attrs{Filters: 16, Kernel: [2]int{3, 3}, Groups: 16, Pad: [4]int{1, 1, 1, 1}}},
		{Op: OpBatchNorm},
		{Op: OpMaxPool, Attrs: Attrs{Kernel: [2]int{2, 2}}},
		{Op: OpAvgPool, Attrs: Attrs{Kernel: [2]int{3, 3}, Pad: [4]int{1, 1, 1, 1}}},
		{Op: OpGlobalMaxPool},
		{Op: OpDropout, Attrs: Attrs{Rate: 0.2}},
		{Op: OpScaleShift},
	}
	for _, n := range nodes {
		n.Name = "n"
		l, err := newLayer(n, img, newRNG())
		if err != nil {
			t.Fatal(err)
		}
		os, _ := l.OutShape(img)
		x, out, gin := randomTensor(newRNG(), img[0]), tensor.New(os...), tensor.New(img[0]...)
		step := func() {
			if err := l.Forward([]*tensor.Tensor{x}, out, true); err != nil {
				t.Fatal(err)
			}
			if err := l.Backward([]*tensor.Tensor{x}, out, out, []*tensor.Tensor{gin}); err != nil {
				t.Fatal(err)
			}
		}
		step()
		// The GEMM keeps one workspace per goroutine that was ever busy at
		// the same time; on a loaded machine the most that overlap can
		// still rise after the first step. So take the least allocation
		// over a few rounds: once the workspaces exist, a round allocates
		// nothing.
		least := uint64(math.MaxUint64)
		for round := 0; round < 4; round++ {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for i := 0; i < 5; i++ {
				step()
			}
			runtime.ReadMemStats(&after)
			least = min(least, (after.TotalAlloc-before.TotalAlloc)/5)
		}
		if least > 8<<10 {
			t.Errorf("%s: %d bytes allocated per step", n.Op, least)
		}
	}
}

// TestBackwardBeforeForwardFails checks that every layer type reports an
// error, rather than panicking, when Backward comes without a Forward.
func TestBackwardBeforeForwardFails(t *testing.T) {
	img := []int{1, 4, 4, 2}
	nodes := []Node{
		{Op: OpConv2D, Attrs: Attrs{Filters: 2, Kernel: [2]int{3, 3}}},
		{Op: OpConv2D, Attrs: Attrs{Filters: 2, Kernel: [2]int{3, 3}, Groups: 2}},
		{Op: OpBatchNorm}, {Op: OpReLU}, {Op: OpMaxPool, Attrs: Attrs{Kernel: [2]int{2, 2}}},
		{Op: OpAvgPool, Attrs: Attrs{Kernel: [2]int{2, 2}}}, {Op: OpGlobalMaxPool}, {Op: OpDense, Attrs: Attrs{Units: 3}},
		{Op: OpDropout, Attrs: Attrs{Rate: 0.5}}, {Op: OpAdd}, {Op: OpConcat}, {Op: OpUpsample}, {Op: OpFlatten},
		{Op: OpScaleShift}, {Op: OpMul},
	}
	for _, n := range nodes {
		n.Name = string(n.Op)
		in := [][]int{img}
		if n.Op == OpMul {
			in = append(in, img)
		}
		l, err := newLayer(n, in, newRNG())
		if err != nil {
			t.Fatal(err)
		}
		os, _ := l.OutShape(in)
		ins, gins := make([]*tensor.Tensor, len(in)), make([]*tensor.Tensor, len(in))
		for i := range in {
			ins[i], gins[i] = tensor.New(img...), tensor.New(img...)
		}
		if err := l.Backward(ins, tensor.New(os...), tensor.New(os...), gins); err == nil {
			t.Errorf("%s: Backward before Forward gave no error", n.Op)
		}
	}
}

// TestFrozenParamsSkipGradients checks that frozen weights and biases get
// no gradient while the input gradient is unchanged.
func TestFrozenParamsSkipGradients(t *testing.T) {
	img := []int{2, 5, 5, 4}
	cases := []struct {
		name string
		node Node
		in   []int
	}{
		{"conv3x3", Node{Op: OpConv2D, Attrs: Attrs{Filters: 3, Kernel: [2]int{3, 3}, Bias: true}}, img},
		{"pointwise", Node{Op: OpConv2D, Attrs: Attrs{Filters: 3, Kernel: [2]int{1, 1}, Bias: true}}, img},
		{"depthwise", Node{Op: OpConv2D, Attrs: Attrs{Filters: 4, Kernel: [2]int{3, 3}, Groups: 4, Bias: true}}, img},
		{"dense", Node{Op: OpDense, Attrs: Attrs{Units: 3, Bias: true}}, []int{2, 6}},
	}
	for _, c := range cases {
		c.node.Name = c.name
		run := func(frozen bool) (*tensor.Tensor, []*Param) {
			l, err := newLayer(c.node, [][]int{c.in}, newRNG())
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range l.Params() {
				p.Frozen = frozen
			}
			x := randomTensor(newRNG(), c.in)
			os, _ := l.OutShape([][]int{c.in})
			out, gin := tensor.New(os...), tensor.New(c.in...)
			if err := l.Forward([]*tensor.Tensor{x}, out, true); err != nil {
				t.Fatal(err)
			}
			if err := l.Backward([]*tensor.Tensor{x}, out, out, []*tensor.Tensor{gin}); err != nil {
				t.Fatal(err)
			}
			return gin, l.Params()
		}
		gin0, _ := run(false)
		gin1, ps := run(true)
		if err := closeTo(gin1, gin0); err != nil {
			t.Errorf("%s: input gradient with frozen params: %v", c.name, err)
		}
		for _, p := range ps {
			for _, v := range p.Grad.Data {
				if v != 0 {
					t.Errorf("%s: frozen %s got a gradient", c.name, p.Name)
					break
				}
			}
		}
	}
}
