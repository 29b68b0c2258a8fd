// Package onnx imports ONNX models (as exported by PyTorch, or taken from the
// ONNX Model Zoo) into mlabel's NHWC engine.
//
// Import reads a model, constant-folds its shape computations and maps each
// remaining ONNX operator onto an nn.Spec node, converting NCHW semantics to
// the engine's NHWC layout and OIHW convolution weights to HWIO. An operator
// or attribute that has no exact equivalent in the engine is an error that
// names the node and the operator; nothing is silently dropped.
//
// Operators mapped onto engine nodes: Conv (2-D, any groups and dilation;
// a 1x1 convolution of a pooled map becomes a dense layer), Gemm and MatMul
// with constant weights (an Add of a constant after MatMul becomes the
// bias), BatchNormalization (inference), Relu, LeakyRelu, Clip (ReLU6, ReLU,
// or other bounds through per-channel affine maps), Sigmoid, HardSigmoid,
// HardSwish, Softmax (only a final one, dropped with Options.StripSoftmax),
// Add, Sub, Mul, Div (by per-channel constants: scale_shift; between
// tensors: add or mul), Concat on the channel axis, Flatten and Reshape that
// keep the batch, Pad (constant; folded into the next convolution when it
// pads with zeros), Dropout, Identity, MaxPool, AveragePool,
// GlobalAveragePool, GlobalMaxPool, and ReduceMean/ReduceMax over H and W.
// x·Sigmoid(x) becomes SiLU and x·HardSigmoid(x) HardSwish.
//
// Folded at import: Constant, ConstantOfShape, Shape, Gather, Unsqueeze,
// Squeeze, Concat, Slice, Cast, Reshape and Transpose of constants and shape
// values (the Shape→Gather→Unsqueeze→Concat→Reshape idiom of exporters),
// arithmetic on constants, and the Transpose between NHWC and NCHW of models
// converted from TensorFlow. A Flatten of an NCHW map is absorbed into the
// rows of the following dense layer.
//
// The package also reads and writes NumPy .npy float32 arrays and converts
// 4-D tensors between the NCHW and NHWC layouts, so that an imported model
// can be compared with other runtimes.
package onnx
