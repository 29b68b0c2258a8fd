package darknet

import (
	"fmt"

	"mlabel/nn"
)

func (b *builder) maxpool(i int, s *section) (layerOut, error) {
	if err := s.reject(map[string][]string{"stride_x": nil, "stride_y": nil, "maxpool_depth": {"0"}, "antialiasing": {"0"}}); err != nil {
		return layerOut{}, err
	}
	stride, err := s.integer("stride", 1)
	if err != nil {
		return layerOut{}, err
	}
	size, err := s.integer("size", stride)
	if err != nil {
		return layerOut{}, err
	}
	// Darknet pads by size-1 in total by default, half before (rounded
	// down) and the rest after; padded positions never win the max.
	padding, err := s.integer("padding", size-1)
	if err != nil {
		return layerOut{}, err
	}
	if size <= 0 || stride <= 0 || padding < 0 {
		return layerOut{}, s.errorf("", "size %d, stride %d and padding %d must be positive", size, stride, padding)
	}
	before, after := padding/2, padding-padding/2
	if after > size/2 {
		return layerOut{}, s.errorf("padding", "padding %d is too large for size %d", padding, size)
	}
	in := b.prev(i)
	out := layerOut{node: fmt.Sprintf("maxpool_%d", i), c: in.c,
		h: (in.h+padding-size)/stride + 1, w: (in.w+padding-size)/stride + 1}
	if out.h <= 0 || out.w <= 0 {
		return layerOut{}, s.errorf("size", "size %d does not fit the %dx%d input", size, in.h, in.w)
	}
	b.add(nn.Node{Name: out.node, Op: nn.OpMaxPool, Inputs: []string{in.node}, Attrs: nn.Attrs{
		Kernel: [2]int{size, size}, Stride: [2]int{stride, stride}, Pad: [4]int{before, before, after, after}}})
	return out, nil
}

func (b *builder) route(i int, s *section) (layerOut, error) {
	if err := s.reject(map[string][]string{"groups": {"1"}, "group_id": {"0"}}); err != nil {
		return layerOut{}, err
	}
	refs, err := s.ints("layers")
	if err != nil {
		return layerOut{}, err
	}
	if len(refs) == 0 {
		return layerOut{}, s.errorf("layers", "route needs at least one layer")
	}
	var ins []layerOut
	for _, r := range refs {
		o, err := b.ref(i, r, s, "layers")
		if err != nil {
			return layerOut{}, err
		}
		ins = append(ins, o)
	}
	if len(ins) == 1 {
		return ins[0], nil // a route to one layer only forwards its output
	}
	out := layerOut{node: fmt.Sprintf("route_%d", i), h: ins[0].h, w: ins[0].w}
	var names []string
	for _, o := range ins {
		if o.h != out.h || o.w != out.w {
			return layerOut{}, s.errorf("layers", "cannot concatenate %dx%d and %dx%d outputs", out.h, out.w, o.h, o.w)
		}
		out.c += o.c
		names = append(names, o.node)
	}
	b.add(nn.Node{Name: out.node, Op: nn.OpConcat, Inputs: names})
	return out, nil
}

func (b *builder) shortcut(i int, s *section) (layerOut, error) {
	if err := s.reject(map[string][]string{"weights_type": {"none"}, "weights_normalization": {"none"}}); err != nil {
		return layerOut{}, err
	}
	from, err := s.ints("from")
	if err != nil {
		return layerOut{}, err
	}
	if len(from) != 1 {
		return layerOut{}, s.errorf("from", "shortcut needs exactly one layer, got %v", from)
	}
	src, err := b.ref(i, from[0], s, "from")
	if err != nil {
		return layerOut{}, err
	}
	act, alpha, err := activation(s, "linear")
	if err != nil {
		return layerOut{}, err
	}
	in := b.prev(i)
	if in.h != src.h || in.w != src.w || in.c != src.c {
		return layerOut{}, s.errorf("from", "shapes %dx%dx%d and %dx%dx%d differ", in.h, in.w, in.c, src.h, src.w, src.c)
	}
	out := in
	out.node = fmt.Sprintf("add_%d", i)
	b.add(nn.Node{Name: out.node, Op: nn.OpAdd, Inputs: []string{in.node, src.node}, Attrs: nn.Attrs{Act: act, Alpha: alpha}})
	return out, nil
}

func (b *builder) upsample(i int, s *section) (layerOut, error) {
	if err := s.reject(map[string][]string{"scale": {"1", "1.0"}}); err != nil {
		return layerOut{}, err
	}
	stride, err := s.integer("stride", 2)
	if err != nil {
		return layerOut{}, err
	}
	if stride < 1 {
		return layerOut{}, s.errorf("stride", "only upsampling by a positive integer is supported, got %d", stride)
	}
	in := b.prev(i)
	out := layerOut{node: fmt.Sprintf("upsample_%d", i), h: in.h * stride, w: in.w * stride, c: in.c}
	b.add(nn.Node{Name: out.node, Op: nn.OpUpsample, Inputs: []string{in.node}, Attrs: nn.Attrs{Scale: stride}})
	return out, nil
}
