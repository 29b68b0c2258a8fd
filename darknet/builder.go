package darknet

import (
	"fmt"

	"mlabel/nn"
	"mlabel/tensor"
)

// builder turns cfg sections into spec nodes, reading weights as it goes.
type builder struct {
	spec    *nn.Spec
	weights map[string]*tensor.Tensor // nil when reading the cfg alone
	w       *weightsReader            // nil when reading the cfg alone
	meta    *Meta
	outs    []layerOut // per Darknet layer
}

// layerOut is where a Darknet layer's output lives in the spec.
type layerOut struct {
	node    string
	h, w, c int
	head    bool // a [yolo] or [region] layer, whose output cannot be reused
}

// inputNode is the name of the spec's input node.
const inputNode = "input"

func (b *builder) build(secs []*section) error {
	if len(secs) == 0 || (secs[0].typ != "net" && secs[0].typ != "network") {
		return fmt.Errorf("cfg must start with a [net] section")
	}
	if err := b.net(secs[0]); err != nil {
		return err
	}
	for i, s := range secs[1:] {
		out, err := b.layer(i, s)
		if err != nil {
			return err
		}
		b.outs = append(b.outs, out)
		b.meta.Layers = append(b.meta.Layers, out.node)
	}
	if len(b.outs) == 0 {
		return fmt.Errorf("cfg has no layers")
	}
	for _, h := range b.meta.Heads {
		b.spec.Outputs = append(b.spec.Outputs, h.Output)
	}
	if len(b.spec.Outputs) == 0 {
		b.spec.Outputs = []string{b.outs[len(b.outs)-1].node}
	}
	return nil
}

func (b *builder) net(s *section) error {
	m := b.meta
	var err error
	if m.Width, err = s.integer("width", 0); err != nil {
		return err
	}
	if m.Height, err = s.integer("height", 0); err != nil {
		return err
	}
	if m.Channels, err = s.integer("channels", 0); err != nil {
		return err
	}
	if m.Width <= 0 || m.Height <= 0 || m.Channels <= 0 {
		return s.errorf("", "width, height and channels must be positive, got %d, %d, %d", m.Width, m.Height, m.Channels)
	}
	b.add(nn.Node{Name: inputNode, Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{m.Height, m.Width, m.Channels}}})
	return nil
}

func (b *builder) layer(i int, s *section) (layerOut, error) {
	switch s.typ {
	case "convolutional", "conv":
		return b.conv(i, s)
	case "maxpool", "max":
		return b.maxpool(i, s)
	case "route":
		return b.route(i, s)
	case "shortcut":
		return b.shortcut(i, s)
	case "upsample":
		return b.upsample(i, s)
	case "yolo":
		return b.yolo(i, s)
	case "region":
		return b.region(i, s)
	}
	return layerOut{}, fmt.Errorf("%s: unsupported layer type %q", s.where(), s.typ)
}

func (b *builder) add(n nn.Node) {
	b.spec.Nodes = append(b.spec.Nodes, n)
}

// prev returns the output of the layer before layer i (the input for i=0).
func (b *builder) prev(i int) layerOut {
	if i == 0 {
		m := b.meta
		return layerOut{node: inputNode, h: m.Height, w: m.Width, c: m.Channels}
	}
	return b.outs[i-1]
}

// ref resolves a layer reference of layer i (negative: relative) into the
// output of an earlier layer.
func (b *builder) ref(i, r int, s *section, key string) (layerOut, error) {
	j := r
	if r < 0 {
		j = i + r
	}
	if j < 0 || j >= i {
		return layerOut{}, s.errorf(key, "layer %d refers to layer %d, which is not an earlier layer", i, r)
	}
	if b.outs[j].head {
		return layerOut{}, s.errorf(key, "layer %d refers to detection layer %d, whose decoded output is not supported as an input", i, j)
	}
	return b.outs[j], nil
}

// activation maps a Darknet activation onto an engine op and its slope;
// "" means linear. def is the section type's default activation.
func activation(s *section, def string) (nn.Op, float64, error) {
	switch a := s.str("activation", def); a {
	case "linear":
		return "", 0, nil
	case "leaky":
		return nn.OpLeakyReLU, 0.1, nil
	case "relu":
		return nn.OpReLU, 0, nil
	case "logistic":
		return nn.OpSigmoid, 0, nil
	case "swish":
		return nn.OpSiLU, 0, nil
	default:
		return "", 0, s.errorf("activation", "unsupported activation %q", a)
	}
}
