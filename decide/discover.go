package decide

import (
	"fmt"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Discover suggests a structure from labelled data (truth [image][label],
// entries 1 for a known positive): the rules that hold on every image,
// among labels seen at least minCount times. It is DiscoverWith with no
// tolerance; see there.
func Discover(labels []string, truth [][]float64, minCount int) *Structure {
	s, _ := DiscoverWith(labels, truth, Tolerance{MinCount: minCount})
	return s
}

// MaxDiscoverLabels is the most labels DiscoverWith looks for rules among:
// its tallies of label pairs take 16 bytes a pair, 16 MB at this count.
const MaxDiscoverLabels = 1000

// Tolerance says how nearly a rule must hold for DiscoverWith to suggest it.
type Tolerance struct {
	// MinCount: labels seen fewer times take part in no rule.
	MinCount int
	// MaxShare is the share of the images a rule concerns that may break
	// it: a rule is suggested when its breaking images are significantly
	// fewer than MaxShare of them. 0 asks for rules that hold on every
	// image.
	MaxShare float64
	// OfChance is the share of the breaks that labels independent at their
	// observed rates would give that a rule may keep (0: DefaultOfChance).
	OfChance float64
	// Alpha is the significance level of both one-sided tests (0:
	// DefaultAlpha).
	Alpha float64
}

// DefaultMaxShare is the share of the images a rule concerns that may
// break it when the tags are known to be noisy: one in ten, so that wrong
// tags on a few percent of the images leave a rule standing, while a rule
// broken more often than that is no rule.
const DefaultMaxShare = 0.1

// DefaultOfChance is the share of chance's breaks a rule may keep when
// Tolerance.OfChance is 0: a rule removes three in four of the breaks that
// chance would give, so that labels that merely tend to go apart (sunsets
// and trees, seen together a quarter as often as chance would have them)
// are not taken for labels that cannot go together, while a few wrong tags
// on a group's labels (2% of the images of a group that chance would break
// on a quarter) do not hide it.
const DefaultOfChance = 0.25

// NoisyTolerance is the tolerance for tags that may hold errors: labels
// seen at least 5 times, rules broken on significantly fewer than
// DefaultMaxShare of their images and DefaultOfChance of chance's breaks.
func NoisyTolerance() Tolerance {
	return Tolerance{MinCount: 5, MaxShare: DefaultMaxShare}
}

// DefaultAlpha is the significance level of DiscoverWith's tests when
// Tolerance.Alpha is 0.
const DefaultAlpha = 0.05

// Found is one rule that DiscoverWith suggests and how the data bear it
// out.
type Found struct {
	// Rule is a structure holding the one rule.
	Rule Structure `json:"rule"`
	// Images is the number of images the rule concerns: every image for an
	// exclusive group, those with one of its labels for an at-most-one group
	// or an exclusion, those with If (and Then known) for an implication.
	Images int `json:"images"`
	// Broken is the number of those images whose tags break the rule.
	Broken int `json:"broken"`
}

// String describes the rule and how many images break it.
func (f Found) String() string {
	return fmt.Sprintf("%s (%d of %d images break it)", f.Rule.String(), f.Broken, f.Images)
}

// DiscoverWith suggests a structure from labelled data (truth
// [image][label], entries 1 for a known positive, 0 for a known negative,
// anything else unknown), among labels seen at least tol.MinCount times,
// and returns it with each of its rules and the images that break it:
//   - exclusive groups, grown greedily from the most frequent label, of
//     labels that pairwise exclude each other, holding exactly one label on
//     nearly every image;
//   - with a tolerance, at-most-one groups of three or more such labels
//     that do not cover the images;
//   - exclusions between two labels outside a common group, each pair once
//     with the rarer label as If;
//   - implications A ⇒ B.
//
// With tol.MaxShare 0 a rule must hold on every image it concerns. With a
// tolerance, tags are taken to be noisy, and a rule is suggested when two
// one-sided binomial tests, each at level tol.Alpha, reject that its
// breaking images are chance: that they are at least MaxShare of the images
// it concerns (so that a rule's breaks are few, and surely few, not only
// few so far: an exclusion between two labels seen together never on
// twenty images is not evidence enough), and that they are at least
// tol.OfChance of those that labels independent at their observed rates
// would give (so that a rule is structure, not a tendency, the mark of a
// label nearly every image carries, or of two labels too rare to meet by
// chance). At-most-one groups need the tolerance
// for the same reason: without the second test, any labels too rare to
// meet would form one. An image with an unknown tag that could make a rule
// hold does not break it. Implications that would contradict the rules
// before them are left out.
//
// Its tallies grow as the square of the labels: among more than
// MaxDiscoverLabels labels it looks for no rule and returns an empty
// structure.
func DiscoverWith(labels []string, truth [][]float64, tol Tolerance) (*Structure, []Found) {
	n := len(labels)
	if n > MaxDiscoverLabels {
		return &Structure{}, nil
	}
	alpha, ofChance := tol.Alpha, tol.OfChance
	if alpha == 0 {
		alpha = DefaultAlpha
	}
	if ofChance == 0 {
		ofChance = DefaultOfChance
	}
	count, known := make([]int, n), make([]int, n)
	// co[a][b]: images with a and b; posKnown[a][b]: with a, b known.
	co, posKnown := make([][]int, n), make([][]int, n)
	for j := range co {
		co[j], posKnown[j] = make([]int, n), make([]int, n)
	}
	isKnown := func(v float64) bool { return v == 0 || v == 1 }
	for _, row := range truth {
		for a := 0; a < n; a++ {
			if isKnown(row[a]) {
				known[a]++
			}
			if row[a] != 1 {
				continue
			}
			count[a]++
			for b := 0; b < n; b++ {
				if isKnown(row[b]) {
					posKnown[a][b]++
				}
				if row[b] == 1 {
					co[a][b]++
				}
			}
		}
	}
	rate := make([]float64, n)
	for j := range rate {
		if known[j] > 0 {
			rate[j] = float64(count[j]) / float64(known[j])
		}
	}
	// below reports whether broken of concerned images are significantly
	// fewer than a share p of them.
	below := func(concerned, broken int, p float64) bool {
		return p > 0 && distuv.Binomial{N: float64(concerned), P: min(p, 1)}.CDF(float64(broken)) < alpha
	}
	// few is the first test: a rule's breaks are few.
	few := func(concerned, broken int) bool {
		if tol.MaxShare <= 0 {
			return concerned > 0 && broken == 0
		}
		return concerned > 0 && below(concerned, broken, tol.MaxShare)
	}
	// holds is both tests, pInd being the chance that an image the rule
	// concerns breaks it were its labels independent.
	holds := func(concerned, broken int, pInd float64) bool {
		if tol.MaxShare <= 0 {
			return few(concerned, broken)
		}
		return few(concerned, broken) && below(concerned, broken, pInd*ofChance)
	}
	exclusion := func(a, b int) (concerned, broken int, pInd float64) {
		concerned = posKnown[a][b] + posKnown[b][a] - co[a][b]
		pa, pb := rate[a], rate[b]
		if u := pa + pb - pa*pb; u > 0 {
			pInd = pa * pb / u
		}
		return concerned, co[a][b], pInd
	}
	// nearlyExcludes is the first test alone: a group's members need only
	// go together rarely, as the group is tested against chance as a whole
	// (two rare labels of a group seldom meet by chance either way).
	nearlyExcludes := func(a, b int) bool {
		concerned, broken, _ := exclusion(a, b)
		return few(concerned, broken)
	}
	// group counts the images with no label of g (and no unknown one),
	// with exactly one, and with several; p0 and p1 are the chances of no
	// label and of one under independence.
	group := func(g []int) (none, one, several int, p0, p1 float64) {
		for _, row := range truth {
			k, u := 0, false
			for _, j := range g {
				switch {
				case row[j] == 1:
					k++
				case !isKnown(row[j]):
					u = true
				}
			}
			switch {
			case k >= 2:
				several++
			case k == 1:
				one++
			case !u:
				none++
			}
		}
		p0 = 1
		for _, j := range g {
			p0 *= 1 - rate[j]
		}
		for _, j := range g {
			q := rate[j]
			for _, k := range g {
				if k != j {
					q *= 1 - rate[k]
				}
			}
			p1 += q
		}
		return none, one, several, p0, p1
	}
	order := make([]int, n)
	for j := range order {
		order[j] = j
	}
	sort.SliceStable(order, func(a, b int) bool { return count[order[a]] > count[order[b]] })
	names := func(js []int) []string {
		out := make([]string, len(js))
		for k, j := range js {
			out[k] = labels[j]
		}
		return out
	}
	s := &Structure{}
	var found []Found
	var groups [][]int
	used := make([]bool, n)
	// grow makes a group from seed of the unused labels that nearly exclude
	// every member, most frequent first; for an exclusive group, only those
	// that leave fewer images breaking it.
	grow := func(seed int, exclusive bool) []int {
		g := []int{seed}
		for _, j := range order {
			ok := j != seed && !used[j] && count[j] >= tol.MinCount
			for _, m := range g {
				ok = ok && nearlyExcludes(j, m)
			}
			if ok && exclusive {
				none, _, several, _, _ := group(g)
				none2, _, several2, _, _ := group(append(slices.Clip(g), j))
				ok = none2+several2 < none+several
			}
			if ok {
				g = append(g, j)
			}
		}
		return g
	}
	take := func(g []int) {
		groups = append(groups, g)
		for _, j := range g {
			used[j] = true
		}
	}
	// Groups are taken best first: of the groups grown from each unused
	// label that pass, the one broken on the smallest share of its images
	// (the largest on a tie), so that a label nearly every image carries
	// does not take a member of the group it rules out.
	for _, atMostOne := range []bool{false, true} {
		if atMostOne && tol.MaxShare <= 0 {
			break
		}
		for {
			var best []int
			var bestFound Found
			for _, seed := range order {
				if used[seed] || count[seed] < tol.MinCount {
					continue
				}
				g := grow(seed, !atMostOne)
				if len(g) < 2 || atMostOne && len(g) < 3 {
					continue
				}
				none, one, several, p0, p1 := group(g)
				f := Found{Rule: Structure{Exclusive: [][]string{names(g)}}, Images: none + one + several, Broken: none + several}
				pInd := 1 - p0 - p1
				if atMostOne {
					f = Found{Rule: Structure{AtMostOne: [][]string{names(g)}}, Images: one + several, Broken: several}
					if pInd = 0; p0 < 1 {
						pInd = (1 - p0 - p1) / (1 - p0)
					}
				}
				if !holds(f.Images, f.Broken, pInd) {
					continue
				}
				share := float64(f.Broken) / float64(f.Images)
				bestShare := float64(bestFound.Broken) / float64(max(bestFound.Images, 1))
				if best == nil || share < bestShare || share == bestShare && len(g) > len(best) {
					best, bestFound = g, f
				}
			}
			if best == nil {
				break
			}
			take(best)
			s.Exclusive = append(s.Exclusive, bestFound.Rule.Exclusive...)
			s.AtMostOne = append(s.AtMostOne, bestFound.Rule.AtMostOne...)
			found = append(found, bestFound)
		}
	}
	same := func(a, b int) bool {
		for _, g := range groups {
			if slices.Contains(g, a) && slices.Contains(g, b) {
				return true
			}
		}
		return false
	}
	excluded := map[[2]int]bool{}
	for _, a := range order {
		if count[a] < tol.MinCount {
			continue
		}
		var not []string
		for _, b := range order {
			// Each pair once, with the rarer label as If.
			rarer := count[a] < count[b] || count[a] == count[b] && a < b
			if b == a || count[b] < tol.MinCount || same(a, b) || !rarer {
				continue
			}
			if concerned, broken, pInd := exclusion(a, b); holds(concerned, broken, pInd) {
				not = append(not, labels[b])
				excluded[[2]int{a, b}], excluded[[2]int{b, a}] = true, true
				found = append(found, Found{Rule: Structure{Excludes: []Exclusion{{If: labels[a], Not: []string{labels[b]}}}}, Images: concerned, Broken: broken})
			}
		}
		if len(not) > 0 {
			s.Excludes = append(s.Excludes, Exclusion{If: labels[a], Not: not})
		}
	}
	for _, a := range order {
		if count[a] < tol.MinCount {
			continue
		}
		for _, b := range order {
			if b == a || same(a, b) || excluded[[2]int{a, b}] {
				continue
			}
			concerned, broken := posKnown[a][b], posKnown[a][b]-co[a][b]
			if !holds(concerned, broken, 1-rate[b]) {
				continue
			}
			im := Implication{If: labels[a], Then: labels[b]}
			s.Implies = append(s.Implies, im)
			if s.Check(labels) != nil {
				s.Implies = s.Implies[:len(s.Implies)-1]
				continue
			}
			found = append(found, Found{Rule: Structure{Implies: []Implication{im}}, Images: concerned, Broken: broken})
		}
	}
	return s, found
}
