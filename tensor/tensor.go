// Package tensor holds the dense float32 tensor used throughout mlabel.
//
// Image batches are laid out NHWC: batch, height, width, channels, with the
// channel index varying fastest. Tensors are plain values: a shape and a flat
// slice of data in row-major order.
package tensor

import (
	"fmt"
)

// Tensor is a dense row-major float32 array.
type Tensor struct {
	Shape []int
	Data  []float32
}

// New returns a zeroed tensor of the given shape.
func New(shape ...int) *Tensor {
	n := Size(shape)
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// FromData wraps data in a tensor of the given shape. It returns an error when
// the length of data does not match the shape.
func FromData(data []float32, shape ...int) (*Tensor, error) {
	if n := Size(shape); n != len(data) {
		return nil, fmt.Errorf("tensor: shape %v needs %d values, got %d", shape, n, len(data))
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}, nil
}

// Size returns the number of elements of a tensor with the given shape.
func Size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Len returns the number of elements of t.
func (t *Tensor) Len() int { return len(t.Data) }

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
}

// Zero sets every element of t to 0.
func (t *Tensor) Zero() {
	clear(t.Data)
}

// SameShape reports whether a and b have identical shapes.
func SameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Reshape returns a tensor sharing t's data with a new shape of equal size.
func (t *Tensor) Reshape(shape ...int) (*Tensor, error) {
	if Size(shape) != len(t.Data) {
		return nil, fmt.Errorf("tensor: cannot reshape %v to %v", t.Shape, shape)
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: t.Data}, nil
}

// Ensure returns t when it already has the given shape, and otherwise a tensor
// of that shape that reuses t's storage when it is large enough. It lets layers
// keep their output buffers across steps without allocating.
func Ensure(t *Tensor, shape ...int) *Tensor {
	n := Size(shape)
	if t == nil {
		return New(shape...)
	}
	if SameShape(t.Shape, shape) {
		return t
	}
	if cap(t.Data) >= n {
		t.Data = t.Data[:n]
	} else {
		t.Data = make([]float32, n)
	}
	t.Shape = append(t.Shape[:0], shape...)
	return t
}
