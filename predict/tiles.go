package predict

import (
	"errors"
	"fmt"

	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/infer"
)

// Why TileRules falls back to the whole-image rule.
var (
	// ErrNoTileRules: the bundle has no rule fitted on tiled scores.
	ErrNoTileRules = errors.New("the model has no thresholds fitted on tiles")
	// ErrTileGridMismatch: the bundle's tiled rule was fitted for another
	// grid or overlap.
	ErrTileGridMismatch = errors.New("the model's tile thresholds were fitted for another grid")
)

// TileRules returns the rule that decides scores max-pooled over the tiles
// of g: the bundle's tiled rule when it was fitted for g, and otherwise the
// whole-image rule with an error wrapping ErrNoTileRules or
// ErrTileGridMismatch that says why; either keeps of the label structure
// only what holds for a union of tiles, the implications. Thresholds fitted on whole images tend
// to be low for max-pooled scores: the largest of several tiles' scores
// runs higher than one whole image's.
func (p *Predictor) TileRules(g imageio.Grid) (*decide.Rules, error) {
	return tileRules(p.rules, p.tiled, g)
}

// TileRules is Predictor.TileRules for a bundle that Check accepts,
// without building its network.
func TileRules(b *bundle.Bundle, g imageio.Grid) (*decide.Rules, error) {
	return tileRules(Rules(b), b.Tiles, g)
}

// tileRules chooses between the whole-image rule and the tiled rule t for
// scores of the grid g, either with its structure pooled (see
// pooledRules).
func tileRules(whole *decide.Rules, t *decide.Tiled, g imageio.Grid) (*decide.Rules, error) {
	switch {
	case t == nil:
		return pooledRules(whole), fmt.Errorf("predict: %w; the whole-image thresholds decide", ErrNoTileRules)
	case t.Grid != g.N || t.Overlap != g.Overlap:
		fitted := imageio.Grid{N: t.Grid, Overlap: t.Overlap}
		return pooledRules(whole), fmt.Errorf("predict: %w: fitted for %v, scored with %v; the whole-image thresholds decide", ErrTileGridMismatch, fitted, g)
	}
	return pooledRules(t.Rules), nil
}

// pooledRules returns r for scores max-pooled over tiles, whose labels are
// the union of the tiles' labels. Of r's structure only the implications
// hold for a union (each tile decided A is decided B, so the image is);
// exclusive and at-most-one groups and exclusions hold tile by tile, not
// for the whole (a scene clear in one part and cloudy in another), and are
// left out. r itself is not changed.
func pooledRules(r *decide.Rules) *decide.Rules {
	s := r.Structure
	if s == nil || len(s.Exclusive)+len(s.AtMostOne)+len(s.Excludes) == 0 {
		return r
	}
	pooled := *r
	pooled.Structure = nil
	if len(s.Implies) > 0 {
		pooled.Structure = &decide.Structure{Implies: s.Implies}
	}
	return &pooled
}

// Tiled predicts a large image from its tiles cut by g: each label's score
// is the largest of its tiles' scores (max pooling over tiles, as in
// hypotheses-CNN-pooling), decided by TileRules(g); a segmenter's scores
// are its tiles' area fractions (see SegmentTiled).
func (p *Predictor) Tiled(name string, src imageio.Source, g imageio.Grid) (Prediction, error) {
	pooled, err := p.TiledScores(src, g)
	if err != nil {
		return Prediction{}, err
	}
	rules, _ := p.TileRules(g)
	return decideWith(rules, p.b.Labels, []string{name}, [][]float64{pooled})[0], nil
}

// TiledScores returns the scores of src's tiles cut by g, max-pooled per
// label (a segmenter's area fractions; at a fixed scale, those of the
// whole stitched image, see SegmentTiled). Each tile is read from src alone, reduced to a few times
// the network's input before it is resized (see imageio.Tiles).
func (p *Predictor) TiledScores(src imageio.Source, g imageio.Grid) ([]float64, error) {
	if p.Segmenter() {
		st, err := p.stitch(src, g)
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		return st.scores(), nil
	}
	xs, err := p.pre.TileInputs(src, g)
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	return p.poolTiles(xs)
}

// poolTiles scores the inputs of one image's tiles and max-pools them.
func (p *Predictor) poolTiles(xs [][]float32) ([]float64, error) {
	per, _, err := p.scoreArrays(xs)
	if err != nil {
		return nil, err
	}
	return infer.MaxPool(per), nil
}
