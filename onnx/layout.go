package onnx

import (
	"fmt"

	"mlabel/tensor"
)

// ToNHWC returns a copy of the 4-D NCHW tensor x in NHWC layout.
func ToNHWC(x *tensor.Tensor) (*tensor.Tensor, error) {
	return permute4(x, [4]int{0, 2, 3, 1})
}

// ToNCHW returns a copy of the 4-D NHWC tensor x in NCHW layout.
func ToNCHW(x *tensor.Tensor) (*tensor.Tensor, error) {
	return permute4(x, [4]int{0, 3, 1, 2})
}

// permute4 transposes a 4-D tensor: output axis i is input axis perm[i].
func permute4(x *tensor.Tensor, perm [4]int) (*tensor.Tensor, error) {
	if x == nil || len(x.Shape) != 4 || len(x.Data) != tensor.Size(x.Shape) {
		return nil, fmt.Errorf("onnx: layout change needs a 4-D tensor, got %v", shapeOrNil(x))
	}
	k := &konst{dims: x.Shape, data: make([]float64, len(x.Data))}
	for i, v := range x.Data {
		k.data[i] = float64(v)
	}
	y := transposeKonst(k, perm[:])
	return &tensor.Tensor{Shape: y.dims, Data: y.float32s()}, nil
}

func shapeOrNil(x *tensor.Tensor) any {
	if x == nil {
		return nil
	}
	return x.Shape
}

// ToEngine converts x, laid out as the ONNX port p describes (batch first),
// into the tensor the engine takes.
func (p Port) ToEngine(x *tensor.Tensor) (*tensor.Tensor, error) {
	if x == nil || len(x.Shape) != len(p.Shape) {
		return nil, fmt.Errorf("onnx: input %q: got shape %v, want rank %d like %v", p.Name, shapeOrNil(x), len(p.Shape), p.Shape)
	}
	if p.Layout == "nchw" {
		return ToNHWC(x)
	}
	y, err := x.Clone().Reshape(append([]int{x.Shape[0]}, p.engine...)...)
	if err != nil {
		return nil, fmt.Errorf("onnx: input %q: %w", p.Name, err)
	}
	return y, nil
}

// FromEngine converts an engine output y into the ONNX layout of port p.
func (p Port) FromEngine(y *tensor.Tensor) (*tensor.Tensor, error) {
	if y == nil || len(y.Shape) == 0 {
		return nil, fmt.Errorf("onnx: output %q: no tensor", p.Name)
	}
	if p.Layout == "nchw" {
		return ToNCHW(y)
	}
	shape := append([]int{y.Shape[0]}, p.Shape[1:]...)
	x, err := y.Clone().Reshape(shape...)
	if err != nil {
		return nil, fmt.Errorf("onnx: output %q: %w", p.Name, err)
	}
	return x, nil
}
