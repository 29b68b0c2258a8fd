// Package cam computes class-activation maps (Zhou et al., 2016): for a
// network that ends in global average pooling and a dense layer, the map of
// label l is Σ_c W[c,l]·A[h,w,c] over the last feature map A. It shows where
// in the image the evidence for each label lies. Averaging a label's map over
// its positions and adding the dense bias gives exactly the label's logit.
package cam

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"

	xdraw "golang.org/x/image/draw"

	"mlabel/nn"
	"mlabel/tensor"
)

// Head is where a network's class-activation maps come from: the feature
// map that is globally average-pooled, and the dense layer over the pool.
type Head struct {
	Feature string // node whose output is the feature map [N,H,W,C]
	Dense   string // dense node producing the logits
}

// FindHead locates the global-average-pool and dense layers at the end of
// spec's first output (under the label groups' softmax, if any), allowing
// dropout between them.
func FindHead(spec *nn.Spec) (Head, error) {
	if len(spec.Outputs) == 0 {
		return Head{}, fmt.Errorf("cam: the network has no output")
	}
	n, ok := spec.Node(spec.Outputs[0])
	if ok && n.Op == nn.OpGroupSoftmax && len(n.Inputs) == 1 {
		// Label groups' softmax over the dense layer's logits: the maps
		// are of the dense layer's own logits.
		n, ok = spec.Node(n.Inputs[0])
	}
	if !ok || n.Op != nn.OpDense || len(n.Inputs) != 1 {
		return Head{}, fmt.Errorf("cam: the output is not a dense layer: class-activation maps need global average pooling and a dense head")
	}
	h := Head{Dense: n.Name}
	p, ok := spec.Node(n.Inputs[0])
	for ok && p.Op == nn.OpDropout && len(p.Inputs) == 1 {
		p, ok = spec.Node(p.Inputs[0])
	}
	if !ok || p.Op != nn.OpGlobalAvgPool || len(p.Inputs) != 1 {
		return Head{}, fmt.Errorf("cam: the dense head %q does not follow global average pooling", n.Name)
	}
	h.Feature = p.Inputs[0]
	return h, nil
}

// Maps runs m (in evaluation mode) on one preprocessed image x [1,H,W,C]
// and returns the logits and one map per label, each [h×w] in row order
// over the feature map's grid.
func Maps(m *nn.Model, h Head, x *tensor.Tensor) (logits []float32, maps [][]float32, gh, gw int, err error) {
	if len(x.Shape) != 4 || x.Shape[0] != 1 {
		return nil, nil, 0, 0, fmt.Errorf("cam: want one image [1,H,W,C], got %v", x.Shape)
	}
	out, err := m.Forward(x, false)
	if err != nil {
		return nil, nil, 0, 0, fmt.Errorf("cam: %w", err)
	}
	a := m.Activation(h.Feature)
	w := m.Param(h.Dense + ".weight")
	if a == nil || w == nil || len(a.Shape) != 4 {
		return nil, nil, 0, 0, fmt.Errorf("cam: no feature map %q or weights of %q", h.Feature, h.Dense)
	}
	gh, gw = a.Shape[1], a.Shape[2]
	c, l := a.Shape[3], w.Value.Shape[1]
	if w.Value.Shape[0] != c {
		return nil, nil, 0, 0, fmt.Errorf("cam: %q has %d inputs, the feature map %d channels", h.Dense, w.Value.Shape[0], c)
	}
	maps = make([][]float32, l)
	for j := range maps {
		maps[j] = make([]float32, gh*gw)
	}
	for p := 0; p < gh*gw; p++ {
		feat := a.Data[p*c : (p+1)*c]
		for ch, v := range feat {
			if v == 0 {
				continue
			}
			row := w.Value.Data[ch*l : (ch+1)*l]
			for j, wt := range row {
				maps[j][p] += v * wt
			}
		}
	}
	return append([]float32(nil), out.Data[:l]...), maps, gh, gw, nil
}

// Overlay blends a heat map of values (gh×gw, row order) over img: the map is
// scaled to the image, normalised so that its positive peak is hottest, and
// drawn with a blue-to-red colour scale at the given opacity.
func Overlay(img image.Image, values []float32, gh, gw int, opacity float64) (*image.RGBA, error) {
	var peak float32
	for _, v := range values {
		peak = max(peak, v)
	}
	return overlay(img, values, gh, gw, opacity, peak)
}

// overlay is Overlay with the value drawn hottest given: peak.
func overlay(img image.Image, values []float32, gh, gw int, opacity float64, peak float32) (*image.RGBA, error) {
	if len(values) != gh*gw || gh == 0 || gw == 0 {
		return nil, fmt.Errorf("cam: %d values for a %d×%d map", len(values), gh, gw)
	}
	heat := image.NewRGBA(image.Rect(0, 0, gw, gh))
	for i, v := range values {
		t := 0.0
		if peak > 0 && v > 0 {
			t = min(1, float64(v/peak))
		}
		heat.Set(i%gw, i/gw, colormap(t))
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	scaled := image.NewRGBA(out.Bounds())
	xdraw.BiLinear.Scale(scaled, scaled.Bounds(), heat, heat.Bounds(), draw.Src, nil)
	for i := 0; i < len(out.Pix); i += 4 {
		for k := 0; k < 3; k++ {
			out.Pix[i+k] = uint8(math.Round((1-opacity)*float64(out.Pix[i+k]) + opacity*float64(scaled.Pix[i+k])))
		}
	}
	return out, nil
}

// colormap maps t in [0,1] from blue through green and yellow to red.
func colormap(t float64) color.RGBA {
	t = math.Max(0, math.Min(1, t))
	r := math.Min(1, math.Max(0, 1.5-math.Abs(4*t-3)))
	g := math.Min(1, math.Max(0, 1.5-math.Abs(4*t-2)))
	bl := math.Min(1, math.Max(0, 1.5-math.Abs(4*t-1)))
	return color.RGBA{uint8(255 * r), uint8(255 * g), uint8(255 * bl), 255}
}
