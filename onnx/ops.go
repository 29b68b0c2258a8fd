package onnx

// handlers maps ONNX operator types to their importers.
var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"Conv": convOp, "Gemm": gemmOp, "MatMul": matMulOp, "BatchNormalization": batchNormOp,
		"Relu": reluOp, "LeakyRelu": leakyReluOp, "Clip": clipOp, "Sigmoid": sigmoidOp,
		"HardSigmoid": hardSigmoidOp, "HardSwish": hardSwishOp, "Softmax": softmaxOp,
		"Add": addOp, "Sub": subOp, "Mul": mulOp, "Div": divOp, "Concat": concatOp,
		"Flatten": flattenOp, "Pad": padOp, "Dropout": dropoutOp, "Identity": alias,
		"Constant": constantOp, "MaxPool": maxPoolOp, "AveragePool": avgPoolOp,
		"GlobalAveragePool": globalAvgPoolOp, "GlobalMaxPool": globalMaxPoolOp,
		"Reshape": reshapeOp, "Transpose": transposeOp, "Shape": shapeOp, "Gather": gatherOp,
		"Unsqueeze": unsqueezeOp, "Squeeze": squeezeOp, "Cast": castOp,
		"ConstantOfShape": constantOfShapeOp, "Slice": sliceOp,
		"ReduceMean": reduceMeanOp, "ReduceMax": reduceMaxOp,
	}
}
