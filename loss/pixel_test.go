package loss

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"mlabel/tensor"
)

func f32(t *testing.T, v []float64, shape []int) *tensor.Tensor {
	t.Helper()
	if v == nil {
		return nil
	}
	d := make([]float32, len(v))
	for i, x := range v {
		d[i] = float32(x)
	}
	out, err := tensor.FromData(d, shape...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPixelsGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/pixel_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name                  string
		Dice                  float64
		Shape                 []int
		Logits, Targets, Mask []float64
		Loss                  float64
		Grad                  []float64
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			p := &Pixels{Inner: NewBCE(nil), DiceWeight: tc.Dice}
			x := f32(t, tc.Logits, tc.Shape)
			g := tensor.New(tc.Shape...)
			v, err := p.Compute(x, f32(t, tc.Targets, tc.Shape), f32(t, tc.Mask, tc.Shape), g)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(v-tc.Loss) > 1e-5 {
				t.Errorf("loss %.7f, PyTorch %.7f", v, tc.Loss)
			}
			for i, want := range tc.Grad {
				if math.Abs(float64(g.Data[i])-want) > 1e-6 {
					t.Fatalf("grad[%d] = %.8f, PyTorch %.8f", i, g.Data[i], want)
				}
			}
		})
	}
}

func TestPixelsFiniteDifference(t *testing.T) {
	shape := []int{1, 2, 3, 2}
	x := tensor.New(shape...)
	y := tensor.New(shape...)
	m := tensor.New(shape...)
	for i := range x.Data {
		x.Data[i] = float32(i%5) - 2.2
		y.Data[i] = float32(i % 3 % 2)
		m.Data[i] = float32((i + 1) % 4 % 3 % 2)
	}
	p := &Pixels{Inner: NewBCE(nil), DiceWeight: 0.7}
	g := tensor.New(shape...)
	if _, err := p.Compute(x, y, m, g); err != nil {
		t.Fatal(err)
	}
	const h = 1e-3
	scratch := tensor.New(shape...)
	for i := range x.Data {
		old := x.Data[i]
		x.Data[i] = old + h
		up, _ := p.Compute(x, y, m, scratch)
		x.Data[i] = old - h
		down, _ := p.Compute(x, y, m, scratch)
		x.Data[i] = old
		if num := (up - down) / (2 * h); math.Abs(num-float64(g.Data[i])) > 2e-4 {
			t.Errorf("grad[%d] = %.6f, finite difference %.6f", i, g.Data[i], num)
		}
	}
}

func TestPixelsShapes(t *testing.T) {
	p := &Pixels{Inner: NewBCE(nil)}
	tests := []struct {
		name            string
		logits, y, m, g *tensor.Tensor
		want            string
	}{
		{"2-D logits", tensor.New(2, 3), tensor.New(2, 3), nil, tensor.New(2, 3), "[N, H, W, L]"},
		{"targets", tensor.New(1, 2, 2, 3), tensor.New(1, 2, 2, 2), nil, tensor.New(1, 2, 2, 3), "targets shape"},
		{"mask", tensor.New(1, 2, 2, 3), tensor.New(1, 2, 2, 3), tensor.New(1, 2, 3), tensor.New(1, 2, 2, 3), "mask shape"},
	}
	for _, tc := range tests {
		_, err := p.Compute(tc.logits, tc.y, tc.m, tc.g)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}
