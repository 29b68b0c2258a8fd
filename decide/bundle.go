package decide

import "mlabel/bundle"

// ToBundle returns r as a bundle stores it; nil for nil.
func (r *Rules) ToBundle() *bundle.Rules {
	if r == nil {
		return nil
	}
	out := &bundle.Rules{
		Kind: string(r.Kind), Objective: string(r.Objective), Beta: r.Beta, ZeroDivision: r.ZeroDivision,
		Labels: r.Labels, Names: r.Names, Global: r.Global, PerClass: r.PerClass,
		Shrunk: r.Shrunk, Positives: r.Positives, K: r.K, Prevalence: r.Prevalence,
		Calibration: r.Calibration.ToBundle(), Structure: r.Structure.toBundle(),
	}
	for _, iv := range r.Intervals {
		out.Intervals = append(out.Intervals, bundle.Interval(iv))
	}
	return out
}

// RulesFromBundle returns the rule a bundle stores; nil for nil. Check
// the result before applying it.
func RulesFromBundle(b *bundle.Rules) *Rules {
	if b == nil {
		return nil
	}
	r := &Rules{
		Kind: Kind(b.Kind), Objective: Objective(b.Objective), Beta: b.Beta, ZeroDivision: b.ZeroDivision,
		Labels: b.Labels, Names: b.Names, Global: b.Global, PerClass: b.PerClass,
		Shrunk: b.Shrunk, Positives: b.Positives, K: b.K, Prevalence: b.Prevalence,
		Calibration: CalibrationFromBundle(b.Calibration), Structure: structureFromBundle(b.Structure),
	}
	for _, iv := range b.Intervals {
		r.Intervals = append(r.Intervals, Interval(iv))
	}
	return r
}

// ToBundle returns c as a bundle stores it; nil for nil.
func (c *Calibration) ToBundle() *bundle.Calibration {
	if c == nil {
		return nil
	}
	return &bundle.Calibration{Method: string(c.Method), A: c.A, B: c.B}
}

// CalibrationFromBundle returns the calibration a bundle stores; nil for
// nil. Check the result before applying it.
func CalibrationFromBundle(b *bundle.Calibration) *Calibration {
	if b == nil {
		return nil
	}
	return &Calibration{Method: Method(b.Method), A: b.A, B: b.B}
}

// toBundle returns s as a bundle stores it; nil for nil.
func (s *Structure) toBundle() *bundle.Structure {
	if s == nil {
		return nil
	}
	out := &bundle.Structure{Exclusive: s.Exclusive, AtMostOne: s.AtMostOne}
	for _, e := range s.Excludes {
		out.Excludes = append(out.Excludes, bundle.Exclusion(e))
	}
	for _, im := range s.Implies {
		out.Implies = append(out.Implies, bundle.Implication(im))
	}
	return out
}

// structureFromBundle returns the label structure a bundle stores; nil for
// nil.
func structureFromBundle(b *bundle.Structure) *Structure {
	if b == nil {
		return nil
	}
	s := &Structure{Exclusive: b.Exclusive, AtMostOne: b.AtMostOne}
	for _, e := range b.Excludes {
		s.Excludes = append(s.Excludes, Exclusion(e))
	}
	for _, im := range b.Implies {
		s.Implies = append(s.Implies, Implication(im))
	}
	return s
}

// Tiled is a decision rule fitted on max-pooled tile scores: the scores of
// images cut into Grid×Grid tiles overlapping by Overlap of a tile's side,
// each label's score the largest of its tiles'. It is only valid for scores
// made with the same grid.
type Tiled struct {
	Grid    int
	Overlap float64
	Rules   *Rules
	// Images counts the validation images Rules was fitted on.
	Images int
}

// ToBundle returns t as a bundle stores it; nil for nil.
func (t *Tiled) ToBundle() *bundle.Tiles {
	if t == nil {
		return nil
	}
	return &bundle.Tiles{Grid: t.Grid, Overlap: t.Overlap, Rules: t.Rules.ToBundle(), Images: t.Images}
}

// TiledFromBundle returns the tiled rule a bundle stores; nil for nil.
func TiledFromBundle(b *bundle.Tiles) *Tiled {
	if b == nil {
		return nil
	}
	return &Tiled{Grid: b.Grid, Overlap: b.Overlap, Rules: RulesFromBundle(b.Rules), Images: b.Images}
}
