package nn

import (
	"fmt"
	"slices"

	"mlabel/tensor"
)

// MaxParams bounds the float32 values of all the parameters and buffers of a
// model built from a spec (2^31 values, 8 GiB). A spec read from a file can
// declare any size; Build refuses one over the limit before allocating.
const MaxParams = 1 << 31

// MaxActivation bounds the float32 values of one node's output for one
// image (2^28 values, 1 GiB), so that a crafted graph (an upsampling by a
// million, say) is refused when its shapes are inferred instead of
// exhausting memory in Forward.
const MaxActivation = 1 << 28

// paramDecl is a parameter a node declares: its full name and shape.
type paramDecl struct {
	name  string
	shape []int
}

// declaredParams returns the parameters the layer of node will allocate for
// inputs of the given shapes, without allocating them, from the op table. A
// test checks that it agrees with the layers on every architecture. Inputs
// the constructor will refuse give no declarations: the constructor reports
// them.
func declaredParams(node Node, inShapes [][]int) []paramDecl {
	info := ops[node.Op]
	if info.params == nil || len(inShapes) != 1 || len(inShapes[0]) == 0 {
		return nil
	}
	return info.params(node, inShapes[0])
}

// checkedSize returns the number of values of shape and whether it is at
// most limit; a negative dimension or an overflowing product is not.
func checkedSize(shape []int, limit int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > limit/d {
			return 0, false
		}
		n *= d
	}
	return n, n <= limit
}

// paramBudget checks the declared parameters of each node, before they are
// allocated, against MaxParams and, when want is not nil, against the
// weights that will be loaded: every declared parameter must be present
// with the same shape.
type paramBudget struct {
	want  map[string]*tensor.Tensor
	total int
}

func (b *paramBudget) check(node Node, inShapes [][]int) error {
	for _, d := range declaredParams(node, inShapes) {
		if slices.Min(d.shape) <= 0 {
			continue // the layer's constructor names the bad attribute
		}
		n, ok := checkedSize(d.shape, MaxParams)
		if b.want != nil {
			t, present := b.want[d.name]
			if !present || t == nil {
				return fmt.Errorf("nn: node %q: parameter %q (shape %v) is missing from the weights", node.Name, d.name, d.shape)
			}
			if !ok || !tensor.SameShape(t.Shape, d.shape) || len(t.Data) != n {
				return fmt.Errorf("nn: node %q: parameter %q is declared with shape %v, the weights hold shape %v (%d values)", node.Name, d.name, d.shape, t.Shape, len(t.Data))
			}
		}
		if !ok || b.total+n > MaxParams {
			return fmt.Errorf("nn: node %q: parameter %q of shape %v takes the model over the limit of %d parameters", node.Name, d.name, d.shape, MaxParams)
		}
		b.total += n
	}
	return nil
}

// checkActivation refuses a node output of more than MaxActivation values
// per image.
func checkActivation(node Node, shape []int) error {
	if len(shape) == 0 {
		return nil
	}
	if _, ok := checkedSize(shape[1:], MaxActivation); !ok {
		return fmt.Errorf("nn: node %q: output shape %v is over the limit of %d values per image", node.Name, shape, MaxActivation)
	}
	return nil
}
