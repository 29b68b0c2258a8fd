package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"mlabel/tensor"
)

// fakeScale multiplies its input by one scalar parameter and counts its
// backward calls.
type fakeScale struct {
	p         *Param
	backwards *int
}

func (f *fakeScale) OutShape(in [][]int) ([]int, error) { return in[0], nil }

func (f *fakeScale) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	a := f.p.Value.Data[0]
	for i, v := range in[0].Data {
		out.Data[i] = a * v
	}
	return nil
}

func (f *fakeScale) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	*f.backwards++
	a := f.p.Value.Data[0]
	for i, g := range gradOut.Data {
		f.p.Grad.Data[0] += g * in[0].Data[i]
		if gradIn[0] != nil {
			gradIn[0].Data[i] = a * g
		}
	}
	return nil
}

func (f *fakeScale) Params() []*Param { return []*Param{f.p} }

// fakeSum adds its inputs; it has no parameters.
type fakeSum struct{ backwards *int }

func (f *fakeSum) OutShape(in [][]int) ([]int, error) { return in[0], nil }

func (f *fakeSum) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	out.Zero()
	for _, t := range in {
		addInto(out.Data, t.Data)
	}
	return nil
}

func (f *fakeSum) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	*f.backwards++
	for _, g := range gradIn {
		if g != nil {
			copy(g.Data, gradOut.Data)
		}
	}
	return nil
}

func (f *fakeSum) Params() []*Param { return nil }

// fakeFactory builds relu nodes as fakeScale (scale = Alpha) and add nodes
// as fakeSum, counting backward calls per node.
func fakeFactory(counts map[string]*int) layerFactory {
	return func(n Node, in [][]int, rng *rand.Rand) (layer, error) {
		c := new(int)
		counts[n.Name] = c
		switch n.Op {
		case OpReLU:
			p := &Param{Name: n.Name + ".a", Value: tensor.New(1), Grad: tensor.New(1)}
			p.Value.Data[0] = float32(n.Attrs.Alpha)
			return &fakeScale{p: p, backwards: c}, nil
		case OpAdd:
			return &fakeSum{backwards: c}, nil
		}
		return nil, fmt.Errorf("fake factory: op %s", n.Op)
	}
}

// fanOutSpec is y = c·(b·(a·x) + a·x + a·x): node a fans out to b and twice
// to the add.
func fanOutSpec() *Spec {
	return &Spec{
		Nodes: []Node{
			{Name: "x", Op: OpInput, Attrs: Attrs{Shape: []int{1, 1, 2}}},
			{Name: "a", Op: OpReLU, Inputs: []string{"x"}, Attrs: Attrs{Alpha: 2}},
			{Name: "b", Op: OpReLU, Inputs: []string{"a"}, Attrs: Attrs{Alpha: 3}},
			{Name: "sum", Op: OpAdd, Inputs: []string{"b", "a", "a"}},
			{Name: "c", Op: OpReLU, Inputs: []string{"sum"}, Attrs: Attrs{Alpha: 5}},
		},
		Outputs: []string{"c"},
	}
}

func TestModelForwardBackwardFanOut(t *testing.T) {
	tests := []struct {
		name      string
		freeze    string
		wantGrad  map[string]float32 // per parameter; x sums to 1+2+3+4 = 10
		wantCalls map[string]int
	}{
		{
			name: "all trainable",
			// y = c·(b+2)·a·x; dy/da = c(b+2)Σx, dy/db = c·a·Σx, dy/dc = (b+2)·a·Σx
			wantGrad:  map[string]float32{"a.a": 5 * 5 * 10, "b.a": 5 * 2 * 10, "c.a": 5 * 2 * 10},
			wantCalls: map[string]int{"a": 1, "b": 1, "sum": 1, "c": 1},
		},
		{
			name:      "frozen a skips its backward",
			freeze:    "a.",
			wantGrad:  map[string]float32{"a.a": 0, "b.a": 5 * 2 * 10, "c.a": 5 * 2 * 10},
			wantCalls: map[string]int{"a": 0, "b": 1, "sum": 1, "c": 1},
		},
		{
			name:      "only the last layer trains",
			freeze:    "", // everything, then c unfrozen below
			wantGrad:  map[string]float32{"a.a": 0, "b.a": 0, "c.a": 5 * 2 * 10},
			wantCalls: map[string]int{"a": 0, "b": 0, "sum": 0, "c": 1},
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			counts := map[string]*int{}
			m, err := buildWith(fanOutSpec(), nil, fakeFactory(counts))
			if err != nil {
				t.Fatal(err)
			}
			if i > 0 {
				m.Freeze(tc.freeze)
			}
			if i == 2 {
				m.Unfreeze("c.")
			}
			x, _ := tensor.FromData([]float32{1, 2, 3, 4}, 2, 1, 1, 2)
			for step := 0; step < 2; step++ { // the second step reuses buffers
				m.ZeroGrad()
				y, err := m.Forward(x, true)
				if err != nil {
					t.Fatal(err)
				}
				if want := float32(5 * 5 * 2 * 4); y.Data[3] != want {
					t.Fatalf("y[3] = %v, want %v", y.Data[3], want)
				}
				g := tensor.New(2, 1, 1, 2)
				for k := range g.Data {
					g.Data[k] = 1
				}
				if err := m.Backward(g); err != nil {
					t.Fatal(err)
				}
			}
			for name, want := range tc.wantGrad {
				if got := m.Param(name).Grad.Data[0]; got != want {
					t.Errorf("grad %s = %v, want %v", name, got, want)
				}
			}
			for name, want := range tc.wantCalls {
				if got := *counts[name]; got != 2*want {
					t.Errorf("%s ran backward %d times in 2 steps, want %d", name, got, 2*want)
				}
			}
			if in := m.nodes[m.input]; in.gradSet || in.grad != nil {
				t.Error("the input node got a gradient")
			}
		})
	}
}

func TestModelErrors(t *testing.T) {
	m, err := buildWith(fanOutSpec(), nil, fakeFactory(map[string]*int{}))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Backward(tensor.New(1, 1, 1, 2)); err == nil {
		t.Error("Backward before Forward: no error")
	}
	if _, err := m.Forward(tensor.New(1, 1, 1, 3), false); err == nil || !strings.Contains(err.Error(), "input shape") {
		t.Errorf("wrong channel count: %v", err)
	}
	if _, err := m.Forward(tensor.New(3, 1, 1, 2), false); err != nil {
		t.Fatal(err)
	}
	if err := m.Backward(tensor.New(2, 1, 1, 2)); err == nil {
		t.Error("gradient of the wrong shape: no error")
	}
	if m.Activation("sum") == nil || m.Activation("nope") != nil {
		t.Error("Activation lookup")
	}
}

func TestModelWeights(t *testing.T) {
	m, err := buildWith(fanOutSpec(), nil, fakeFactory(map[string]*int{}))
	if err != nil {
		t.Fatal(err)
	}
	one := func(v float32) *tensor.Tensor { t, _ := tensor.FromData([]float32{v}, 1); return t }
	tests := []struct {
		name    string
		w       map[string]*tensor.Tensor
		wantErr string
	}{
		{"complete", map[string]*tensor.Tensor{"a.a": one(7), "b.a": one(8), "c.a": one(9)}, ""},
		{"missing", map[string]*tensor.Tensor{"a.a": one(7), "b.a": one(8)}, "missing: c.a"},
		{"unknown", map[string]*tensor.Tensor{"a.a": one(7), "b.a": one(8), "c.a": one(9), "d.a": one(1)}, "lacks: d.a"},
		{"bad shape", map[string]*tensor.Tensor{"a.a": one(7), "b.a": tensor.New(2), "c.a": one(9)}, `"b.a" has shape [2]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := m.SetWeights(tc.w)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := m.Weights()["c.a"].Data[0]; got != 9 {
					t.Errorf("c.a = %v after SetWeights", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
	missing, err := m.SetWeightsPartial(map[string]*tensor.Tensor{"b.a": one(1), "old.head": one(3)})
	if err != nil || len(missing) != 2 || math.Abs(float64(m.Param("b.a").Value.Data[0]-1)) > 0 {
		t.Errorf("SetWeightsPartial: missing %v, err %v", missing, err)
	}
}

// TestModelStepDoesNotAllocate checks that the graph itself allocates
// nothing per step once the batch shape is stable.
func TestModelStepDoesNotAllocate(t *testing.T) {
	m, err := buildWith(fanOutSpec(), nil, fakeFactory(map[string]*int{}))
	if err != nil {
		t.Fatal(err)
	}
	x, g := tensor.New(4, 1, 1, 2), tensor.New(4, 1, 1, 2)
	step := func() {
		m.ZeroGrad()
		if _, err := m.Forward(x, true); err != nil {
			t.Fatal(err)
		}
		if err := m.Backward(g); err != nil {
			t.Fatal(err)
		}
	}
	step()
	if n := testing.AllocsPerRun(10, step); n != 0 {
		t.Errorf("%v allocations per step", n)
	}
}

// TestModelSeesDirectFrozenMarks checks that marking Param.Frozen directly,
// after steps have run, also skips the frozen layers.
func TestModelSeesDirectFrozenMarks(t *testing.T) {
	counts := map[string]*int{}
	m, err := buildWith(fanOutSpec(), nil, fakeFactory(counts))
	if err != nil {
		t.Fatal(err)
	}
	x, g := tensor.New(1, 1, 1, 2), tensor.New(1, 1, 1, 2)
	for step := 0; step < 2; step++ {
		if step == 1 {
			m.Param("a.a").Frozen = true
		}
		if _, err := m.Forward(x, true); err != nil {
			t.Fatal(err)
		}
		if err := m.Backward(g); err != nil {
			t.Fatal(err)
		}
	}
	if *counts["a"] != 1 || *counts["b"] != 2 {
		t.Errorf("backward calls: a %d (want 1), b %d (want 2)", *counts["a"], *counts["b"])
	}
}

func TestLoad(t *testing.T) {
	spec := &Spec{Nodes: []Node{
		{Name: "in", Op: OpInput, Attrs: Attrs{Shape: []int{1, 1, 2}}},
		{Name: "fc", Op: OpDense, Inputs: []string{"in"}, Attrs: Attrs{Units: 1, Bias: true}},
	}, Outputs: []string{"fc"}}
	w := map[string]*tensor.Tensor{
		"fc.weight": {Shape: []int{2, 1}, Data: []float32{2, -1}},
		"fc.bias":   {Shape: []int{1}, Data: []float32{0.5}},
	}
	tests := []struct {
		name    string
		spec    *Spec
		w       map[string]*tensor.Tensor
		wantErr string
	}{
		{"complete", spec, w, ""},
		{"missing weight", spec, map[string]*tensor.Tensor{"fc.weight": w["fc.weight"]}, "\"fc.bias\" (shape [1]) is missing"},
		{"bad spec", &Spec{Outputs: []string{"none"}}, w, "nn: load"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Load(tc.spec, tc.w)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// 2·3 − 1·4 + 0.5 = 2.5, whatever the seeded initialisation was.
			y, err := m.Forward(&tensor.Tensor{Shape: []int{1, 1, 1, 2}, Data: []float32{3, 4}}, false)
			if err != nil {
				t.Fatal(err)
			}
			if y.Data[0] != 2.5 {
				t.Errorf("output %v, want 2.5", y.Data[0])
			}
		})
	}
}
