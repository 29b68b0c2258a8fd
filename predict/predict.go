// Package predict turns a classifier bundle's scores into decisions: the
// labels whose probability reaches the bundle's fitted thresholds. A
// segmenter's scores are its labels' area fractions, decided the same way,
// and its per-pixel masks come with them. It also
// runs a bundle on images held in memory, safely from many goroutines, for
// the HTTP server.
package predict

import (
	"errors"
	"fmt"
	"sync"

	"mlabel/bundle"
	"mlabel/cam"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/nn"
)

// Label is one predicted label of an image. Threshold is -1 when the rule
// has no fixed threshold (top-k, prevalence cut).
type Label struct {
	Label     string  `json:"label"`
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
}

// Prediction is the output for one image: the predicted labels, and every
// label's probability.
type Prediction struct {
	Image  string             `json:"image"`
	Labels []Label            `json:"labels"`
	Scores map[string]float64 `json:"scores"`
}

// Rules returns a copy of the bundle's decision rule, or a fixed 0.5
// threshold when it has none.
func Rules(b *bundle.Bundle) *decide.Rules {
	if b.Rules != nil {
		r := *b.Rules
		return &r
	}
	return &decide.Rules{Kind: decide.Fixed, Labels: len(b.Labels), Global: 0.5}
}

// Decide applies the bundle's decision rule to scores ([image][label]).
func Decide(b *bundle.Bundle, names []string, scores [][]float64) []Prediction {
	return decideWith(Rules(b), b.Labels, names, scores)
}

// decideWith applies rules to scores ([image][label]) of the labels.
func decideWith(rules *decide.Rules, labels, names []string, scores [][]float64) []Prediction {
	dec := rules.Apply(scores)
	thr := rules.Thresholds()
	preds := make([]Prediction, len(names))
	for i, name := range names {
		p := Prediction{Image: name, Scores: map[string]float64{}, Labels: []Label{}}
		for j, l := range labels {
			p.Scores[l] = scores[i][j]
			if dec[i][j] {
				ls := Label{Label: l, Score: scores[i][j], Threshold: -1}
				if j < len(thr) {
					ls.Threshold = thr[j]
				}
				p.Labels = append(p.Labels, ls)
			}
		}
		preds[i] = p
	}
	return preds
}

// Predictor runs a classifier bundle on decoded images. It is safe for
// concurrent use, and concurrent predictions run in parallel, each on a
// workspace of the network of its own.
type Predictor struct {
	b     *bundle.Bundle
	pre   imageio.Preprocess // the bundle's preprocessing
	rules *decide.Rules      // the bundle's decision rule, checked
	tiled *decide.Tiled      // the bundle's rule for tiled scores, checked; nil: none
	m     *nn.Model          // the network's graph and weights, run through pool
	// mu guards the settings below: predictions hold it for reading,
	// SetTTA and KeepFeatures for writing.
	mu   sync.RWMutex
	pool *nn.Pool
	tta  []int // the dihedral transforms averaged over; nil: none
	// th is a segmenter's pixel threshold of each label.
	th []float64
	// feat is the pooled node whose output scoreArrays keeps; empty: none.
	feat string
	cam  camNet // the network of Maps
}

// ErrNotClassifier is wrapped by Check's error for a bundle of another kind
// (a backbone or a detector).
var ErrNotClassifier = errors.New("not a classifier")

// Check reports whether b is a classifier that can predict: it has labels,
// and its decision rule fits them.
func Check(b *bundle.Bundle) error {
	if b.Kind != bundle.KindClassifier && b.Kind != bundle.KindSegmenter {
		return fmt.Errorf("predict: a %s bundle is %w", b.Kind, ErrNotClassifier)
	}
	if b.Kind == bundle.KindSegmenter && (b.Segment == nil || !(b.Segment.PixelThreshold > 0 && b.Segment.PixelThreshold < 1)) {
		return fmt.Errorf("predict: the segmenter has no pixel threshold within (0, 1)")
	}
	if b.Kind == bundle.KindSegmenter {
		if n := len(b.Segment.PixelThresholds); n > 0 && n != len(b.Labels) {
			return fmt.Errorf("predict: the segmenter has %d pixel thresholds for %d labels", n, len(b.Labels))
		}
		for _, t := range b.Segment.PixelThresholds {
			if !(t > 0 && t < 1) {
				return fmt.Errorf("predict: the segmenter has a pixel threshold %g, not within (0, 1)", t)
			}
		}
		if b.Segment.Scale < 0 {
			return fmt.Errorf("predict: the segmenter's scale %d is negative", b.Segment.Scale)
		}
	}
	if len(b.Labels) == 0 {
		return fmt.Errorf("predict: the bundle has no label vocabulary")
	}
	if b.Rules != nil {
		if err := Rules(b).Check(len(b.Labels)); err != nil {
			return fmt.Errorf("predict: decision rules: %w", err)
		}
	}
	pre := b.Preprocess
	if in, ok := specInput(b); ok && len(in.Attrs.Shape) == 3 && in.Attrs.Shape[2] != pre.Channels() {
		return fmt.Errorf("predict: the preprocessing makes %d channels but the network takes %d", pre.Channels(), in.Attrs.Shape[2])
	}
	if t := b.Tiles; t != nil {
		if err := (imageio.Grid{N: t.Grid, Overlap: t.Overlap}).Check(); err != nil {
			return fmt.Errorf("predict: tile decision rules: %w", err)
		}
		if t.Rules == nil {
			return fmt.Errorf("predict: tile decision rules: the bundle's tiles section has no rules")
		}
		if err := t.Rules.Check(len(b.Labels)); err != nil {
			return fmt.Errorf("predict: tile decision rules: %w", err)
		}
	}
	return nil
}

// Open loads the bundle at path and prepares its inference network once:
// the runtime handle of a program that predicts, and of one that draws
// class-activation maps (Maps). The bundle must be a classifier or a
// segmenter (see Check); an error that is not the file's own names path.
func Open(path string) (*Predictor, error) {
	b, err := bundle.Load(path)
	if err != nil {
		return nil, err
	}
	p, err := New(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// Read is Open for a bundle's bytes already in memory, such as a bundle
// fetched from object storage; name names it in errors.
func Read(name string, data []byte) (*Predictor, error) {
	b, err := bundle.Read(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p, err := New(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

// New prepares the bundle's inference network.
func New(b *bundle.Bundle) (*Predictor, error) {
	if err := Check(b); err != nil {
		return nil, err
	}
	m, err := b.InferenceModel()
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	p := &Predictor{b: b, pre: b.Preprocess, rules: Rules(b), tiled: b.Tiles, m: m, pool: nn.NewPool(m, 0)}
	p.cam.head, p.cam.headErr = cam.FindHead(b.Spec)
	if b.Kind == bundle.KindSegmenter {
		p.th = b.Segment.Thresholds(len(b.Labels))
	}
	return p, nil
}

// Bundle returns the predictor's bundle.
func (p *Predictor) Bundle() *bundle.Bundle { return p.b }

// Preprocess returns how the predictor turns images into network inputs.
func (p *Predictor) Preprocess() imageio.Preprocess { return p.pre }

// Rules returns the predictor's decision rule.
func (p *Predictor) Rules() *decide.Rules { return p.rules }

// Bytes predicts the labels of the image files held in data, named by
// names, each read as the network was trained to see it
// (imageio.Preprocess.Input).
func (p *Predictor) Bytes(names []string, data [][]byte) ([]Prediction, error) {
	if len(names) != len(data) {
		return nil, fmt.Errorf("predict: %d names for %d images", len(names), len(data))
	}
	xs := make([][]float32, len(data))
	for i := range data {
		x, err := p.pre.Input(names[i], data[i])
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		xs[i] = x
	}
	return p.Inputs(names, xs)
}

// Inputs predicts the labels of images already preprocessed into network
// inputs (imageio.Preprocess.Input), named by names.
func (p *Predictor) Inputs(names []string, xs [][]float32) ([]Prediction, error) {
	if len(names) != len(xs) {
		return nil, fmt.Errorf("predict: %d names for %d images", len(names), len(xs))
	}
	if len(xs) == 0 {
		return nil, nil
	}
	scores, _, err := p.scoreArrays(xs)
	if err != nil {
		return nil, err
	}
	return decideWith(p.rules, p.b.Labels, names, scores), nil
}

// specInput returns the input node of b's network, if it has one.
func specInput(b *bundle.Bundle) (nn.Node, bool) {
	if b.Spec == nil {
		return nn.Node{}, false
	}
	return b.Spec.InputNode()
}
