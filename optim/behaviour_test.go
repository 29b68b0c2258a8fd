package optim

import (
	"math"
	"strings"
	"testing"

	"mlabel/nn"
	"mlabel/tensor"
)

func param(name string, vals ...float32) *nn.Param {
	v, _ := tensor.FromData(vals, len(vals))
	g := tensor.New(len(vals))
	for i := range g.Data {
		g.Data[i] = 1
	}
	return &nn.Param{Name: name, Value: v, Grad: g}
}

func TestConstructorErrors(t *testing.T) {
	a, b := param("a", 1), param("a", 2)
	tests := []struct {
		name string
		make func() error
		want string
	}{
		{"sgd duplicate", func() error { _, err := NewSGD([]*nn.Param{a, b}, SGDConfig{}); return err }, "duplicate"},
		{"adamw duplicate", func() error { _, err := NewAdamW([]*nn.Param{a, b}, DefaultAdamW()); return err }, "duplicate"},
		{"nil param", func() error { _, err := NewSGD([]*nn.Param{nil}, SGDConfig{}); return err }, "no value"},
		{"nesterov without momentum", func() error { _, err := NewSGD(nil, SGDConfig{Nesterov: true}); return err }, "Nesterov"},
		{"nesterov dampening", func() error {
			_, err := NewSGD(nil, SGDConfig{Nesterov: true, Momentum: 0.9, Dampening: 0.1})
			return err
		}, "Nesterov"},
		{"beta", func() error { _, err := NewAdamW(nil, AdamWConfig{Beta1: 1, Beta2: 0.9}); return err }, "betas"},
		{"negative decay", func() error { _, err := NewAdamW(nil, AdamWConfig{WeightDecay: -1}); return err }, "weight decay"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.make(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestStepSkipsFrozenAndGradless(t *testing.T) {
	frozen, buffer, live := param("f", 1), param("b", 2), param("l", 3)
	frozen.Frozen, buffer.Grad = true, nil
	ps := []*nn.Param{frozen, buffer, live}
	sgd, _ := NewSGD(ps, SGDConfig{Momentum: 0.9})
	adam, _ := NewAdamW(ps, DefaultAdamW())
	for _, opt := range []Optimizer{sgd, adam} {
		if err := opt.Step(0.1); err != nil {
			t.Fatal(err)
		}
		for k := range opt.State().Tensors {
			if !strings.HasPrefix(k, "l.") {
				t.Errorf("state %q for a parameter that takes no step", k)
			}
		}
	}
	if frozen.Value.Data[0] != 1 || buffer.Value.Data[0] != 2 || live.Value.Data[0] == 3 {
		t.Errorf("values %v %v %v", frozen.Value.Data, buffer.Value.Data, live.Value.Data)
	}
}

func TestStepRejectsMismatchedGrad(t *testing.T) {
	p := param("p", 1, 2)
	p.Grad = tensor.New(3)
	opt, _ := NewAdamW([]*nn.Param{p}, DefaultAdamW())
	if err := opt.Step(0.1); err == nil || !strings.Contains(err.Error(), `"p"`) {
		t.Errorf("error %v, want one naming the parameter", err)
	}
}

func TestStateIsACopy(t *testing.T) {
	p := param("p", 1, 2)
	opt, _ := NewSGD([]*nn.Param{p}, SGDConfig{Momentum: 0.5})
	_ = opt.Step(0.1)
	s := opt.State()
	s.Tensors["p.momentum_buffer"].Data[0] = 99
	if opt.State().Tensors["p.momentum_buffer"].Data[0] == 99 {
		t.Error("State shares storage with the optimizer")
	}
	if err := opt.LoadState(s); err != nil {
		t.Fatal(err)
	}
	s.Tensors["p.momentum_buffer"].Data[0] = 7
	if got := opt.State().Tensors["p.momentum_buffer"].Data[0]; got != 99 {
		t.Errorf("LoadState kept %g, want a copy holding 99", got)
	}
}

func TestLoadStateErrors(t *testing.T) {
	p := param("p", 1, 2)
	tests := []struct {
		name  string
		state *State
		want  string
	}{
		{"nil", nil, "nil state"},
		{"kind", &State{Kind: "sgd"}, `"sgd"`},
		{"unknown param", &State{Kind: "adamw", Tensors: map[string]*tensor.Tensor{"q.exp_avg": tensor.New(2)}}, "no parameter"},
		{"unknown slot", &State{Kind: "adamw", Tensors: map[string]*tensor.Tensor{"p.momentum_buffer": tensor.New(2)}}, "no known slot"},
		{"shape", &State{Kind: "adamw", Tensors: map[string]*tensor.Tensor{"p.exp_avg": tensor.New(3)}}, "shape"},
		{"step shape", &State{Kind: "adamw", Tensors: map[string]*tensor.Tensor{"p.step": tensor.New(2)}}, "shape [1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt, _ := NewAdamW([]*nn.Param{p}, DefaultAdamW())
			if err := opt.LoadState(tc.state); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestScheduleShape(t *testing.T) {
	oc := NewOneCycle(0.1)
	wc := &WarmupCosine{BaseLR: 0.1, MinLR: 0.001, Warmup: 10, StartFactor: 0.1}
	tests := []struct {
		name        string
		sch         Schedule
		step, total int
		want        float64
	}{
		{"onecycle start", oc, 0, 100, 0.1 / 25},
		{"onecycle peak", oc, 29, 100, 0.1},
		{"onecycle end", oc, 99, 100, 0.1 / 25 / 1e4},
		{"onecycle past end clamps", oc, 500, 100, 0.1 / 25 / 1e4},
		{"onecycle negative clamps", oc, -3, 100, 0.1 / 25},
		{"onecycle one step", oc, 0, 1, 0.1 / 25 / 1e4},
		{"warmup start", wc, 0, 50, 0.01},
		{"warmup middle", wc, 5, 50, 0.055},
		{"warmup peak", wc, 10, 50, 0.1},
		{"cosine half way", wc, 30, 50, 0.001 + 0.099/2},
		{"warmup longer than run", wc, 20, 10, 0.01 + 0.09*0.9},
		{"constant", Constant(0.02), 7, 10, 0.02},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.sch.LR(tc.step, tc.total); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("LR(%d, %d) = %.15g, want %.15g", tc.step, tc.total, got, tc.want)
			}
		})
	}
}

func TestClipGradNormNonFinite(t *testing.T) {
	p := param("p", 1, 2)
	p.Grad.Data[0] = float32(math.Inf(1))
	if n := ClipGradNorm([]*nn.Param{p}, 1); !math.IsInf(n, 1) {
		t.Errorf("norm %g, want +Inf", n)
	}
	if p.Grad.Data[1] != 1 {
		t.Errorf("finite gradient changed to %g", p.Grad.Data[1])
	}
}

// SetMomentum changes the momentum of the following steps: an optimizer
// whose momentum is set to m steps as one configured with m.
func TestSetMomentum(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(p *nn.Param, m float64) (Optimizer, error)
	}{
		{"adamw", func(p *nn.Param, m float64) (Optimizer, error) {
			c := DefaultAdamW()
			c.Beta1 = m
			return NewAdamW([]*nn.Param{p}, c)
		}},
		{"sgd", func(p *nn.Param, m float64) (Optimizer, error) {
			return NewSGD([]*nn.Param{p}, SGDConfig{Momentum: m})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := param("w", 1, -2), param("w", 1, -2)
			oa, _ := tc.make(a, 0.9)
			ob, _ := tc.make(b, 0.5)
			oa.(MomentumSetter).SetMomentum(0.5)
			for range 3 {
				if oa.Step(0.1) != nil || ob.Step(0.1) != nil {
					t.Fatal("step failed")
				}
			}
			for i := range a.Value.Data {
				if a.Value.Data[i] != b.Value.Data[i] {
					t.Fatalf("after SetMomentum(0.5): %v, configured with 0.5: %v", a.Value.Data, b.Value.Data)
				}
			}
		})
	}
}
