package nn_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mlabel/arch"
	"mlabel/nn"
	"mlabel/tensor"
)

// randomBatch returns n random images of the given side and channels.
func randomBatch(rng *rand.Rand, n, side, ch int) *tensor.Tensor {
	x := tensor.New(n, side, side, ch)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	return x
}

// TestPoolConcurrentForwardMatchesSerial runs eval forward passes from many
// goroutines, each on a workspace of the pool, and checks every output
// equals the serial pass of the model itself (run it with -race).
func TestPoolConcurrentForwardMatchesSerial(t *testing.T) {
	tests := []struct {
		arch  string
		size  int
		reuse bool
	}{
		{"small", 32, false},
		{"resnet18", 32, true},
		{"mobilenetv2", 32, true},
	}
	for _, tc := range tests {
		t.Run(tc.arch, func(t *testing.T) {
			spec, err := arch.Build(tc.arch, tc.size, 3, 5, arch.Options{Width: 8, WidthMult: 0.25})
			if err != nil {
				t.Fatal(err)
			}
			m, err := nn.Build(spec, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			if tc.reuse {
				if err := m.SetActivationReuse(true); err != nil {
					t.Fatal(err)
				}
			}
			rng := rand.New(rand.NewPCG(3, 4))
			const calls = 12
			xs := make([]*tensor.Tensor, calls)
			want := make([][]float32, calls)
			for i := range xs {
				xs[i] = randomBatch(rng, 1+i%3, tc.size, 3)
				y, err := m.Forward(xs[i], false)
				if err != nil {
					t.Fatal(err)
				}
				want[i] = slices.Clone(y.Data)
			}
			pool := nn.NewPool(m, 4)
			got := make([][]float32, calls)
			errs := make([]error, calls)
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := g; i < calls; i += 4 {
						w, err := pool.Get()
						if err != nil {
							errs[i] = err
							return
						}
						y, err := w.Forward(xs[i], false)
						if err == nil {
							got[i] = slices.Clone(y.Data)
						}
						errs[i] = err
						pool.Put(w)
					}
				}()
			}
			wg.Wait()
			for i := range calls {
				if errs[i] != nil {
					t.Fatalf("call %d: %v", i, errs[i])
				}
				if !slices.Equal(got[i], want[i]) {
					t.Errorf("call %d: concurrent output %v, serial %v", i, got[i][:min(4, len(got[i]))], want[i][:min(4, len(want[i]))])
				}
			}
		})
	}
}

// TestWorkspaceSharesWeights checks that a workspace reads the model's
// parameter tensors, has no trainable parameters of its own and refuses a
// training pass.
func TestWorkspaceSharesWeights(t *testing.T) {
	spec, err := arch.Build("small", 16, 3, 2, arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	w, err := m.Workspace()
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Params()) != len(m.Params()) {
		t.Fatalf("workspace has %d parameters, model %d", len(w.Params()), len(m.Params()))
	}
	for i, p := range w.Params() {
		if p.Value != m.Params()[i].Value {
			t.Errorf("workspace parameter %q does not share the model's tensor", p.Name)
		}
	}
	if n := w.NumParams(); n != 0 {
		t.Errorf("workspace NumParams = %d, want 0 (no gradients)", n)
	}
	x := randomBatch(rand.New(rand.NewPCG(7, 8)), 2, 16, 3)
	if _, err := w.Forward(x, true); err == nil || !strings.Contains(err.Error(), "eval mode only") {
		t.Errorf("training Forward on a workspace: err = %v, want an eval-only error", err)
	}
	// A weight change in the model reaches the workspace.
	p := m.Params()[len(m.Params())-1]
	for i := range p.Value.Data {
		p.Value.Data[i] += 1
	}
	a, err := m.Forward(x, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.Forward(x, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Data, b.Data) {
		t.Errorf("after a weight change, workspace output %v differs from the model's %v", b.Data, a.Data)
	}
}

// TestPoolLimit checks that Get waits while the pool's limit of workspaces
// is out and then hands back the one returned, so no more than the limit
// are ever made.
func TestPoolLimit(t *testing.T) {
	spec, err := arch.Build("small", 16, 3, 2, arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	pool := nn.NewPool(m, 1)
	w1, err := pool.Get()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *nn.Model)
	go func() {
		w, err := pool.Get()
		if err != nil {
			t.Error(err)
		}
		got <- w
	}()
	select {
	case <-got:
		t.Fatal("a second Get returned while the only workspace was out")
	case <-time.After(50 * time.Millisecond):
	}
	pool.Put(w1)
	if w2 := <-got; w2 != w1 {
		t.Errorf("Get after Put made a new workspace instead of reusing the one given back")
	}
}
