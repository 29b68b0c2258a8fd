// Package nn is mlabel's CNN engine: layers with explicit forward and backward
// passes, wired as a DAG of named nodes with named parameters.
//
// A model is described by a Spec, which serialises to JSON. Importers (ONNX,
// Darknet) and architecture builders produce a Spec plus a map of parameter
// tensors; the engine builds and runs it.
//
// Layout conventions (all tensors NHWC float32):
//   - activations: [N, H, W, C]; after Flatten or Dense: [N, F].
//   - Conv2D weight: [KH, KW, Cin/groups, Cout] (HWIO); bias: [Cout].
//     For groups > 1, output channel o uses input channels
//     g*Cin/groups .. (g+1)*Cin/groups-1 where g = o / (Cout/groups).
//   - Dense weight: [In, Out]; bias: [Out].
//   - BatchNorm2D: gamma, beta, running_mean, running_var, each [C].
//   - Flatten of an NHWC tensor flattens in H, W, C order.
//
// Parameter names are "<node>.<param>", for example "conv1.weight",
// "bn1.gamma", "bn1.running_mean".
package nn

// Op names a layer type in a Spec.
type Op string

// The operations a Spec may use.
const (
	OpInput         Op = "input"            // graph input; Attrs.Shape is [H, W, C]
	OpConv2D        Op = "conv2d"           // Filters, Kernel, Stride, Pad, Dilation, Groups, Bias, Act
	OpBatchNorm     Op = "batchnorm2d"      // Eps, Momentum
	OpReLU          Op = "relu"             //
	OpLeakyReLU     Op = "leaky_relu"       // Alpha (negative slope)
	OpReLU6         Op = "relu6"            //
	OpSiLU          Op = "silu"             //
	OpHardSigmoid   Op = "hard_sigmoid"     // Alpha, Beta: max(0, min(1, Alpha*x+Beta)); PyTorch uses 1/6, 0.5
	OpHardSwish     Op = "hard_swish"       //
	OpSigmoid       Op = "sigmoid"          //
	OpMaxPool       Op = "maxpool2d"        // Kernel, Stride, Pad, CeilMode
	OpAvgPool       Op = "avgpool2d"        // Kernel, Stride, Pad, CeilMode, CountIncludePad
	OpGlobalAvgPool Op = "global_avgpool"   // [N,H,W,C] -> [N,C]
	OpGlobalMaxPool Op = "global_maxpool"   // [N,H,W,C] -> [N,C]
	OpDense         Op = "dense"            // Units, Bias, Act
	OpDropout       Op = "dropout"          // Rate
	OpAdd           Op = "add"              // elementwise sum of all inputs, same shape; Act optional
	OpMul           Op = "mul"              // elementwise product of two inputs; the second may broadcast as [N,1,1,C] or [N,C]
	OpConcat        Op = "concat"           // concatenation along channels (last axis)
	OpUpsample      Op = "upsample"         // nearest neighbour, Scale (2 by default)
	OpFlatten       Op = "flatten"          // [N,H,W,C] -> [N,H*W*C]
	OpScaleShift    Op = "scale_shift"      // per-channel y = x*scale + shift (params "scale", "shift"); used by importers
	OpConvTranspose Op = "conv_transpose2d" // transposed convolution: Filters, Kernel, Stride, Pad, Bias; weight [KH, KW, Cin, Cout]
	OpGroupSoftmax  Op = "group_softmax"    // [N,L] -> [N,L]: a softmax over each of LabelGroups, written as per-label logits; GroupNone
)

// Spec is a serialisable model graph. Nodes are listed in topological order:
// every input a node names is the name of an earlier node.
type Spec struct {
	Nodes   []Node   `json:"nodes"`
	Outputs []string `json:"outputs"`
}

// Node is one named layer of a Spec.
type Node struct {
	Name   string   `json:"name"`
	Op     Op       `json:"op"`
	Inputs []string `json:"inputs,omitempty"`
	Attrs  Attrs    `json:"attrs"`
}

// Attrs holds the attributes of a node. Fields that an op does not use are
// left at their zero value. Zero values get the defaults documented here.
type Attrs struct {
	Shape           []int   `json:"shape,omitempty"`             // input: [H, W, C]
	Filters         int     `json:"filters,omitempty"`           // conv2d: output channels
	Units           int     `json:"units,omitempty"`             // dense: output features
	Kernel          [2]int  `json:"kernel,omitempty"`            // [KH, KW]
	Stride          [2]int  `json:"stride,omitempty"`            // default [1,1] for conv, Kernel for pools
	Pad             [4]int  `json:"pad,omitempty"`               // [top, left, bottom, right]
	Dilation        [2]int  `json:"dilation,omitempty"`          // default [1,1]
	Groups          int     `json:"groups,omitempty"`            // default 1
	Bias            bool    `json:"bias,omitempty"`              // conv2d, dense: has a bias parameter
	Act             Op      `json:"act,omitempty"`               // fused activation after conv2d/dense/add (relu, relu6, leaky_relu, ...)
	Alpha           float64 `json:"alpha,omitempty"`             // leaky_relu slope (also for Act); hard_sigmoid slope
	Beta            float64 `json:"beta,omitempty"`              // hard_sigmoid offset
	Eps             float64 `json:"eps,omitempty"`               // batchnorm2d, default 1e-5
	Momentum        float64 `json:"momentum,omitempty"`          // batchnorm2d, PyTorch convention, default 0.1
	CeilMode        bool    `json:"ceil_mode,omitempty"`         // pools
	CountIncludePad bool    `json:"count_include_pad,omitempty"` // avgpool2d
	Rate            float64 `json:"rate,omitempty"`              // dropout probability
	Scale           int     `json:"scale,omitempty"`             // upsample factor, default 2
	// LabelGroups (group_softmax) lists the columns of each softmax group;
	// GroupNone[k] gives group k a fixed zero logit for "no label".
	LabelGroups [][]int `json:"label_groups,omitempty"`
	GroupNone   []bool  `json:"group_none,omitempty"`
}
