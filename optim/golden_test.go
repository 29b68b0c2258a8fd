package optim

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"mlabel/nn"
	"mlabel/tensor"
)

type golden struct {
	Params []struct {
		Name    string    `json:"name"`
		Shape   []int     `json:"shape"`
		NoDecay bool      `json:"no_decay"`
		Frozen  bool      `json:"frozen"`
		HasGrad bool      `json:"has_grad"`
		Init    []float32 `json:"init"`
	} `json:"params"`
	LRs        []float64              `json:"lrs"`
	Grads      []map[string][]float32 `json:"grads"`
	Optimizers []goldenOptimizer      `json:"optimizers"`
	Schedules  []map[string]any       `json:"schedules"`
	Momenta    []map[string]any       `json:"momenta"`
	Clips      []goldenClip           `json:"clips"`
}

type goldenOptimizer struct {
	Name   string                 `json:"name"`
	Kind   string                 `json:"kind"`
	Config map[string]any         `json:"config"`
	After  []map[string][]float64 `json:"after"`
}

type goldenClip struct {
	MaxNorm float64     `json:"max_norm"`
	Shapes  [][]int     `json:"shapes"`
	Grads   [][]float32 `json:"grads"`
	Norm    float64     `json:"norm"`
	Clipped [][]float64 `json:"clipped"`
}

func loadGolden(t *testing.T) *golden {
	t.Helper()
	raw, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// params builds fresh parameters from the golden initial values, with
// gradient tensors for those that have one.
func (g *golden) params() []*nn.Param {
	var ps []*nn.Param
	for _, p := range g.Params {
		v, _ := tensor.FromData(append([]float32(nil), p.Init...), p.Shape...)
		np := &nn.Param{Name: p.Name, Value: v, NoDecay: p.NoDecay, Frozen: p.Frozen}
		if p.HasGrad {
			np.Grad = tensor.New(p.Shape...)
		}
		ps = append(ps, np)
	}
	return ps
}

// setGrads loads the gradients of a step; a parameter with no gradient at
// that step gets a nil Grad, as in PyTorch.
func (g *golden) setGrads(ps []*nn.Param, step int) {
	for _, p := range ps {
		gr, ok := g.Grads[step][p.Name]
		if !ok {
			p.Grad = nil
			continue
		}
		p.Grad = &tensor.Tensor{Shape: p.Value.Shape, Data: append([]float32(nil), gr...)}
	}
}

func newOptimizer(t *testing.T, o goldenOptimizer, ps []*nn.Param) Optimizer {
	t.Helper()
	c := o.Config
	var opt Optimizer
	var err error
	switch o.Kind {
	case "sgd":
		opt, err = NewSGD(ps, SGDConfig{Momentum: c["momentum"].(float64), Dampening: c["dampening"].(float64),
			Nesterov: c["nesterov"].(bool), WeightDecay: c["weight_decay"].(float64)})
	case "adamw":
		opt, err = NewAdamW(ps, AdamWConfig{Beta1: c["beta1"].(float64), Beta2: c["beta2"].(float64),
			Eps: c["eps"].(float64), WeightDecay: c["weight_decay"].(float64)})
	default:
		t.Fatalf("unknown optimizer %q", o.Kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	return opt
}

func relClose(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), 1e-6)
}

func checkParams(t *testing.T, ps []*nn.Param, want map[string][]float64, step int) {
	t.Helper()
	for _, p := range ps {
		if len(want[p.Name]) != len(p.Value.Data) {
			t.Fatalf("step %d: golden has %d values for %s", step, len(want[p.Name]), p.Name)
		}
		for i, w := range want[p.Name] {
			if got := float64(p.Value.Data[i]); !relClose(got, w, 1e-5) {
				t.Errorf("step %d: %s[%d] = %.9g, want %.9g", step, p.Name, i, got, w)
			}
		}
	}
}

func TestOptimizersMatchPyTorch(t *testing.T) {
	g := loadGolden(t)
	for _, o := range g.Optimizers {
		t.Run(o.Name, func(t *testing.T) {
			ps := g.params()
			opt := newOptimizer(t, o, ps)
			for step, lr := range g.LRs {
				g.setGrads(ps, step)
				if err := opt.Step(lr); err != nil {
					t.Fatal(err)
				}
				checkParams(t, ps, o.After[step], step)
			}
			if s := opt.State(); s.Steps != len(g.LRs) || s.Kind != o.Kind {
				t.Errorf("state kind %q steps %d, want %q %d", s.Kind, s.Steps, o.Kind, len(g.LRs))
			}
		})
	}
}

// TestResumeFromState stops half way, moves the state to a new optimizer
// over copies of the parameters, and checks that it continues exactly.
func TestResumeFromState(t *testing.T) {
	g := loadGolden(t)
	const stop = 3
	for _, o := range g.Optimizers {
		t.Run(o.Name, func(t *testing.T) {
			ps := g.params()
			opt := newOptimizer(t, o, ps)
			for step := range stop {
				g.setGrads(ps, step)
				if err := opt.Step(g.LRs[step]); err != nil {
					t.Fatal(err)
				}
			}
			saved := opt.State()
			// Later steps of the first optimizer must not reach the copy.
			g.setGrads(ps, stop)
			_ = opt.Step(1)

			ps2 := g.params()
			for _, p := range ps2 {
				copy(p.Value.Data, float32s(o.After[stop-1][p.Name]))
			}
			opt2 := newOptimizer(t, o, ps2)
			if err := opt2.LoadState(saved); err != nil {
				t.Fatal(err)
			}
			for step := stop; step < len(g.LRs); step++ {
				g.setGrads(ps2, step)
				if err := opt2.Step(g.LRs[step]); err != nil {
					t.Fatal(err)
				}
				checkParams(t, ps2, o.After[step], step)
			}
		})
	}
}

func float32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func num(m map[string]any, k string) float64 { return m[k].(float64) }

func TestSchedulesMatchPyTorch(t *testing.T) {
	g := loadGolden(t)
	for _, s := range g.Schedules {
		t.Run(s["name"].(string), func(t *testing.T) {
			var sch Schedule
			switch s["kind"] {
			case "onecycle":
				oc := NewOneCycle(num(s, "max_lr"))
				if _, ok := s["pct_start"]; ok {
					oc.PctStart, oc.DivFactor, oc.FinalDivFactor = num(s, "pct_start"), num(s, "div_factor"), num(s, "final_div_factor")
				}
				sch = oc
			case "warmup_cosine":
				sch = &WarmupCosine{BaseLR: num(s, "base_lr"), MinLR: num(s, "min_lr"),
					Warmup: int(num(s, "warmup")), StartFactor: num(s, "start_factor")}
			default:
				t.Fatalf("unknown schedule %v", s["kind"])
			}
			total := int(num(s, "total"))
			lrs := s["lrs"].([]any)
			if len(lrs) != total {
				t.Fatalf("%d rates for %d steps", len(lrs), total)
			}
			for step, w := range lrs {
				if got := sch.LR(step, total); !relClose(got, w.(float64), 1e-5) {
					t.Errorf("LR(%d, %d) = %.9g, want %.9g", step, total, got, w)
				}
			}
		})
	}
}

// OneCycle cycles Adam's β1 as PyTorch's OneCycleLR does with
// cycle_momentum (0.95 → 0.85 at the peak rate → 0.95).
func TestOneCycleMomentumMatchesPyTorch(t *testing.T) {
	g := loadGolden(t)
	if len(g.Momenta) == 0 {
		t.Fatal("golden file has no momentum schedules")
	}
	for _, s := range g.Momenta {
		t.Run(s["name"].(string), func(t *testing.T) {
			oc := NewOneCycle(num(s, "max_lr"))
			if _, ok := s["pct_start"]; ok {
				oc.PctStart = num(s, "pct_start")
			}
			total := int(num(s, "total"))
			for step, w := range s["momenta"].([]any) {
				if got := oc.Momentum(step, total); !relClose(got, w.(float64), 1e-6) {
					t.Errorf("Momentum(%d, %d) = %.9g, want %.9g", step, total, got, w)
				}
			}
		})
	}
	if m := (&OneCycle{MaxLR: 1}).Momentum(3, 10); m != 0 {
		t.Errorf("a one-cycle schedule without momenta cycles momentum: %g", m)
	}
}

func TestClipGradNormMatchesPyTorch(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Clips {
		var ps []*nn.Param
		for i, sh := range c.Shapes {
			gr, _ := tensor.FromData(append([]float32(nil), c.Grads[i]...), sh...)
			ps = append(ps, &nn.Param{Name: string(rune('a' + i)), Value: tensor.New(sh...), Grad: gr})
		}
		// A frozen parameter's huge gradient must neither count nor change.
		frozen := &nn.Param{Name: "frozen", Value: tensor.New(1), Grad: tensor.New(1), Frozen: true}
		frozen.Grad.Data[0] = 1e6
		ps = append(ps, frozen, &nn.Param{Name: "buffer", Value: tensor.New(2)})
		norm := ClipGradNorm(ps, c.MaxNorm)
		if !relClose(norm, c.Norm, 1e-5) {
			t.Errorf("max %g: norm %g, want %g", c.MaxNorm, norm, c.Norm)
		}
		for i, want := range c.Clipped {
			for j, w := range want {
				if got := float64(ps[i].Grad.Data[j]); !relClose(got, w, 1e-5) {
					t.Errorf("max %g: grad %d[%d] = %g, want %g", c.MaxNorm, i, j, got, w)
				}
			}
		}
		if frozen.Grad.Data[0] != 1e6 {
			t.Errorf("frozen gradient changed to %g", frozen.Grad.Data[0])
		}
	}
}
