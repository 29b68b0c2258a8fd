package compare

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"mlabel/arch"
	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/infer"
	"mlabel/nn"
	"mlabel/tensor"
	"mlabel/train"
)

// toyModel builds a small network with random weights.
func toyModel(t *testing.T, labels int, seed uint64) *train.Result {
	t.Helper()
	spec, err := arch.Build("small", 16, 3, labels, arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(seed, 7)))
	if err != nil {
		t.Fatal(err)
	}
	return &train.Result{Spec: spec, Model: m}
}

// forwardOf runs a graph on x and returns a copy of its output.
func forwardOf(t *testing.T, spec *nn.Spec, w map[string]*tensor.Tensor, x *tensor.Tensor) *tensor.Tensor {
	t.Helper()
	m, err := nn.Load(spec, w)
	if err != nil {
		t.Fatal(err)
	}
	y, err := m.Forward(x, false)
	if err != nil {
		t.Fatal(err)
	}
	return cloneT(y)
}

func TestChampionOptionCopiesBranchLogits(t *testing.T) {
	labels := []string{"a", "b", "c"}
	ms := &models{joint: toyModel(t, 3, 1)}
	for j := range labels {
		ms.specs = append(ms.specs, toyModel(t, 1, uint64(j)+2))
	}
	x := tensor.New(5, 16, 16, 3)
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	jy := forwardOf(t, ms.joint.Spec, ms.joint.Model.Weights(), x)
	var sy []*tensor.Tensor
	for _, s := range ms.specs {
		sy = append(sy, forwardOf(t, s.Spec, s.Model.Weights(), x))
	}
	tests := []struct {
		name   string
		picks  []bool
		passes int
	}{
		{"all joint", []bool{false, false, false}, 1},
		{"all specialists", []bool{true, true, true}, 3},
		{"mixed", []bool{true, false, true}, 3},
		{"one specialist", []bool{false, true, false}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			op, err := ms.championOption(tc.picks, labels)
			if err != nil {
				t.Fatal(err)
			}
			if op.passes != tc.passes {
				t.Errorf("%d forward passes, want %d", op.passes, tc.passes)
			}
			got := forwardOf(t, op.spec, op.weights, x)
			for i := range 5 {
				for j, p := range tc.picks {
					want := jy.Data[i*3+j]
					if p {
						want = sy[j].Data[i]
					}
					if g := got.Data[i*3+j]; g != want {
						t.Fatalf("image %d label %d: composed logit %v, branch logit %v", i, j, g, want)
					}
				}
			}
		})
	}
}

func TestComposeRejects(t *testing.T) {
	tm := toyModel(t, 2, 1)
	a := branch{Prefix: "a/", Spec: tm.Spec, Weights: tm.Model.Weights()}
	big, err := arch.Build("small", 32, 3, 2, arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		bs   []branch
		want string
	}{
		{"no branches", nil, "no branches"},
		{"input sizes differ", []branch{a, {Prefix: "b/", Spec: big}}, "input shape"},
		{"same prefix twice", []branch{a, a}, "duplicate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := compose(tc.bs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestOnlyKeepsOneLabel(t *testing.T) {
	ds := &dataset.Dataset{Labels: []string{"a", "b", "c"}, Items: []dataset.Item{
		{Name: "x", Pos: []int{0, 2}},
		{Name: "y", Pos: []int{1}, Unknown: []int{2}},
		{Name: "z"},
	}}
	tests := []struct {
		label          int
		pos, unknown   []int // item indices
		wantVocabulary string
	}{
		{0, []int{0}, nil, "a"},
		{1, []int{1}, nil, "b"},
		{2, []int{0}, []int{1}, "c"},
	}
	for _, tc := range tests {
		got := only(ds, tc.label)
		if len(got.Labels) != 1 || got.Labels[0] != tc.wantVocabulary || len(got.Items) != 3 {
			t.Fatalf("label %d: vocabulary %v with %d items", tc.label, got.Labels, len(got.Items))
		}
		for i, it := range got.Items {
			isPos, isUnk := len(it.Pos) == 1, len(it.Unknown) == 1
			if isPos != slices.Contains(tc.pos, i) || isUnk != slices.Contains(tc.unknown, i) {
				t.Errorf("label %d item %d: pos %v unknown %v", tc.label, i, it.Pos, it.Unknown)
			}
		}
	}
}

// outputsOf wraps one label's scores and truth as predictions.
func outputsOf(truth, scores []float64) *infer.Set {
	o := &infer.Set{}
	for i := range truth {
		o.Truth = append(o.Truth, []float64{truth[i]})
		o.Scores = append(o.Scores, []float64{scores[i]})
		o.Mask = append(o.Mask, []bool{true})
	}
	return o
}

func TestDiffInterval(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	n := 200
	truth, perfect, noise := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		if i%4 == 0 {
			truth[i] = 1
		}
		perfect[i] = truth[i]*0.5 + 0.25
		noise[i] = rng.Float64()
	}
	tests := []struct {
		name     string
		a, b     []float64
		low, hi  float64 // bounds the interval must lie within
		negative bool
	}{
		{"same model", noise, noise, 0, 0, false},
		{"better specialist", perfect, noise, 0.3, 1, false},
		{"worse specialist", noise, perfect, -1, -0.3, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			iv := diffInterval(outputsOf(truth, tc.a), outputsOf(truth, tc.b), 0, 300, 1)
			if iv == nil {
				t.Fatal("no interval")
			}
			if iv.Low < tc.low-1e-12 || iv.High > tc.hi+1e-12 || iv.Low > iv.High {
				t.Errorf("interval [%g, %g] outside [%g, %g]", iv.Low, iv.High, tc.low, tc.hi)
			}
			again := diffInterval(outputsOf(truth, tc.a), outputsOf(truth, tc.b), 0, 300, 1)
			if *again != *iv {
				t.Errorf("same seed gave %+v then %+v", *iv, *again)
			}
		})
	}
	if iv := diffInterval(outputsOf([]float64{0, 0}, []float64{0.1, 0.2}), outputsOf([]float64{0, 0}, []float64{0.3, 0.1}), 0, 50, 1); iv != nil {
		t.Errorf("interval %+v without a positive", *iv)
	}
	if !math.IsNaN(labelAP(outputsOf([]float64{0}, []float64{0.5}), 0)) {
		t.Error("AP without a positive is defined")
	}
}

func TestOptionsRejected(t *testing.T) {
	ds := &dataset.Dataset{Labels: []string{"a"}, Items: []dataset.Item{{Name: "x"}}}
	other := &dataset.Dataset{Labels: []string{"b"}, Items: []dataset.Item{{Name: "y"}}}
	bad := train.Defaults()
	bad.Epochs = 0
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no data", Options{Train: train.Defaults()}, "empty dataset"},
		{"no labels", Options{Data: &dataset.Dataset{Items: ds.Items}, Train: train.Defaults()}, "no labels"},
		{"test vocabulary", Options{Data: ds, Test: other, Train: train.Defaults()}, "differ"},
		{"config", Options{Data: ds, Train: bad}, "epochs"},
		{"fractions", Options{Data: ds, Train: train.Defaults(), ValFrac: 0.5, TestFrac: 0.5}, "fractions"},
		{"beta", Options{Data: ds, Train: train.Defaults(), Decide: decide.Options{Beta: -1}}, "beta"},
		{"folds", Options{Data: ds, Train: train.Defaults(), StackFolds: 1}, "stack folds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.o.withDefaults()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}
