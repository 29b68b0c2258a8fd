package audit

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"mlabel/decide"
	"mlabel/infer"
)

// Kind says how a given tag is suspected to be wrong.
type Kind string

const (
	// Missing is a tag that is absent although the model is confident it
	// is present.
	Missing Kind = "missing"
	// Spurious is a tag that is present although the model is confident it
	// is absent.
	Spurious Kind = "spurious"
)

// Issue is one (image, label) pair whose given tag is suspect.
type Issue struct {
	Image string `json:"image"`
	Label string `json:"label"`
	Kind  Kind   `json:"kind"`
	// Score orders the issues, higher is more suspicious, in (0, 1): the
	// label's calibrated probability of the other tag at the image's
	// out-of-fold probability (of the label being present for a missing
	// tag, absent for a spurious one). The calibration is the label's own
	// (Platt scaling of its known tags on its probabilities; see Find), so
	// a probability counts as much as the model has earned on that label:
	// on a label it separates poorly, or scores over-confidently, a
	// confident probability is common among correct tags too and weighs
	// little. Ties are ordered by |tag − probability|.
	Score float64 `json:"score"`
	// Prob is the out-of-fold probability of the label.
	Prob float64 `json:"probability"`
	// Rule, when set, is the label rule (declared, or proven by the tags)
	// that the image's given tags break, of which this pair is the
	// likeliest wrong tag; Score is then its chance of being the wrong one
	// given that the rule is broken.
	Rule string `json:"rule,omitempty"`
	// Row and Col index the image and the label in the scored set.
	Row int `json:"-"`
	Col int `json:"-"`
}

// LabelStats are one label's confident-learning figures.
type LabelStats struct {
	Label string `json:"label"`
	// Known is the number of images whose tag for the label is known.
	Known int `json:"known"`
	// Tagged is the number of those tagged with it.
	Tagged int `json:"tagged"`
	// Present is the confident threshold of the label being present: the
	// mean out-of-fold probability over the images that carry it; NaN when
	// none does.
	Present float64 `json:"present_threshold"`
	// Absent is the threshold of the label being absent: the mean
	// out-of-fold probability over the known images that lack it (an image
	// at or below it is confidently without the label); NaN when every
	// image carries it.
	Absent float64 `json:"absent_threshold"`
	// Missing and Spurious count the flagged pairs of each kind.
	Missing  int `json:"missing"`
	Spurious int `json:"spurious"`
	// NoiseRate is the estimated fraction of the known images whose tag
	// for the label is wrong: the off-diagonal mass of the calibrated
	// confident joint. It counts every flagged pair and more (the joint's
	// rows are scaled up to the label's counts), so it bounds the label's
	// errors from above; ExpectedErrors is the count to act on.
	NoiseRate float64 `json:"noise_rate"`
	// ExpectedErrors is the expected number of wrong tags among the
	// label's flagged pairs: the sum of the chances that each tag is wrong,
	// the odds of its Score times the prior odds of a wrong tag, the set's
	// noise rate (the labels' rates pooled over their known tags). The
	// prior is shared because a label's own rate is inflated where its
	// model separates it poorly. A pair that breaks a declared rule counts
	// its chance of being the wrong one given that the rule is broken.
	ExpectedErrors float64 `json:"expected_errors"`
}

// Findings are the suspect tags of a scored set, most suspicious first,
// and each label's figures.
type Findings struct {
	Issues []Issue            `json:"issues"`
	Labels []LabelStats       `json:"-"`
	Noise  map[string]float64 `json:"noise_rate"`
	// Discovered holds the proven rules of a structure found in the tags
	// (see Discover) when the audit judged the tags by one, with the
	// images that break each; Find leaves it empty for its caller to fill.
	Discovered []decide.Found `json:"discovered_rules,omitempty"`
	// Tendencies holds the rules found in the tags that real images break
	// (see Discover), shown only: no tag is flagged for breaking one. Find
	// leaves it empty for its caller to fill.
	Tendencies []decide.Found `json:"tendencies,omitempty"`
}

// Find applies confident learning to out-of-fold probabilities s (with the
// given tags as its truth and the unknown tags masked). Each label is a
// binary problem: a pair whose tag is absent is flagged missing when its
// probability reaches the mean probability of the images that carry the
// label; a pair whose tag is present is flagged spurious when its
// probability is at or below the mean probability of the images that lack
// it. Unknown tags are never flagged. Each label's noise rate is estimated
// from the confident joint of given and confidently true tags, calibrated
// so that each given row sums to its count.
//
// With a label structure st (nil for none), tags that break one of its
// rules are certain evidence that a tag is wrong, whatever the
// probabilities: an exclusive group with no tag or several, an at-most-one
// group or an exclusion with several, an implication's If without its
// Then. For each broken rule the pairs that must change are flagged (the
// group's tags but the likeliest, its likeliest label when it has none, or
// whichever of If and Then the probabilities doubt more), and they are
// listed first, by their chance of being the wrong one given that the rule
// is broken. A rule an unknown tag could satisfy is not broken.
//
// The other flagged pairs of all labels are ranked together by Issue.Score, the
// label's calibrated probability of the other tag: a wrong tag is taken to
// be as likely on any pair, whatever its value, so the odds that a tag is
// wrong are the prior odds times the calibrated odds of the other tag.
// Each label is calibrated by Platt scaling of its given tags on its
// out-of-fold probabilities. Ranking by the raw |tag − probability| instead
// puts the model's confident mistakes on labels it scores over-confidently
// ahead of clear errors on the labels it knows.
func Find(s infer.Set, st *decide.Structure) (*Findings, error) {
	if err := check(s); err != nil {
		return nil, err
	}
	rs, err := rules(st, s.Labels)
	if err != nil {
		return nil, err
	}
	cal, err := decide.FitCalibration(s, decide.Platt)
	if err != nil {
		return nil, fmt.Errorf("audit: calibrating the labels: %w", err)
	}
	q := cal.Apply(s.Scores)
	nl := s.NumLabels()
	f := &Findings{Issues: []Issue{}, Noise: map[string]float64{}}
	var wrong, known float64
	for j := range nl {
		st := labelStats(s, j)
		st.NoiseRate = noiseRate(s, j, st)
		wrong += st.NoiseRate * float64(st.Known)
		known += float64(st.Known)
		f.Labels = append(f.Labels, st)
		f.Noise[st.Label] = st.NoiseRate
	}
	prior := 0.0
	if known > 0 {
		prior = wrong / known
	}
	broken := violations(s, q, rs)
	inRule := map[[2]int]bool{}
	for _, is := range broken {
		inRule[[2]int{is.Row, is.Col}] = true
		st := &f.Labels[is.Col]
		if is.Kind == Missing {
			st.Missing++
		} else {
			st.Spurious++
		}
		st.ExpectedErrors += is.Score
	}
	for j := range nl {
		st := &f.Labels[j]
		for i := range s.Scores {
			if !s.Known(i, j) || inRule[[2]int{i, j}] {
				continue
			}
			p := s.Scores[i][j]
			var kind Kind
			switch {
			case s.Truth[i][j] == 0 && !math.IsNaN(st.Present) && p >= st.Present:
				kind = Missing
				st.Missing++
			case s.Truth[i][j] == 1 && !math.IsNaN(st.Absent) && p <= st.Absent:
				kind = Spurious
				st.Spurious++
			default:
				continue
			}
			other := q[i][j]
			if kind == Spurious {
				other = 1 - other
			}
			f.Issues = append(f.Issues, Issue{Kind: kind, Score: other, Prob: p, Row: i, Col: j})
			st.ExpectedErrors += withPrior(other, prior)
		}
	}
	f.Issues = name(s, append(sortIssues(broken, s), sortIssues(f.Issues, s)...))
	return f, nil
}

// withPrior returns the chance that a tag is wrong from its Score, the
// chance at even prior odds, and the prior rate of wrong tags: the odds of
// the score times the prior odds.
func withPrior(score, rate float64) float64 {
	switch {
	case rate <= 0:
		return 0
	case rate >= 1:
		return 1
	}
	return score * rate / (score*rate + (1-score)*(1-rate))
}

// Likely returns the flagged pairs worth correcting, most suspicious
// first: for each label, its ExpectedErrors (rounded) most suspicious
// pairs. Every flagged pair is a candidate, but most are the model's own
// mistakes where it separates a label poorly; marking all of them unknown
// would throw away many good tags to catch a few wrong ones.
func (f *Findings) Likely() []Issue {
	keep := make(map[string]int, len(f.Labels))
	for _, st := range f.Labels {
		keep[st.Label] = int(math.Round(st.ExpectedErrors))
	}
	out := []Issue{}
	for _, is := range f.Issues {
		if keep[is.Label] > 0 {
			keep[is.Label]--
			out = append(out, is)
		}
	}
	return out
}

// Baseline ranks every known pair by |tag − probability|, most suspicious
// first, the simple ranking confident learning is measured against. A pair
// is missing when its tag is absent and spurious when present.
func Baseline(s infer.Set) ([]Issue, error) {
	if err := check(s); err != nil {
		return nil, err
	}
	var out []Issue
	for i, row := range s.Scores {
		for j, p := range row {
			if !s.Known(i, j) {
				continue
			}
			is := Issue{Kind: Missing, Score: p, Prob: p, Row: i, Col: j}
			if s.Truth[i][j] == 1 {
				is.Kind, is.Score = Spurious, 1-p
			}
			out = append(out, is)
		}
	}
	return name(s, sortIssues(out, s)), nil
}

// check rejects a set that cannot be audited.
func check(s infer.Set) error {
	if s.Len() == 0 {
		return fmt.Errorf("audit: no scored images")
	}
	nl := s.NumLabels()
	if len(s.Labels) != nl {
		return fmt.Errorf("audit: %d label names for %d score columns", len(s.Labels), nl)
	}
	if len(s.Names) != s.Len() || len(s.Truth) != s.Len() || (s.Mask != nil && len(s.Mask) != s.Len()) {
		return fmt.Errorf("audit: %d images, %d names, %d truth rows", s.Len(), len(s.Names), len(s.Truth))
	}
	for i, row := range s.Scores {
		if len(row) != nl || len(s.Truth[i]) != nl || (s.Mask != nil && len(s.Mask[i]) != nl) {
			return fmt.Errorf("audit: image %d has a row of another length", i)
		}
		for _, p := range row {
			if !(p >= 0 && p <= 1) {
				return fmt.Errorf("audit: image %d has a probability %v outside [0, 1]", i, p)
			}
		}
	}
	return nil
}

// labelStats returns label j's counts and confident thresholds.
func labelStats(s infer.Set, j int) LabelStats {
	st := LabelStats{Label: s.Labels[j]}
	var sumPos, sumNeg float64
	for i := range s.Scores {
		if !s.Known(i, j) {
			continue
		}
		st.Known++
		if s.Truth[i][j] == 1 {
			st.Tagged++
			sumPos += s.Scores[i][j]
		} else {
			sumNeg += s.Scores[i][j]
		}
	}
	st.Present, st.Absent = math.NaN(), math.NaN()
	if st.Tagged > 0 {
		st.Present = sumPos / float64(st.Tagged)
	}
	if st.Known > st.Tagged {
		st.Absent = sumNeg / float64(st.Known-st.Tagged)
	}
	return st
}

// noiseRate estimates the fraction of label j's known tags that are wrong
// from the confident joint C[given][true]: each pair counts where its
// probability is confidently on one side (on both, which happens only when
// the model cannot separate the label, the side it lies further into), each
// given row is scaled to
// the number of pairs given that tag, and the off-diagonal mass is divided
// by the number of known pairs.
func noiseRate(s infer.Set, j int, st LabelStats) float64 {
	if st.Known == 0 {
		return 0
	}
	var c [2][2]float64
	for i := range s.Scores {
		if !s.Known(i, j) {
			continue
		}
		p, g := s.Scores[i][j], int(s.Truth[i][j])
		pos := !math.IsNaN(st.Present) && p >= st.Present
		neg := !math.IsNaN(st.Absent) && p <= st.Absent
		switch {
		case pos && neg:
			if p-st.Present >= st.Absent-p {
				c[g][1]++
			} else {
				c[g][0]++
			}
		case pos:
			c[g][1]++
		case neg:
			c[g][0]++
		}
	}
	given := [2]float64{float64(st.Known - st.Tagged), float64(st.Tagged)}
	off := 0.0
	for g := range 2 {
		if row := c[g][0] + c[g][1]; row > 0 {
			off += c[g][1-g] * given[g] / row
		}
	}
	return off / float64(st.Known)
}

// sortIssues orders issues by score, highest first, then by the distance
// |tag − probability| of their pairs in s, then by image and label.
func sortIssues(is []Issue, s infer.Set) []Issue {
	dist := func(x Issue) float64 { return math.Abs(s.Truth[x.Row][x.Col] - x.Prob) }
	slices.SortStableFunc(is, func(a, b Issue) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(dist(b), dist(a)), cmp.Compare(a.Row, b.Row), cmp.Compare(a.Col, b.Col))
	})
	return is
}

// name fills in the image and label names of issues.
func name(s infer.Set, is []Issue) []Issue {
	for k := range is {
		is[k].Image, is[k].Label = s.Names[is[k].Row], s.Labels[is[k].Col]
	}
	return is
}
