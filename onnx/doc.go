// Package onnx imports ONNX models (as exported by PyTorch, or taken from the
// ONNX Model Zoo) into mlabel's NHWC engine.
//
// Import reads a model, constant-folds its shape computations and maps each
// remaining ONNX operator onto an nn.Spec node, converting NCHW semantics to
// the engine's NHWC layout and OIHW convolution weights to HWIO. An operator
// or attribute that has no exact equivalent in the engine is an error that
// names the node and the operator; nothing is silently dropped.
//
// The package also reads and writes NumPy .npy float32 arrays and converts
// 4-D tensors between the NCHW and NHWC layouts, so that an imported model
// can be compared with other runtimes.
package onnx
