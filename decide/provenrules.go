package decide

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// ProvenOfChance is the share of chance's breaks below which a rule that a
// few images break is still taken for structure by ProvenRules with
// nearly set: a tenth. Wrong tags break a real rule on a few images
// whatever the labels' rates, a small share of the many breaks chance
// would give a group every image carries one of, while real rare
// combinations keep a larger share of chance's (in a set of ground photos,
// mountains at sunset on 14 images where chance gives 86, a tree in the
// desert on 16 where it gives 90).
const ProvenOfChance = 0.1

// ProvenRules sorts the rules that labelled data suggest (DiscoverWith
// with NoisyTolerance; truth [image][label], 1 a known positive, 0 a known
// negative, anything else unknown) into those the data prove and
// tendencies, and returns the proven rules as a structure (nil when none
// is proven) with each rule's record.
//
// A rule is proven when no image breaks it and labels independent at
// their observed rates would keep it unbroken on its images with a chance
// below ProvenAlpha. With nearly, a rule that some images break is proven
// too when chance could not give so few breaks (below ProvenAlpha) and
// they are significantly (at DefaultAlpha) fewer than ProvenOfChance of
// the breaks chance would give: few enough to be wrong tags rather than
// real images. Every other rule is a tendency: labels that go together
// less often than chance, broken by real images.
func ProvenRules(labels []string, truth [][]float64, nearly bool) (proven *Structure, rules, tendencies []Found) {
	_, found := DiscoverWith(labels, truth, NoisyTolerance())
	rate := rates(labels, truth)
	for _, f := range found {
		if !isProven(f, breakChance(f.Rule, rate), nearly) {
			tendencies = append(tendencies, f)
			continue
		}
		if proven == nil {
			proven = &Structure{}
		}
		proven.Exclusive = append(proven.Exclusive, f.Rule.Exclusive...)
		proven.AtMostOne = append(proven.AtMostOne, f.Rule.AtMostOne...)
		proven.Excludes = append(proven.Excludes, f.Rule.Excludes...)
		proven.Implies = append(proven.Implies, f.Rule.Implies...)
		rules = append(rules, f)
	}
	return proven, rules, tendencies
}

// isProven reports whether a rule whose images labels independent at
// their rates would each break with chance pInd is proven by its record f.
func isProven(f Found, pInd float64, nearly bool) bool {
	if f.Images == 0 || pInd <= 0 {
		return false
	}
	if f.Broken == 0 && math.Pow(1-pInd, float64(f.Images)) < ProvenAlpha {
		return true
	}
	if !nearly {
		return false
	}
	below := func(p float64) float64 {
		return distuv.Binomial{N: float64(f.Images), P: min(p, 1)}.CDF(float64(f.Broken))
	}
	return below(pInd) < ProvenAlpha && below(pInd*ProvenOfChance) < DefaultAlpha
}

// rates returns each label's share of positives among its known tags.
func rates(labels []string, truth [][]float64) map[string]float64 {
	rate := make(map[string]float64, len(labels))
	for j, l := range labels {
		pos, known := 0, 0
		for _, row := range truth {
			switch row[j] {
			case 1:
				pos++
				known++
			case 0:
				known++
			}
		}
		if known > 0 {
			rate[l] = float64(pos) / float64(known)
		}
	}
	return rate
}

// breakChance is the chance that an image the one rule of r concerns
// breaks it were its labels independent at their rates: no label or
// several of an exclusive group, several of an at-most-one group among the
// images with one at least, both labels of an exclusion among the images
// with one, an implication's If without its Then.
func breakChance(r Structure, rate map[string]float64) float64 {
	group := func(g []string) (p0, p1 float64) {
		p0 = 1
		for _, a := range g {
			p0 *= 1 - rate[a]
			q := rate[a]
			for _, b := range g {
				if b != a {
					q *= 1 - rate[b]
				}
			}
			p1 += q
		}
		return p0, p1
	}
	switch {
	case len(r.Exclusive) == 1:
		_, p1 := group(r.Exclusive[0])
		return 1 - p1
	case len(r.AtMostOne) == 1:
		p0, p1 := group(r.AtMostOne[0])
		if p0 >= 1 {
			return 0
		}
		return (1 - p0 - p1) / (1 - p0)
	case len(r.Excludes) == 1 && len(r.Excludes[0].Not) == 1:
		pa, pb := rate[r.Excludes[0].If], rate[r.Excludes[0].Not[0]]
		if u := pa + pb - pa*pb; u > 0 {
			return pa * pb / u
		}
	case len(r.Implies) == 1:
		return 1 - rate[r.Implies[0].Then]
	}
	return 0
}
