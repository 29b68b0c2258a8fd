package darknet

func (b *builder) yolo(i int, s *section) (layerOut, error) {
	if err := s.reject(map[string][]string{"scale_x_y": {"1", "1.0", "1.00"}, "new_coords": {"0"}}); err != nil {
		return layerOut{}, err
	}
	classes, err := s.integer("classes", 20)
	if err != nil {
		return layerOut{}, err
	}
	num, err := s.integer("num", 1)
	if err != nil {
		return layerOut{}, err
	}
	mask, err := s.ints("mask")
	if err != nil {
		return layerOut{}, err
	}
	if mask == nil {
		for k := range num {
			mask = append(mask, k)
		}
	}
	all, err := anchorPairs(s, num)
	if err != nil {
		return layerOut{}, err
	}
	var anchors [][2]float64
	for _, m := range mask {
		if m < 0 || m >= len(all) {
			return layerOut{}, s.errorf("mask", "anchor %d out of range [0, %d)", m, len(all))
		}
		anchors = append(anchors, all[m])
	}
	return b.head(i, s, Head{Kind: "yolo", Classes: classes, Anchors: anchors}, 4)
}

func (b *builder) region(i int, s *section) (layerOut, error) {
	if err := s.reject(map[string][]string{"tree": nil, "map": nil, "softmax_tree": nil}); err != nil {
		return layerOut{}, err
	}
	classes, err := s.integer("classes", 20)
	if err != nil {
		return layerOut{}, err
	}
	num, err := s.integer("num", 1)
	if err != nil {
		return layerOut{}, err
	}
	coords, err := s.integer("coords", 4)
	if err != nil {
		return layerOut{}, err
	}
	softmax, err := s.integer("softmax", 0)
	if err != nil {
		return layerOut{}, err
	}
	anchors, err := anchorPairs(s, num)
	if err != nil {
		return layerOut{}, err
	}
	return b.head(i, s, Head{Kind: "region", Classes: classes, Anchors: anchors, Softmax: softmax != 0}, coords)
}

// head records a detection head fed by the layer before layer i, after
// checking that its channels fit the anchors and classes.
func (b *builder) head(i int, s *section, h Head, coords int) (layerOut, error) {
	if coords != 4 {
		return layerOut{}, s.errorf("coords", "only 4 box coordinates are supported, got %d", coords)
	}
	if h.Classes <= 0 {
		return layerOut{}, s.errorf("classes", "classes must be positive, got %d", h.Classes)
	}
	in := b.prev(i)
	if want := len(h.Anchors) * (5 + h.Classes); in.c != want {
		return layerOut{}, s.errorf("", "input has %d channels, %d anchors of %d classes need %d", in.c, len(h.Anchors), h.Classes, want)
	}
	h.Layer, h.Output, h.GridH, h.GridW = i, in.node, in.h, in.w
	b.meta.Heads = append(b.meta.Heads, h)
	out := in
	out.head = true
	return out, nil
}

// anchorPairs reads the anchors option as num (width, height) pairs.
func anchorPairs(s *section, num int) ([][2]float64, error) {
	a, err := s.floats("anchors")
	if err != nil {
		return nil, err
	}
	if len(a) != 2*num {
		return nil, s.errorf("anchors", "%d values for num=%d anchors, want %d", len(a), num, 2*num)
	}
	out := make([][2]float64, num)
	for k := range out {
		out[k] = [2]float64{a[2*k], a[2*k+1]}
	}
	return out, nil
}
