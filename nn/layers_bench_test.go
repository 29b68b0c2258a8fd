package nn

import (
	"testing"

	"mlabel/tensor"
)

// benchLayer times Forward (and Backward when backward is true) of one layer
// on a random input of the given shape.
func benchLayer(b *testing.B, node Node, shape []int, backward bool) {
	node.Name = "b"
	l, err := newLayer(node, [][]int{shape}, newRNG())
	if err != nil {
		b.Fatal(err)
	}
	os, _ := l.OutShape([][]int{shape})
	x, out, gin := randomTensor(newRNG(), shape), tensor.New(os...), tensor.New(shape...)
	in, gins := []*tensor.Tensor{x}, []*tensor.Tensor{gin}
	if err := l.Forward(in, out, true); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !backward {
			if err := l.Forward(in, out, true); err != nil {
				b.Fatal(err)
			}
			continue
		}
		if err := l.Backward(in, out, out, gins); err != nil {
			b.Fatal(err)
		}
	}
}

// Shapes of the `small` network at 64 px, batch 32.
var (
	benchConv1 = Node{Op: OpConv2D, Attrs: Attrs{Filters: 32, Kernel: [2]int{3, 3}, Pad: [4]int{1, 1, 1, 1}}}
	benchConv2 = Node{Op: OpConv2D, Attrs: Attrs{Filters: 64, Kernel: [2]int{3, 3}, Pad: [4]int{1, 1, 1, 1}}}
	benchDW    = Node{Op: OpConv2D, Attrs: Attrs{Filters: 64, Kernel: [2]int{3, 3}, Groups: 64, Pad: [4]int{1, 1, 1, 1}}}
	benchImg1  = []int{32, 64, 64, 3}
	benchImg2  = []int{32, 32, 32, 32}
	benchImg3  = []int{32, 32, 32, 64}
)

func BenchmarkConv1Forward(b *testing.B)      { benchLayer(b, benchConv1, benchImg1, false) }
func BenchmarkConv1Backward(b *testing.B)     { benchLayer(b, benchConv1, benchImg1, true) }
func BenchmarkConv2Forward(b *testing.B)      { benchLayer(b, benchConv2, benchImg2, false) }
func BenchmarkConv2Backward(b *testing.B)     { benchLayer(b, benchConv2, benchImg2, true) }
func BenchmarkDepthwiseForward(b *testing.B)  { benchLayer(b, benchDW, benchImg3, false) }
func BenchmarkDepthwiseBackward(b *testing.B) { benchLayer(b, benchDW, benchImg3, true) }
func BenchmarkBatchNormForward(b *testing.B)  { benchLayer(b, Node{Op: OpBatchNorm}, benchImg3, false) }
func BenchmarkBatchNormBackward(b *testing.B) { benchLayer(b, Node{Op: OpBatchNorm}, benchImg3, true) }
func BenchmarkReLUForward(b *testing.B)       { benchLayer(b, Node{Op: OpReLU}, benchImg3, false) }
func BenchmarkMaxPoolForward(b *testing.B) {
	benchLayer(b, Node{Op: OpMaxPool, Attrs: Attrs{Kernel: [2]int{2, 2}}}, benchImg3, false)
}
func BenchmarkMaxPoolBackward(b *testing.B) {
	benchLayer(b, Node{Op: OpMaxPool, Attrs: Attrs{Kernel: [2]int{2, 2}}}, benchImg3, true)
}

// chain is a straight sequence of layers with their activations and
// gradients, enough to time a network without the graph engine.
type chain struct {
	layers   []layer
	acts     []*tensor.Tensor // acts[i] is the input of layers[i]
	grads    []*tensor.Tensor // grads[i] is the gradient of acts[i]
	needGrad []bool
}

func newChain(b *testing.B, input []int, nodes []Node) *chain {
	c := &chain{acts: []*tensor.Tensor{randomTensor(newRNG(), input)}, grads: []*tensor.Tensor{nil}}
	shape := input
	for i, n := range nodes {
		n.Name = "l" + string(rune('a'+i))
		l, err := newLayer(n, [][]int{shape}, newRNG())
		if err != nil {
			b.Fatal(err)
		}
		if shape, err = l.OutShape([][]int{shape}); err != nil {
			b.Fatal(err)
		}
		c.layers = append(c.layers, l)
		c.acts = append(c.acts, tensor.New(shape...))
		c.grads = append(c.grads, tensor.New(shape...))
	}
	return c
}

// step runs one training forward and backward pass; the output gradient is
// the output itself.
func (c *chain) step(b *testing.B, backward bool) {
	for i, l := range c.layers {
		if err := l.Forward(c.acts[i:i+1], c.acts[i+1], backward); err != nil {
			b.Fatal(err)
		}
	}
	if !backward {
		return
	}
	last := len(c.layers)
	copy(c.grads[last].Data, c.acts[last].Data)
	for i := last - 1; i >= 0; i-- {
		if err := c.layers[i].Backward(c.acts[i:i+1], c.acts[i+1], c.grads[i+1], c.grads[i:i+1]); err != nil {
			b.Fatal(err)
		}
	}
}

// smallNet is mlabel's `small` architecture with 20 labels.
func smallNet() []Node {
	var nodes []Node
	for _, f := range []int{32, 64, 128, 256} {
		nodes = append(nodes,
			Node{Op: OpConv2D, Attrs: Attrs{Filters: f, Kernel: [2]int{3, 3}, Pad: [4]int{1, 1, 1, 1}}},
			Node{Op: OpBatchNorm}, Node{Op: OpReLU},
			Node{Op: OpMaxPool, Attrs: Attrs{Kernel: [2]int{2, 2}}})
	}
	return append(nodes, Node{Op: OpGlobalAvgPool}, Node{Op: OpDense, Attrs: Attrs{Units: 20, Bias: true}})
}

func benchSmall(b *testing.B, backward bool) {
	c := newChain(b, []int{32, 64, 64, 3}, smallNet())
	c.step(b, backward)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.step(b, backward)
	}
	b.ReportMetric(float64(32*b.N)/b.Elapsed().Seconds(), "img/s")
}

// BenchmarkSmallTrainStep times a training step of `small` at 64 px, batch 32.
func BenchmarkSmallTrainStep(b *testing.B) { benchSmall(b, true) }

// BenchmarkSmallInfer times inference of `small` at 64 px, batch 32.
func BenchmarkSmallInfer(b *testing.B) { benchSmall(b, false) }

func BenchmarkSiLUForward(b *testing.B) { benchLayer(b, Node{Op: OpSiLU}, benchImg3, false) }
