package nn

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// scratchSpec is two convolutions of different column sizes and a
// depthwise one, so that the shared buffers are resized between layers.
func scratchSpec() *Spec {
	return &Spec{
		Nodes: []Node{
			{Name: "in", Op: OpInput, Attrs: Attrs{Shape: []int{20, 20, 3}}},
			{Name: "c1", Op: OpConv2D, Inputs: []string{"in"}, Attrs: Attrs{Filters: 8, Kernel: [2]int{3, 3}, Pad: [4]int{1, 1, 1, 1}}},
			{Name: "dw", Op: OpConv2D, Inputs: []string{"c1"}, Attrs: Attrs{Filters: 8, Kernel: [2]int{3, 3}, Groups: 8, Pad: [4]int{1, 1, 1, 1}}},
			{Name: "c2", Op: OpConv2D, Inputs: []string{"dw"}, Attrs: Attrs{Filters: 5, Kernel: [2]int{5, 5}, Stride: [2]int{2, 2}, Bias: true, Act: OpReLU}},
			{Name: "pool", Op: OpGlobalAvgPool, Inputs: []string{"c2"}},
		},
		Outputs: []string{"pool"},
	}
}

// TestSharedScratchMatchesOwnBuffers checks that the layers of a model
// share one scratch, and that forward and backward give the same values as
// the same layers with buffers of their own, on one core and on two.
func TestSharedScratchMatchesOwnBuffers(t *testing.T) {
	for _, procs := range []int{1, 2} {
		run := func(own bool) (y []float32, grads [][]float32) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			m, err := Build(scratchSpec(), rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			var shared []*scratch
			for _, g := range m.nodes {
				if c, ok := g.layer.(*convLayer); ok {
					shared = append(shared, c.ws)
					if own {
						c.setScratch(&scratch{})
					}
				}
			}
			if shared[0] == nil || shared[0] != shared[1] || shared[1] != shared[2] {
				t.Fatalf("the model's convolutions do not share one scratch: %p", shared)
			}
			x := randomTensor(rand.New(rand.NewPCG(3, 4)), []int{4, 20, 20, 3})
			for range 2 { // a second step reuses the buffers the first sized
				m.ZeroGrad()
				out, err := m.Forward(x, true)
				if err != nil {
					t.Fatal(err)
				}
				y = slices.Clone(out.Data)
				if err := m.Backward(out.Clone()); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range m.Params() {
				grads = append(grads, slices.Clone(p.Grad.Data))
			}
			return y, grads
		}
		y1, g1 := run(false)
		y2, g2 := run(true)
		if !slices.Equal(y1, y2) {
			t.Errorf("%d cores: outputs differ with shared buffers: %v, own %v", procs, y1, y2)
		}
		for i := range g1 {
			if !slices.Equal(g1[i], g2[i]) {
				t.Errorf("%d cores: gradient %d differs with shared buffers", procs, i)
			}
		}
	}
}
