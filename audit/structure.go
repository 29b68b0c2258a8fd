package audit

import (
	"fmt"
	"slices"
	"strings"

	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/infer"
)

// rule is one constraint of a label structure with label indices, and how
// an image's given tags break it.
type rule struct {
	text string
	// cols are the labels the rule involves.
	cols []int
	// broken returns the pairs that must change for tags (the given tags
	// of cols, in order; unknown tags never count as broken) to obey the
	// rule, each with its chance of being the wrong one given that the rule
	// is broken, from odds, the calibrated odds of each label being
	// present. It returns nothing when the rule holds or an unknown tag
	// could make it hold.
	broken func(tags []float64, odds []float64) []brokenPair
}

// brokenPair is one of rule.cols whose tag must change, as a position in
// cols, and its chance of being the wrong one.
type brokenPair struct {
	at     int
	chance float64
}

// rules turns a label structure into rules over labels; nil gives none.
func rules(st *decide.Structure, labels []string) ([]rule, error) {
	if st.Empty() {
		return nil, nil
	}
	if err := st.Check(labels); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	cols := func(names []string) []int {
		out := make([]int, len(names))
		for k, n := range names {
			out[k] = slices.Index(labels, n)
		}
		return out
	}
	var out []rule
	for _, g := range st.Exclusive {
		out = append(out, rule{text: "exactly one of " + strings.Join(g, ", "), cols: cols(g), broken: oneOf(false)})
	}
	for _, g := range st.AtMostOne {
		out = append(out, rule{text: "at most one of " + strings.Join(g, ", "), cols: cols(g), broken: oneOf(true)})
	}
	for _, e := range st.Excludes {
		for _, n := range e.Not {
			out = append(out, rule{text: e.If + " excludes " + n, cols: cols([]string{e.If, n}), broken: oneOf(true)})
		}
	}
	for _, im := range st.Implies {
		out = append(out, rule{text: im.If + " implies " + im.Then, cols: cols([]string{im.If, im.Then}), broken: implies})
	}
	return out, nil
}

// oneOf is the rule that a group holds one tag, or with none at most one.
// Several tags: every one but the likeliest is spurious, each as likely
// wrong as its odds are small beside theirs (the group holding one of its
// tags). No tag where one must hold: the likeliest label is missing, with
// the chance its odds carry among the group's (the group holding exactly
// one).
func oneOf(none bool) func(tags, odds []float64) []brokenPair {
	return func(tags, odds []float64) []brokenPair {
		var on []int
		for k, t := range tags {
			if t == 1 {
				on = append(on, k)
			}
		}
		switch {
		case len(on) > 1:
			keep, sum := on[0], 0.0
			for _, k := range on {
				sum += odds[k]
				if odds[k] > odds[keep] {
					keep = k
				}
			}
			var out []brokenPair
			for _, k := range on {
				if k != keep {
					out = append(out, brokenPair{k, 1 - odds[k]/sum})
				}
			}
			return out
		case len(on) == 0 && !none && !slices.Contains(tags, -1):
			best, sum := 0, 0.0
			for k := range tags {
				sum += odds[k]
				if odds[k] > odds[best] {
					best = k
				}
			}
			return []brokenPair{{best, odds[best] / sum}}
		}
		return nil
	}
}

// implies is the rule that If (cols[0]) entails Then (cols[1]): If tagged
// without Then is either a spurious If or a missing Then, whichever the
// calibrated probabilities make likelier.
func implies(tags, odds []float64) []brokenPair {
	if tags[0] != 1 || tags[1] != 0 {
		return nil
	}
	// Both absent against both present: odds 1 : odds(If)·odds(Then).
	both := odds[0] * odds[1]
	if pIf := 1 / (1 + both); pIf >= 0.5 {
		return []brokenPair{{0, pIf}}
	}
	return []brokenPair{{1, both / (1 + both)}}
}

// oddsEps keeps the calibrated odds of a rule's labels finite and positive.
const oddsEps = 1e-9

// violations returns the pairs of s whose given tags break a rule, at most
// one issue per pair (the likelier when several rules name it), with
// Issue.Rule naming the rule and Issue.Score the pair's chance of being the
// wrong one given that the rule is broken; q is s's calibrated
// probabilities.
func violations(s infer.Set, q [][]float64, rs []rule) []Issue {
	var out []Issue
	at := map[[2]int]int{}
	for i := range s.Scores {
		for _, r := range rs {
			tags, odds := make([]float64, len(r.cols)), make([]float64, len(r.cols))
			for k, j := range r.cols {
				tags[k] = s.Truth[i][j]
				if !s.Known(i, j) {
					tags[k] = -1
				}
				p := min(max(q[i][j], oddsEps), 1-oddsEps)
				odds[k] = p / (1 - p)
			}
			for _, b := range r.broken(tags, odds) {
				j := r.cols[b.at]
				is := Issue{Kind: Missing, Score: b.chance, Prob: s.Scores[i][j], Row: i, Col: j, Rule: r.text}
				if tags[b.at] == 1 {
					is.Kind = Spurious
				}
				if k, ok := at[[2]int{i, j}]; ok {
					if is.Score > out[k].Score {
						out[k] = is
					}
					continue
				}
				at[[2]int{i, j}] = len(out)
				out = append(out, is)
			}
		}
	}
	return out
}

// Discovered is the label structure found in a set's tags.
type Discovered struct {
	// Structure holds the proven rules, those the audit judges the tags
	// by; nil when none is proven.
	Structure *decide.Structure
	// Rules are the proven rules, each with the images that break it.
	Rules []decide.Found
	// Tendencies are the rules the tags nearly obey that real images
	// break, each with the images that break it: labels that go together
	// less often than chance would have them, as mountains and sunsets do.
	// They are shown, never used to flag a tag.
	Tendencies []decide.Found
}

// Discover finds the label structure of ds's tags, as the audit uses when
// none is declared, with decide.ProvenRules: the rules that the tags nearly
// obey (decide.NoisyTolerance) are proven when chance could not explain
// their record and so few images break them (significantly fewer than
// decide.ProvenOfChance of the breaks chance would give) that they are
// wrong tags, and those images are the ones the audit flags. A rule that
// more images break is a tendency, broken by real, rare combinations: a
// tag that breaks it is no evidence of an error.
func Discover(ds *dataset.Dataset) Discovered {
	if len(ds.Labels) > decide.MaxDiscoverLabels {
		return Discovered{}
	}
	st, rules, tend := decide.ProvenRules(ds.Labels, ds.TagMatrix(), true)
	return Discovered{Structure: st, Rules: rules, Tendencies: tend}
}
