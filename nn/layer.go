package nn

import "mlabel/tensor"

// Param is a named trainable or buffer tensor of a layer.
type Param struct {
	Name   string         // full name, "<node>.<param>"
	Value  *tensor.Tensor // the parameter itself
	Grad   *tensor.Tensor // accumulated gradient; nil for buffers such as running statistics
	Frozen bool           // excluded from optimisation
	// NoDecay marks parameters that take no weight decay (biases and
	// batch-norm scales and shifts).
	NoDecay bool
	// borrowed marks a parameter whose value belongs to another model (a
	// workspace's); initialisation leaves it alone.
	borrowed bool
}

// layer is one node of a model graph with an explicit forward and backward pass.
//
// Shapes exclude nothing: they include the batch dimension. Layers keep their
// own scratch buffers between calls so that a training step does not allocate
// once the batch shape is stable.
type layer interface {
	// OutShape returns the output shape for the given input shapes, or an
	// error when the inputs do not fit the layer.
	OutShape(in [][]int) ([]int, error)
	// Forward computes out from in. out already has the shape OutShape gave.
	// train selects training behaviour (batch statistics, dropout).
	Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error
	// Backward receives the gradient of the loss with respect to out and
	// writes (overwrites) the gradients with respect to each input into
	// gradIn, whose entries have the inputs' shapes; an entry may be nil when
	// that input needs no gradient. Gradients of parameters are added to
	// Param.Grad. Backward is called after the Forward of the same step, with
	// the same in and out.
	Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error
	// Params returns the layer's parameters and buffers, or nil.
	Params() []*Param
}
