package loss

import (
	"math"
	"testing"

	"mlabel/tensor"
)

// groupLogits returns the per-label logits log p − log(1 − p) of the
// softmax of z over cols (with a zero "none" logit when none), the other
// columns of z unchanged, and the softmax probabilities.
func groupLogits(z []float64, cols []int, none bool) (o []float64, p map[int]float64, pNone float64) {
	o = append([]float64(nil), z...)
	total := 0.0
	if none {
		total = 1
	}
	for _, j := range cols {
		total += math.Exp(z[j])
	}
	p = map[int]float64{}
	for _, j := range cols {
		p[j] = math.Exp(z[j]) / total
		o[j] = math.Log(p[j]) - math.Log1p(-p[j])
	}
	if none {
		pNone = 1 / total
	}
	return o, p, pNone
}

func TestGroupedIsCrossEntropy(t *testing.T) {
	// Two images, four labels: {0, 1, 2} exclusive, column 3 a plain label.
	zs := [][]float64{{1.5, -0.5, 0.2, 0.7}, {-1, 2, 0.3, -0.4}}
	ys := [][]float32{{0, 0, 1, 1}, {0, 1, 0, 0}}
	for _, none := range []bool{false, true} {
		x, y := tensor.New(2, 4), tensor.New(2, 4)
		want := 0.0
		for r, z := range zs {
			o, p, _ := groupLogits(z, []int{0, 1, 2}, none)
			for j := range 4 {
				x.Data[r*4+j] = float32(o[j])
				y.Data[r*4+j] = ys[r][j]
			}
			for j, v := range ys[r][:3] {
				if v == 1 {
					want -= math.Log(p[j])
				}
			}
			// BCE on column 3.
			xj, yj := o[3], float64(ys[r][3])
			want += yj*softplus(-xj) + (1-yj)*softplus(xj)
		}
		want /= 4 // two group terms and two plain elements
		l, err := NewGrouped(NewBCE(nil), [][]int{{0, 1, 2}}, []bool{none})
		if err != nil {
			t.Fatal(err)
		}
		grad := tensor.New(2, 4)
		got, err := l.Compute(x, y, nil, grad)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-5 {
			t.Errorf("none=%v: loss %g, want %g", none, got, want)
		}
		checkFiniteDiff(t, l, x, y, nil, grad)
	}
}

func TestGroupedNoneTarget(t *testing.T) {
	z := []float64{0.4, -1.2}
	o, _, pNone := groupLogits(z, []int{0, 1}, true)
	x, y := tensor.New(1, 2), tensor.New(1, 2)
	x.Data[0], x.Data[1] = float32(o[0]), float32(o[1])
	l, _ := NewGrouped(NewBCE(nil), [][]int{{0, 1}}, []bool{true})
	grad := tensor.New(1, 2)
	got, err := l.Compute(x, y, nil, grad)
	if err != nil {
		t.Fatal(err)
	}
	if want := -math.Log(pNone); math.Abs(got-want) > 1e-5 {
		t.Errorf("loss %g, want −log p(none) = %g", got, want)
	}
	checkFiniteDiff(t, l, x, y, nil, grad)
}

func TestGroupedSkipsImpossibleAndUnknownGroups(t *testing.T) {
	cases := []struct {
		name string
		none bool
		y    []float32
		mask []float32
	}{
		{"no positive in an exclusive group", false, []float32{0, 0, 1}, nil},
		{"two positives", true, []float32{1, 1, 0}, nil},
		{"an unknown label in the group", false, []float32{1, 0, 0}, []float32{1, 0, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x, y := tensor.New(1, 3), tensor.New(1, 3)
			copy(x.Data, []float32{0.3, -0.2, 1.1})
			copy(y.Data, c.y)
			var m *tensor.Tensor
			if c.mask != nil {
				m = tensor.New(1, 3)
				copy(m.Data, c.mask)
			}
			l, _ := NewGrouped(NewBCE(nil), [][]int{{0, 1}}, []bool{c.none})
			grad := tensor.New(1, 3)
			got, err := l.Compute(x, y, m, grad)
			if err != nil {
				t.Fatal(err)
			}
			// Only column 2 counts: plain BCE of one element.
			xj, yj := 1.1, float64(c.y[2])
			if want := yj*softplus(-xj) + (1-yj)*softplus(xj); math.Abs(got-want) > 1e-6 {
				t.Errorf("loss %g, want the plain label's %g alone", got, want)
			}
			if grad.Data[0] != 0 || grad.Data[1] != 0 {
				t.Errorf("group columns got gradient %v", grad.Data[:2])
			}
		})
	}
}

func TestNewGroupedRefusesBadGroups(t *testing.T) {
	cases := []struct {
		groups [][]int
		none   []bool
	}{
		{[][]int{{0}}, []bool{false}},
		{[][]int{{0, 1}, {1, 2}}, []bool{false, false}},
		{[][]int{{0, 1}}, nil},
	}
	for _, c := range cases {
		if _, err := NewGrouped(NewBCE(nil), c.groups, c.none); err == nil {
			t.Errorf("groups %v none %v accepted", c.groups, c.none)
		}
	}
	l, _ := NewGrouped(NewBCE(nil), [][]int{{0, 4}}, []bool{false})
	x := tensor.New(1, 3)
	if _, err := l.Compute(x, tensor.New(1, 3), nil, tensor.New(1, 3)); err == nil {
		t.Error("a group column beyond the logits accepted")
	}
}

// checkFiniteDiff compares grad, l's gradient at x, with central
// differences of l.
func checkFiniteDiff(t *testing.T, l Loss, x, y, m, grad *tensor.Tensor) {
	t.Helper()
	const h = 1e-2
	scratch := tensor.New(x.Shape...)
	for i := range x.Data {
		orig := x.Data[i]
		x.Data[i] = orig + h
		up, _ := l.Compute(x, y, m, scratch)
		hi := float64(x.Data[i])
		x.Data[i] = orig - h
		down, _ := l.Compute(x, y, m, scratch)
		lo := float64(x.Data[i])
		x.Data[i] = orig
		fd := (up - down) / (hi - lo)
		if math.Abs(fd-float64(grad.Data[i])) > 1e-4*math.Max(1, math.Abs(fd)) {
			t.Errorf("%s %+v: grad[%d] = %g, finite difference %g", l.Name(), l, i, grad.Data[i], fd)
		}
	}
}
