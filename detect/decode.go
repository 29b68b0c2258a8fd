package detect

import (
	"fmt"
	"math"

	"mlabel/darknet"
	"mlabel/infer"
	"mlabel/tensor"
)

// decode turns one head's raw output [1, H, W, A*(5+C)] into candidates
// whose score exceeds thresh, in fractions of the network input.
//
// For the anchor a of cell (row i, column j) with raw values tx, ty, tw, th,
// to and class scores tc:
//
//	x = (j + σ(tx)) / W,  y = (i + σ(ty)) / H
//	w = exp(tw)·anchorW / netW (yolo) or / W (region); h likewise
//	score_c = σ(to) · σ(tc) (yolo) or σ(to) · softmax(tc) (region)
func decode(out *tensor.Tensor, h darknet.Head, netW, netH int, thresh float64) ([]candidate, error) {
	per := 5 + h.Classes
	s := out.Shape
	if len(s) != 4 || s[0] != 1 || s[3] != len(h.Anchors)*per {
		return nil, fmt.Errorf("%s head of layer %d: output shape %v, want [1, H, W, %d]", h.Kind, h.Layer, s, len(h.Anchors)*per)
	}
	rows, cols := s[1], s[2]
	anchorW, anchorH := float64(netW), float64(netH)
	if h.Kind == "region" {
		anchorW, anchorH = float64(cols), float64(rows)
	}
	probs := make([]float64, h.Classes)
	var cands []candidate
	for i := range rows {
		for j := range cols {
			for a, anc := range h.Anchors {
				v := out.Data[((i*cols+j)*len(h.Anchors)+a)*per:][:per]
				obj := infer.Sigmoid(float64(v[4]))
				if obj <= thresh {
					continue
				}
				classProbs(v[5:], h.Softmax, probs)
				x := (float64(j) + infer.Sigmoid(float64(v[0]))) / float64(cols)
				y := (float64(i) + infer.Sigmoid(float64(v[1]))) / float64(rows)
				w := math.Exp(float64(v[2])) * anc[0] / anchorW
				hh := math.Exp(float64(v[3])) * anc[1] / anchorH
				for c, p := range probs {
					if sc := obj * p; sc > thresh {
						cands = append(cands, candidate{x: x, y: y, w: w, h: hh, class: c, score: sc})
					}
				}
			}
		}
	}
	return cands, nil
}

// classProbs writes the class probabilities of raw scores into dst: one
// sigmoid each, or a softmax over all of them.
func classProbs(raw []float32, softmax bool, dst []float64) {
	if !softmax {
		for k, r := range raw {
			dst[k] = infer.Sigmoid(float64(r))
		}
		return
	}
	m := math.Inf(-1)
	for _, r := range raw {
		m = math.Max(m, float64(r))
	}
	sum := 0.0
	for k, r := range raw {
		dst[k] = math.Exp(float64(r) - m)
		sum += dst[k]
	}
	for k := range dst {
		dst[k] /= sum
	}
}
