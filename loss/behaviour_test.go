package loss

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"mlabel/tensor"
)

func TestUnknownCountsNowhere(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, l := range allLosses() {
		x, y, m := randomProblem(rng, 4, 4, true)
		g1, g2 := tensor.New(4, 4), tensor.New(4, 4)
		v1, err := l.Compute(x, y, m, g1)
		if err != nil {
			t.Fatal(err)
		}
		// Changing unknown elements must change nothing.
		known := 0
		for i := range m.Data {
			if m.Data[i] == 0 {
				x.Data[i] = 40
				y.Data[i] = 1 - y.Data[i]
			} else {
				known++
			}
		}
		v2, _ := l.Compute(x, y, m, g2)
		if v1 != v2 {
			t.Errorf("%s: loss changed with unknown elements: %g vs %g", l.Name(), v1, v2)
		}
		for i := range m.Data {
			if m.Data[i] == 0 && g2.Data[i] != 0 {
				t.Errorf("%s: unknown element %d has gradient %g", l.Name(), i, g2.Data[i])
			}
		}
		// The mean's denominator is the number of known elements: the
		// loss equals the unmasked loss of the known elements alone.
		kx, ky := tensor.New(1, known), tensor.New(1, known)
		k := 0
		for i := range m.Data {
			if m.Data[i] != 0 {
				kx.Data[k], ky.Data[k] = x.Data[i], y.Data[i]
				k++
			}
		}
		if b, ok := l.(*BCE); ok && b.PosWeight != nil {
			continue // per-label weights do not survive the flattening
		}
		v3, _ := l.Compute(kx, ky, nil, tensor.New(1, known))
		if math.Abs(v3-v1) > 1e-12*math.Max(1, v1) {
			t.Errorf("%s: masked mean %g, mean over known elements %g", l.Name(), v1, v3)
		}
	}
}

func TestAllUnknownIsZero(t *testing.T) {
	for _, l := range allLosses() {
		x, y := tensor.New(2, 4), tensor.New(2, 4)
		g := tensor.New(2, 4)
		for i := range g.Data {
			g.Data[i] = 7 // stale values must be overwritten
		}
		v, err := l.Compute(x, y, tensor.New(2, 4), g)
		if err != nil || v != 0 {
			t.Errorf("%s: all unknown gave %g, %v; want 0, nil", l.Name(), v, err)
		}
		for i, d := range g.Data {
			if d != 0 {
				t.Errorf("%s: grad[%d] = %g, want 0", l.Name(), i, d)
			}
		}
	}
}

func TestExtremeLogitsStayFinite(t *testing.T) {
	x, _ := tensor.FromData([]float32{-1e4, -100, -30, 30, 100, 1e4, -1e4, 1e4}, 2, 4)
	y, _ := tensor.FromData([]float32{1, 1, 1, 0, 0, 0, 0, 1}, 2, 4)
	for _, l := range allLosses() {
		g := tensor.New(2, 4)
		v, err := l.Compute(x, y, nil, g)
		if err != nil {
			t.Fatal(err)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("%s: loss %g", l.Name(), v)
		}
		for i, d := range g.Data {
			if math.IsNaN(float64(d)) || math.IsInf(float64(d), 0) {
				t.Errorf("%s: grad[%d] = %g", l.Name(), i, d)
			}
		}
	}
}

func TestKnownValues(t *testing.T) {
	ln2 := math.Log(2)
	tests := []struct {
		name string
		loss Loss
		x, y float32
		want float64
	}{
		{"bce at 0", NewBCE(nil), 0, 1, ln2},
		{"bce pos_weight", NewBCE([]float32{3}), 0, 1, 3 * ln2},
		{"bce pos_weight ignores negatives", NewBCE([]float32{3}), 0, 0, ln2},
		{"bce confident right", NewBCE(nil), 50, 1, math.Exp(-50)},
		{"bce confident wrong", NewBCE(nil), -50, 1, 50},
		{"focal at 0", newFocal(2, 0.25), 0, 1, 0.25 * 0.25 * ln2},
		{"focal gamma 0 no alpha is bce", newFocal(0, -1), 1.5, 0, math.Log1p(math.Exp(1.5))},
		{"asl easy negative clipped", newASL(4, 1, 0.05), -5, 0, 0},
		{"asl positive", newASL(4, 1, 0.05), 0, 1, 0.5 * ln2},
		{"asl negative at 0", newASL(4, 1, 0.05), 0, 0, -math.Pow(0.45, 4) * math.Log(0.55)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, _ := tensor.FromData([]float32{tc.x}, 1, 1)
			y, _ := tensor.FromData([]float32{tc.y}, 1, 1)
			v, err := tc.loss.Compute(x, y, nil, tensor.New(1, 1))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(v-tc.want) > 1e-9*math.Max(1, tc.want) {
				t.Errorf("got %.12g, want %.12g", v, tc.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	ok := tensor.New(2, 3)
	tests := []struct {
		name                 string
		loss                 Loss
		logits, targets, msk *tensor.Tensor
		grad                 *tensor.Tensor
		want                 string
	}{
		{"nil logits", NewBCE(nil), nil, ok, nil, ok, "must not be nil"},
		{"rank", newFocal(2, 0.25), tensor.New(6), tensor.New(6), nil, tensor.New(6), "[N, L]"},
		{"targets", newASL(4, 1, 0.05), ok, tensor.New(3, 2), nil, ok, "targets shape"},
		{"grad", NewBCE(nil), ok, ok, nil, tensor.New(2, 2), "grad shape"},
		{"mask", NewBCE(nil), ok, ok, tensor.New(2, 4), ok, "mask shape"},
		{"pos_weight", NewBCE([]float32{1, 2}), ok, ok, nil, ok, "pos_weight"},
		{"nil logits with pos_weight", NewBCE([]float32{1}), nil, ok, nil, ok, "must not be nil"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.loss.Compute(tc.logits, tc.targets, tc.msk, tc.grad)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestByName(t *testing.T) {
	def := DefaultOptions()
	tests := []struct {
		name    string
		opts    Options
		want    string
		wantErr bool
	}{
		{"bce", def, "bce", false},
		{"focal", def, "focal", false},
		{"asl", def, "asl", false},
		{"softmax", def, "", true},
		{"focal", Options{Gamma: -1}, "", true},
		{"asl", Options{Clip: 1}, "", true},
	}
	for _, tc := range tests {
		l, err := ByName(tc.name, tc.opts)
		if (err != nil) != tc.wantErr {
			t.Errorf("ByName(%q, %+v) error %v, want error %v", tc.name, tc.opts, err, tc.wantErr)
			continue
		}
		if err == nil && l.Name() != tc.want {
			t.Errorf("ByName(%q).Name() = %q", tc.name, l.Name())
		}
	}
	a, _ := ByName("asl", def)
	if got := a.(*ASL); *got != (ASL{GammaNeg: 4, GammaPos: 1, Clip: 0.05}) {
		t.Errorf("asl defaults %+v", *got)
	}
}
