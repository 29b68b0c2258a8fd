package optim

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"

	"mlabel/nn"
	"mlabel/tensor"
)

func TestParallelCoversEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, minChunk - 1, minChunk, 2*minChunk + 3, 5*minChunk + 7} {
		seen := make([]int32, n)
		parallel(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&seen[i], 1)
			}
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: index %d visited %d times", n, i, c)
			}
		}
	}
}

// A large parameter, updated over several cores, ends exactly where it
// ends on one: each element's update is its own.
func TestLargeStepsMatchOneCore(t *testing.T) {
	n := 3*minChunk + 11
	mk := func() *nn.Param {
		rng := rand.New(rand.NewPCG(1, 2))
		v, g := tensor.New(n), tensor.New(n)
		for i := range n {
			v.Data[i], g.Data[i] = rng.Float32()-0.5, rng.Float32()-0.5
		}
		return &nn.Param{Name: "w", Value: v, Grad: g}
	}
	type stepper interface{ Step(lr float64) error }
	for _, name := range []string{"sgd", "adamw"} {
		var results [][]float32
		for _, procs := range []int{1, 4} {
			old := runtime.GOMAXPROCS(procs)
			p := mk()
			var o stepper
			var err error
			if name == "sgd" {
				o, err = NewSGD([]*nn.Param{p}, SGDConfig{Momentum: 0.9, WeightDecay: 1e-4})
			} else {
				o, err = NewAdamW([]*nn.Param{p}, DefaultAdamW())
			}
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if err := o.Step(0.01); err != nil {
					t.Fatal(err)
				}
			}
			runtime.GOMAXPROCS(old)
			results = append(results, slices.Clone(p.Value.Data))
		}
		if !slices.Equal(results[0], results[1]) {
			t.Errorf("%s: the weights after 3 steps differ between 1 and 4 cores", name)
		}
	}
}
