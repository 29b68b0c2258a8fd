package nn

import (
	"math"
	"strings"
	"testing"

	"mlabel/tensor"
)

func TestGroupSoftmaxProbabilities(t *testing.T) {
	sig := func(x float32) float64 { return 1 / (1 + math.Exp(-float64(x))) }
	cases := []struct {
		name string
		none bool
		row  []float32
	}{
		{"even", false, []float32{0, 0, 0, 7}},
		{"spread", false, []float32{-2, 1, 3, -4}},
		{"extreme", false, []float32{60, -60, 0, 1}},
		{"none_even", true, []float32{0, 0, 0, -1}},
		{"none_low", true, []float32{-30, -40, -50, 2}},
		{"none_high", true, []float32{40, 0, -5, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := newGroupSoftmax(Attrs{LabelGroups: [][]int{{0, 1, 2}}, GroupNone: []bool{c.none}})
			if err != nil {
				t.Fatal(err)
			}
			in := tensor.New(1, 4)
			copy(in.Data, c.row)
			out := tensor.New(1, 4)
			if err := l.Forward([]*tensor.Tensor{in}, out, false); err != nil {
				t.Fatal(err)
			}
			// Softmax over the group (and the none logit 0) by definition.
			z := []float64{float64(c.row[0]), float64(c.row[1]), float64(c.row[2])}
			if c.none {
				z = append(z, 0)
			}
			m := math.Inf(-1)
			for _, v := range z {
				m = max(m, v)
			}
			total := 0.0
			for _, v := range z {
				total += math.Exp(v - m)
			}
			sum := 0.0
			for j := range 3 {
				want := math.Exp(z[j]-m) / total
				got := sig(out.Data[j])
				if math.Abs(got-want) > 1e-6 {
					t.Errorf("column %d: sigmoid(out) = %g, softmax = %g", j, got, want)
				}
				sum += got
			}
			if !c.none && math.Abs(sum-1) > 1e-5 {
				t.Errorf("exclusive group sums to %g", sum)
			}
			if c.none && sum > 1+1e-6 {
				t.Errorf("at-most-one group sums to %g", sum)
			}
			if out.Data[3] != c.row[3] {
				t.Errorf("column outside the groups changed: %g → %g", c.row[3], out.Data[3])
			}
		})
	}
}

func TestGroupSoftmaxRefusesBadGroups(t *testing.T) {
	cases := []struct {
		name string
		a    Attrs
		cols int
		want string
	}{
		{"no groups", Attrs{}, 3, "no groups"},
		{"one column", Attrs{LabelGroups: [][]int{{1}}}, 3, "two or more"},
		{"shared column", Attrs{LabelGroups: [][]int{{0, 1}, {1, 2}}}, 3, "two groups"},
		{"negative", Attrs{LabelGroups: [][]int{{0, -1}}}, 3, "negative"},
		{"flags", Attrs{LabelGroups: [][]int{{0, 1}}, GroupNone: []bool{true, false}}, 3, "none flags"},
		{"out of range", Attrs{LabelGroups: [][]int{{0, 5}}}, 3, "column 5 of 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := newGroupSoftmax(c.a)
			if err == nil {
				_, err = l.OutShape([][]int{{2, c.cols}})
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestAppendGroupSoftmax(t *testing.T) {
	s := &Spec{
		Nodes: []Node{
			{Name: "x", Op: OpInput, Attrs: Attrs{Shape: []int{1, 1, 3}}},
			{Name: "flat", Op: OpFlatten, Inputs: []string{"x"}},
		},
		Outputs: []string{"flat"},
	}
	if err := AppendGroupSoftmax(s, "groups", [][]int{{0, 2}}, []bool{true}); err != nil {
		t.Fatal(err)
	}
	m, err := Build(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(1, 1, 1, 3)
	copy(x.Data, []float32{0, 5, 0})
	y, err := m.Forward(x, false)
	if err != nil {
		t.Fatal(err)
	}
	// Three equal logits (two labels and none): each label has p = 1/3,
	// logit log(1/3) − log(2/3) = −log 2; column 1 passes through.
	if math.Abs(float64(y.Data[0])+math.Ln2) > 1e-6 || y.Data[1] != 5 || math.Abs(float64(y.Data[2])+math.Ln2) > 1e-6 {
		t.Errorf("output %v, want [−ln2 5 −ln2]", y.Data)
	}
}
