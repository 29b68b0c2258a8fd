package bundle

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"mlabel/imageio"
	"mlabel/nn"
)

// checkOutputs checks that a classifier's network gives one score per
// label, and a segmenter's one per pixel and label.
func (b *Bundle) checkOutputs(m *nn.Model) error {
	if b.Kind != KindClassifier && b.Kind != KindSegmenter {
		return nil
	}
	sh, err := m.OutputShape(0, 1)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	if b.Kind == KindSegmenter {
		in := m.InputShape()
		if len(sh) != 4 || sh[1] != in[0] || sh[2] != in[1] || sh[3] != len(b.Labels) {
			return fmt.Errorf("bundle: %w: the network's output has shape %v per batch, the bundle has %d labels for %d×%d images: a segmenter needs one score per pixel and label",
				ErrFormat, sh, len(b.Labels), in[1], in[0])
		}
		if b.Segment == nil || !(b.Segment.PixelThreshold > 0 && b.Segment.PixelThreshold < 1) {
			return fmt.Errorf("bundle: %w: a segmenter needs a pixel threshold within (0, 1)", ErrFormat)
		}
		if n := len(b.Segment.PixelThresholds); n > 0 && n != len(b.Labels) {
			return fmt.Errorf("bundle: %w: a segmenter has %d pixel thresholds for %d labels", ErrFormat, n, len(b.Labels))
		}
		for j, t := range b.Segment.PixelThresholds {
			if !(t > 0 && t < 1) {
				return fmt.Errorf("bundle: %w: the pixel threshold of label %d is %g, not within (0, 1)", ErrFormat, j+1, t)
			}
		}
		if s := b.Segment.Scale; s < 0 || s > maxSegmentScale {
			return fmt.Errorf("bundle: %w: a segmenter's scale %d is not within 0..%d", ErrFormat, s, maxSegmentScale)
		}
		return nil
	}
	n := 1
	for _, d := range sh[1:] {
		n *= d
	}
	if len(sh) < 2 || n != sh[len(sh)-1] || n != len(b.Labels) {
		return fmt.Errorf("bundle: %w: the network's output has shape %v per batch, the bundle has %d labels: a classifier needs one score per label",
			ErrFormat, sh, len(b.Labels))
	}
	return nil
}

// maxSegmentScale bounds a segmenter's scale: image pixels per network
// pixel along each axis.
const maxSegmentScale = 1024

// MaxNodes bounds the nodes of a bundle's network: the largest networks
// mlabel builds or imports have a few thousand.
const MaxNodes = 20000

// minStd is the smallest normalising standard deviation a bundle may
// hold: a smaller one scales pixels past what float32 sums keep.
const minStd = 1e-6

// checkConsistency checks, when a bundle is read, what its parts must agree
// on, before anything is built or allocated from them: the node count, the
// batch-norm epsilons, the weights' values (finite), the preprocessing's
// sizes (a size outside 0..imageio.MaxSize or a negative pixel limit would
// make preprocessing allocate without limit; 0, none recorded, passes for
// Preprocess.Validate to refuse where a size is needed), and for a classifier
// or segmenter its labels (none empty, none repeated), its normalisation
// (finite means, standard deviations of at least 1e-6) and its
// preprocessing size and channels against the network's input.
func (b *Bundle) checkConsistency() error {
	if n := len(b.Spec.Nodes); n > MaxNodes {
		return fmt.Errorf("bundle: %w: the network has %d nodes, over the limit of %d", ErrFormat, n, MaxNodes)
	}
	for _, n := range b.Spec.Nodes {
		if e := n.Attrs.Eps; e < 0 || math.IsNaN(e) || math.IsInf(e, 0) {
			return fmt.Errorf("bundle: %w: node %q has epsilon %g, want a positive number (or 0 for the default)", ErrFormat, n.Name, e)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(b.Weights)) {
		t := b.Weights[name]
		if t == nil {
			continue
		}
		for i, v := range t.Data {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("bundle: %w: weight %s holds %g at index %d: the model diverged or the file was crafted", ErrFormat, name, v, i)
			}
		}
	}
	if p := b.Preprocess; p.Size < 0 || p.Size > imageio.MaxSize {
		return fmt.Errorf("bundle: %w: preprocess size %d is outside 0..%d", ErrFormat, p.Size, imageio.MaxSize)
	}
	if p := b.Preprocess; p.MaxPixels < 0 {
		return fmt.Errorf("bundle: %w: negative preprocess max_pixels %d", ErrFormat, p.MaxPixels)
	}
	if b.Kind != KindClassifier && b.Kind != KindSegmenter {
		return nil
	}
	seen := make(map[string]bool, len(b.Labels))
	for i, l := range b.Labels {
		if strings.TrimSpace(l) == "" {
			return fmt.Errorf("bundle: %w: label %d is empty", ErrFormat, i)
		}
		if seen[l] {
			return fmt.Errorf("bundle: %w: label %q appears twice", ErrFormat, l)
		}
		seen[l] = true
	}
	p := b.Preprocess
	for c := range p.Std {
		if !finite32(p.Mean[c]) || !(p.Std[c] >= minStd) || !finite32(p.Std[c]) {
			return fmt.Errorf("bundle: %w: preprocess channel %d has mean %g and std %g: need finite values and std of at least %g", ErrFormat, c, p.Mean[c], p.Std[c], minStd)
		}
	}
	for i, s := range p.BandStats {
		if !finite32(s.Low) || !finite32(s.High) || !finite32(s.Mean) || !finite32(s.Std) || !(s.Std >= minStd) {
			return fmt.Errorf("bundle: %w: preprocess statistics of band %d: low %g, high %g, mean %g, std %g: need finite values and std of at least %g", ErrFormat, i+1, s.Low, s.High, s.Mean, s.Std, minStd)
		}
	}
	for _, n := range b.Spec.Nodes {
		if n.Op != nn.OpInput {
			continue
		}
		sh, channels := n.Attrs.Shape, 3
		if len(p.Bands) > 0 {
			channels = len(p.Bands)
		}
		if len(sh) == 3 && (sh[0] != p.Size || sh[1] != p.Size || sh[2] != channels) {
			return fmt.Errorf("bundle: %w: preprocess size %d with %d channels differs from the network's input %v (height, width, channels)", ErrFormat, p.Size, channels, sh)
		}
	}
	return nil
}

func finite32(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }
