package nn

import (
	"testing"

	"mlabel/tensor"
)

// TestMaxPoolEvalMatchesTrain checks that inference max pooling, which skips
// the argmax positions, gives the training pass's outputs, and that Backward
// refuses to run without the positions.
func TestMaxPoolEvalMatchesTrain(t *testing.T) {
	attrs := []Attrs{
		{Kernel: [2]int{2, 2}},
		{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}},
		{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, CeilMode: true},
	}
	shape := []int{3, 9, 10, 19}
	for _, a := range attrs {
		l, err := newLayer(Node{Name: "p", Op: OpMaxPool, Attrs: a}, [][]int{shape}, newRNG())
		if err != nil {
			t.Fatal(err)
		}
		os, _ := l.OutShape([][]int{shape})
		x := []*tensor.Tensor{randomTensor(newRNG(), shape)}
		train, eval := tensor.New(os...), tensor.New(os...)
		if err := l.Forward(x, train, true); err != nil {
			t.Fatal(err)
		}
		if err := l.Forward(x, eval, false); err != nil {
			t.Fatal(err)
		}
		for i := range train.Data {
			if train.Data[i] != eval.Data[i] {
				t.Fatalf("%+v: output %d is %g in eval, %g in training", a, i, eval.Data[i], train.Data[i])
			}
		}
		if err := l.Backward(x, eval, eval, []*tensor.Tensor{tensor.New(shape...)}); err == nil {
			t.Fatalf("%+v: Backward after an eval pass did not fail", a)
		}
	}
}
