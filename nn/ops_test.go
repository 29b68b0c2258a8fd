package nn

import (
	"slices"
	"testing"
)

// TestOpTableConsistent checks every entry of the op table against the
// engine: its arity, that it builds a layer (all but input), that the
// parameters it declares are the ones its layer allocates, that an op
// taking a fused activation builds with one and that an activation that
// fuses is one such an op accepts.
func TestOpTableConsistent(t *testing.T) {
	attrs := Attrs{Filters: 3, Units: 4, Kernel: [2]int{3, 3}, Bias: true, LabelGroups: [][]int{{0, 2}}}
	for op, info := range ops {
		t.Run(string(op), func(t *testing.T) {
			if info.minIn < 0 || (info.maxIn >= 0 && info.maxIn < info.minIn) {
				t.Fatalf("arity %d to %d", info.minIn, info.maxIn)
			}
			if op == OpInput {
				if info.build != nil || info.maxIn != 0 {
					t.Fatalf("input has a layer or inputs")
				}
				return
			}
			n := max(info.minIn, 1)
			in := make([][]int, n)
			for i := range in {
				in[i] = []int{2, 6, 6, 4}
				if op == OpGroupSoftmax {
					in[i] = []int{2, 4} // [N, labels]
				}
			}
			node := Node{Name: "n", Op: op, Attrs: attrs}
			l, err := newLayer(node, in, nil)
			if err != nil {
				t.Fatalf("newLayer: %v", err)
			}
			var got []string
			for _, p := range l.Params() {
				got = append(got, p.Name)
			}
			var want []string
			for _, d := range declaredParams(node, in) {
				want = append(want, d.name)
			}
			if len(in) == 1 && !slices.Equal(got, want) {
				t.Errorf("layer parameters %v, declared %v", got, want)
			}
			if info.takesAct {
				node.Attrs.Act = OpReLU6
				if _, err := newLayer(node, in, nil); err != nil {
					t.Errorf("with a fused relu6: %v", err)
				}
			}
			if info.fusesAsAct {
				if _, err := newActFunc(op, Attrs{}); err != nil {
					t.Errorf("fuses as an activation, but: %v", err)
				}
			}
			if (info.fold == nil) != (info.foldInto == "") {
				t.Errorf("fold and foldInto disagree")
			}
		})
	}
}
