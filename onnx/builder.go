package onnx

import (
	"fmt"
	"slices"
	"strings"

	"mlabel/nn"
	"mlabel/onnx/onnxpb"
	"mlabel/tensor"
)

// layout says how the engine holds the tensor of an ONNX value.
type layout int

const (
	layNHWC     layout = iota // ONNX [N,C,H,W] held as [N,H,W,C]
	layRaw                    // held in ONNX order
	laySqueezed               // ONNX [N,C,1,1] held as [N,C]
	layFlatHWC                // ONNX [N,C*H*W] held as [N,H*W*C] (an NHWC flatten)
)

// value is an ONNX value during import: either a constant or the output of
// an engine node.
type value struct {
	k      *konst // non-nil for constants
	node   string // the engine node computing it
	shape  []int  // ONNX shape, batch first
	lay    layout
	chw    [3]int  // layFlatHWC: the C, H, W that were flattened
	pad    [4]int  // pending padding (top, left, bottom, right) of a Pad
	padVal float64 // the value it pads with
	padded bool
	// biasFree marks the output of a dense layer without bias, which a
	// following Add of a constant can fill in.
	biasFree bool
}

// engineShape returns the shape of the engine tensor holding v.
func (v *value) engineShape() []int {
	s := v.shape
	switch v.lay {
	case layNHWC:
		return []int{s[0], s[2], s[3], s[1]}
	case laySqueezed:
		return []int{s[0], s[1]}
	}
	if len(s) == 1 {
		return []int{s[0], 1}
	}
	return s
}

// channels returns the size of the engine tensor's last axis.
func (v *value) channels() int {
	s := v.engineShape()
	return s[len(s)-1]
}

// channelAxis returns the ONNX axis that the engine holds last, or -1 for
// a 1-D tensor, which the engine holds as [N, 1].
func (v *value) channelAxis() int {
	if v.lay == layNHWC || v.lay == laySqueezed {
		return 1
	}
	if len(v.shape) == 1 {
		return -1
	}
	return len(v.shape) - 1
}

// builder accumulates the engine graph while walking the ONNX nodes.
type builder struct {
	opset  int
	opt    Options
	vals   map[string]*value
	uses   map[string]int
	outSet map[string]bool
	names  map[string]bool
	// consumers counts the engine nodes reading each engine node, and
	// valueRefs the ONNX values an engine node computes, so that a rewrite
	// can tell when a node is read by nothing else.
	consumers map[string]int
	valueRefs map[string]int
	spec      nn.Spec
	weights   map[string]*tensor.Tensor
	input     Port
	outputs   []Port
}

func newBuilder(opset int, opt Options) *builder {
	return &builder{
		opset: opset, opt: opt,
		vals: map[string]*value{}, uses: map[string]int{}, outSet: map[string]bool{},
		names: map[string]bool{}, weights: map[string]*tensor.Tensor{},
		consumers: map[string]int{}, valueRefs: map[string]int{},
	}
}

// call is one ONNX node being mapped.
type call struct {
	n    *onnxpb.NodeProto
	a    *attrs
	in   []*value // nil for absent optional inputs
	base string   // name stem for the engine nodes it creates
}

// input returns input i, or nil when absent.
func (c *call) input(i int) *value {
	if i < len(c.in) {
		return c.in[i]
	}
	return nil
}

// konstInput returns input i, which must be a constant.
func (c *call) konstInput(i int, what string) (*konst, error) {
	v := c.input(i)
	if v == nil {
		return nil, fmt.Errorf("missing %s input", what)
	}
	if v.k == nil {
		return nil, fmt.Errorf("%s (input %q) must be a constant", what, c.n.GetInput()[i])
	}
	return v.k, nil
}

// handler maps one ONNX operator. It returns the node's output values.
type handler func(b *builder, c *call) ([]*value, error)

func (b *builder) node(idx int, n *onnxpb.NodeProto) (err error) {
	defer func() {
		// A malformed node (missing outputs, tensors of the wrong rank) must
		// not crash the caller.
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed node: %v", r)
		}
	}()
	if d := n.GetDomain(); d != "" && d != "ai.onnx" {
		return fmt.Errorf("operator domain %q is not supported", d)
	}
	h, ok := handlers[n.GetOpType()]
	if !ok {
		return fmt.Errorf("unsupported operator")
	}
	c := &call{n: n, a: newAttrs(n), base: nodeBase(idx, n)}
	for _, name := range n.GetInput() {
		if name == "" {
			c.in = append(c.in, nil)
			continue
		}
		v, ok := b.vals[name]
		if !ok {
			return fmt.Errorf("input %q is not defined", name)
		}
		c.in = append(c.in, v)
	}
	outs, err := h(b, c)
	if err != nil {
		return err
	}
	if err := c.a.check(); err != nil {
		return err
	}
	for j, name := range n.GetOutput() {
		if name == "" {
			continue
		}
		if j >= len(outs) || outs[j] == nil {
			if b.uses[name] == 0 {
				continue
			}
			return fmt.Errorf("output %d (%q) is not supported", j, name)
		}
		b.vals[name] = outs[j]
		if outs[j].k == nil {
			b.valueRefs[outs[j].node]++
		}
	}
	return nil
}

// nodeBase picks a readable stem for engine node names.
func nodeBase(idx int, n *onnxpb.NodeProto) string {
	s := n.GetName()
	if s == "" && len(n.GetOutput()) > 0 {
		s = n.GetOutput()[0]
	}
	if s == "" {
		s = fmt.Sprintf("%s_%d", strings.ToLower(n.GetOpType()), idx)
	}
	return sanitize(s)
}

// sanitize keeps letters, digits, '_' and '-', so that parameter names
// "<node>.<param>" stay unambiguous.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// emit appends an engine node with a unique name derived from base.
func (b *builder) emit(base string, op nn.Op, at nn.Attrs, inputs ...string) string {
	name := base
	for i := 2; b.names[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	b.names[name] = true
	for _, in := range inputs {
		b.consumers[in]++
	}
	b.spec.Nodes = append(b.spec.Nodes, nn.Node{Name: name, Op: op, Inputs: inputs, Attrs: at})
	return name
}

// specNode returns the index of the engine node called name, or -1.
func (b *builder) specNode(name string) int {
	for i := len(b.spec.Nodes) - 1; i >= 0; i-- {
		if b.spec.Nodes[i].Name == name {
			return i
		}
	}
	return -1
}

// param stores parameter p of engine node node.
func (b *builder) param(node, p string, data []float32, shape ...int) {
	b.weights[node+"."+p] = &tensor.Tensor{Shape: shape, Data: data}
}

// countUses records how often each value is consumed.
func (b *builder) countUses(g *onnxpb.GraphProto) {
	for _, n := range g.GetNode() {
		for _, in := range n.GetInput() {
			b.uses[in]++
		}
	}
	for _, o := range g.GetOutput() {
		b.uses[o.GetName()]++
		b.outSet[o.GetName()] = true
	}
}

// addInputs creates constants for bound inputs and the engine input node for
// the single remaining graph input.
func (b *builder) addInputs(g *onnxpb.GraphProto) error {
	var dyn []*onnxpb.ValueInfoProto
	for _, in := range g.GetInput() {
		name := in.GetName()
		if _, ok := b.vals[name]; ok {
			continue // an initializer; ONNX IR < 4 lists these as inputs too
		}
		if t, ok := b.opt.Constants[name]; ok {
			k := &konst{dims: append([]int(nil), t.Shape...), data: make([]float64, len(t.Data))}
			for i, x := range t.Data {
				k.data[i] = float64(x)
			}
			b.vals[name] = &value{k: k}
			continue
		}
		dyn = append(dyn, in)
	}
	if len(dyn) != 1 {
		return fmt.Errorf("graph has %d non-constant inputs, the engine takes exactly one (bind the others with Options.Constants)", len(dyn))
	}
	in := dyn[0]
	tt := in.GetType().GetTensorType()
	if tt == nil || tt.GetElemType() != dtFloat {
		return fmt.Errorf("input %q: only float32 tensors are supported", in.GetName())
	}
	shape, err := inputShape(in.GetName(), tt.GetShape(), b.opt.InputShape)
	if err != nil {
		return err
	}
	v := &value{shape: shape, lay: layRaw}
	if len(shape) < 1 || len(shape) > 4 {
		return fmt.Errorf("input %q: rank %d is not supported", in.GetName(), len(shape))
	}
	if len(shape) == 4 && !b.transposedToNCHW(g, in.GetName(), 0) {
		v.lay = layNHWC
	}
	es := v.engineShape()
	engine := make([]int, 4-len(es), 4) // the engine's input is [N, H, W, C]
	for i := range engine {
		engine[i] = 1
	}
	engine = append(engine, es[1:]...)
	if n := prod(engine); n <= 0 || n > nn.MaxActivation {
		return fmt.Errorf("input %q: shape %v is over the limit of %d values per image", in.GetName(), publicShape(shape), nn.MaxActivation)
	}
	v.node = b.emit(sanitize(in.GetName()), nn.OpInput, nn.Attrs{Shape: engine})
	b.vals[in.GetName()] = v
	b.input = Port{Name: in.GetName(), Shape: publicShape(shape), Layout: layoutName(v.lay), engine: engine}
	return nil
}

// inputShape reads a declared input shape, with override replacing the
// dimensions after the batch.
func inputShape(name string, sp *onnxpb.TensorShapeProto, override []int) ([]int, error) {
	if sp == nil && override == nil {
		return nil, fmt.Errorf("input %q has no declared shape; set Options.InputShape", name)
	}
	var shape []int
	for i, d := range sp.GetDim() {
		v := int(d.GetDimValue())
		if _, ok := d.GetValue().(*onnxpb.TensorShapeProto_Dimension_DimValue); !ok || v <= 0 {
			v = 0
			if i == 0 {
				v = batchDim
			}
		}
		shape = append(shape, v)
	}
	if override != nil {
		if len(shape) == 0 {
			shape = []int{batchDim}
		}
		if len(override)+1 != len(shape) && len(sp.GetDim()) > 0 {
			return nil, fmt.Errorf("input %q: Options.InputShape %v does not fit rank %d", name, override, len(shape))
		}
		shape = append(shape[:1], override...)
	}
	for _, d := range shape[1:] {
		if d <= 0 {
			return nil, fmt.Errorf("input %q has symbolic dimensions %v; set Options.InputShape", name, shape)
		}
	}
	return shape, nil
}

// transposedToNCHW reports whether every path from the value name reaches a
// Transpose from NHWC to NCHW, possibly after elementwise ops with constants
// (input scaling), as in models converted from TensorFlow. Such an input is
// already in the engine's layout.
func (b *builder) transposedToNCHW(g *onnxpb.GraphProto, name string, depth int) bool {
	if b.outSet[name] || depth > 8 {
		return false
	}
	constant := func(in string) bool {
		if v, ok := b.vals[in]; ok && v.k != nil {
			return true
		}
		return slices.ContainsFunc(g.GetNode(), func(n *onnxpb.NodeProto) bool {
			return n.GetOpType() == "Constant" && slices.Contains(n.GetOutput(), in)
		})
	}
	found := false
	for _, n := range g.GetNode() {
		if !slices.Contains(n.GetInput(), name) {
			continue
		}
		switch n.GetOpType() {
		case "Transpose":
			if !slices.Equal(newAttrs(n).ints("perm", nil), []int{0, 3, 1, 2}) {
				return false
			}
		case "Sub", "Add", "Mul", "Div", "Cast", "Identity":
			for _, in := range n.GetInput() {
				if in != name && !constant(in) {
					return false
				}
			}
			if len(n.GetOutput()) != 1 || !b.transposedToNCHW(g, n.GetOutput()[0], depth+1) {
				return false
			}
		default:
			return false
		}
		found = true
	}
	return found
}

func layoutName(l layout) string {
	if l == layNHWC {
		return "nchw"
	}
	return "raw"
}

// addOutputs declares the graph outputs.
func (b *builder) addOutputs(g *onnxpb.GraphProto) error {
	for _, o := range g.GetOutput() {
		v, ok := b.vals[o.GetName()]
		if !ok {
			return fmt.Errorf("output %q is not computed", o.GetName())
		}
		if v.k != nil {
			return fmt.Errorf("output %q is a constant, nothing to compute", o.GetName())
		}
		v, err := b.settle(v, "output_"+sanitize(o.GetName()))
		if err != nil {
			return fmt.Errorf("output %q: %w", o.GetName(), err)
		}
		b.spec.Outputs = append(b.spec.Outputs, v.node)
		b.outputs = append(b.outputs, Port{Name: o.GetName(), Shape: publicShape(v.shape), Layout: layoutName(v.lay), engine: v.engineShape()[1:]})
	}
	return nil
}

// publicShape returns a copy of shape with a symbolic batch size as -1.
func publicShape(shape []int) []int {
	out := slices.Clone(shape)
	if len(out) > 0 && out[0] == batchDim {
		out[0] = -1
	}
	return out
}
