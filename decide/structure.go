package decide

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// Structure is what is known about how labels go together, applied after a
// rule's own decisions. Labels are named as in the rule's vocabulary.
type Structure struct {
	// Exclusive groups hold exactly one label per image: the group's
	// highest-scoring label is decided and the others are not.
	Exclusive [][]string `json:"exclusive,omitempty"`
	// AtMostOne groups hold one label or none: when several of a group are
	// decided, only the highest-scoring stays.
	AtMostOne [][]string `json:"at_most_one,omitempty"`
	// Excludes: when If is decided, none of Not is.
	Excludes []Exclusion `json:"excludes,omitempty"`
	// Implies: when If is decided, so is Then.
	Implies []Implication `json:"implies,omitempty"`
}

// Exclusion says that label If rules out the labels Not.
type Exclusion struct {
	If  string   `json:"if"`
	Not []string `json:"not"`
}

// Implication says that label If entails label Then.
type Implication struct {
	If   string `json:"if"`
	Then string `json:"then"`
}

// Empty reports whether the structure says nothing.
func (s *Structure) Empty() bool {
	return s == nil || len(s.Exclusive)+len(s.AtMostOne)+len(s.Excludes)+len(s.Implies) == 0
}

// resolved is a Structure with label indices.
type resolved struct {
	exclusive, atMostOne [][]int
	excludes             [][2]int // if, not
	implies              [][2]int // if, then
}

// resolve maps the structure's names to indices in labels and checks that
// it is consistent: known labels, groups of two or more distinct labels, a
// label in at most one group, and no constraint that contradicts another
// (an implication between two labels that exclude each other or share a
// group, or a chain of implications that ends in such a pair).
func (s *Structure) resolve(labels []string) (*resolved, error) {
	idx := func(name string) (int, error) {
		j := slices.Index(labels, name)
		if j < 0 {
			return 0, fmt.Errorf("decide: label structure names unknown label %q", name)
		}
		return j, nil
	}
	r := &resolved{}
	group := map[int]int{} // label → group number
	var groups [][]int
	for k, g := range append(slices.Clip(s.Exclusive), s.AtMostOne...) {
		if len(g) < 2 {
			return nil, fmt.Errorf("decide: label group %v needs at least two labels", g)
		}
		var js []int
		for _, name := range g {
			j, err := idx(name)
			if err != nil {
				return nil, err
			}
			if _, ok := group[j]; ok {
				return nil, fmt.Errorf("decide: label %q is in two label groups", name)
			}
			group[j] = len(groups)
			js = append(js, j)
		}
		groups = append(groups, js)
		if k < len(s.Exclusive) {
			r.exclusive = append(r.exclusive, js)
		} else {
			r.atMostOne = append(r.atMostOne, js)
		}
	}
	excl := map[[2]int]bool{}
	for _, e := range s.Excludes {
		a, err := idx(e.If)
		if err != nil {
			return nil, err
		}
		for _, name := range e.Not {
			b, err := idx(name)
			if err != nil {
				return nil, err
			}
			if a == b {
				return nil, fmt.Errorf("decide: label %q excludes itself", name)
			}
			r.excludes = append(r.excludes, [2]int{a, b})
			excl[[2]int{a, b}], excl[[2]int{b, a}] = true, true
		}
	}
	then := map[int][]int{}
	for _, im := range s.Implies {
		a, err := idx(im.If)
		if err != nil {
			return nil, err
		}
		b, err := idx(im.Then)
		if err != nil {
			return nil, err
		}
		if a == b {
			return nil, fmt.Errorf("decide: label %q implies itself", im.If)
		}
		r.implies = append(r.implies, [2]int{a, b})
		then[a] = append(then[a], b)
	}
	// Everything a label entails, directly or not, must be compatible with
	// it and with each other.
	for a := range then {
		reach := closure(then, a)
		all := append([]int{a}, reach...)
		for x := 0; x < len(all); x++ {
			for y := x + 1; y < len(all); y++ {
				p, q := all[x], all[y]
				gp, okp := group[p]
				gq, okq := group[q]
				if excl[[2]int{p, q}] || okp && okq && gp == gq {
					return nil, fmt.Errorf("decide: contradictory label structure: %q implies %q and %q, which cannot hold together",
						labels[a], labels[p], labels[q])
				}
			}
		}
	}
	return r, nil
}

// closure returns the labels reachable from a through then, without a.
func closure(then map[int][]int, a int) []int {
	seen := map[int]bool{a: true}
	var out []int
	stack := []int{a}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, y := range then[x] {
			if !seen[y] {
				seen[y] = true
				out = append(out, y)
				stack = append(stack, y)
			}
		}
	}
	return out
}

// Check reports whether the structure is consistent for labels.
func (s *Structure) Check(labels []string) error {
	_, err := s.resolve(labels)
	return err
}

// Apply makes decisions ([image][label], changed in place) obey the
// structure, using scores to choose within a group: exclusive groups
// first, then at-most-one groups, then exclusions (a decided If drops its
// Not labels), then implications (a decided If adds Then, repeated until
// nothing changes). Call Check first; Apply on an inconsistent structure
// changes nothing and returns its error.
func (s *Structure) Apply(labels []string, scores [][]float64, dec [][]bool) error {
	if s.Empty() {
		return nil
	}
	r, err := s.resolve(labels)
	if err != nil {
		return err
	}
	for i, row := range scores {
		d := dec[i]
		for _, g := range r.exclusive {
			best := g[0]
			for _, j := range g {
				if row[j] > row[best] {
					best = j
				}
			}
			for _, j := range g {
				d[j] = j == best
			}
		}
		for _, g := range r.atMostOne {
			best := -1
			for _, j := range g {
				if d[j] && (best < 0 || row[j] > row[best]) {
					best = j
				}
			}
			for _, j := range g {
				d[j] = j == best
			}
		}
		for _, e := range r.excludes {
			if d[e[0]] {
				d[e[1]] = false
			}
		}
		for changed := true; changed; {
			changed = false
			for _, im := range r.implies {
				if d[im[0]] && !d[im[1]] {
					d[im[1]], changed = true, true
				}
			}
		}
	}
	return nil
}

// Violations counts the images whose decisions break the structure: an
// exclusive group with no label or several, an at-most-one group with
// several, a decided If with a decided Not, a decided If without its Then.
func (s *Structure) Violations(labels []string, dec [][]bool) (int, error) {
	if s.Empty() {
		return 0, nil
	}
	r, err := s.resolve(labels)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range dec {
		bad := false
		count := func(g []int) int {
			c := 0
			for _, j := range g {
				if d[j] {
					c++
				}
			}
			return c
		}
		for _, g := range r.exclusive {
			bad = bad || count(g) != 1
		}
		for _, g := range r.atMostOne {
			bad = bad || count(g) > 1
		}
		for _, e := range r.excludes {
			bad = bad || d[e[0]] && d[e[1]]
		}
		for _, im := range r.implies {
			bad = bad || d[im[0]] && !d[im[1]]
		}
		if bad {
			n++
		}
	}
	return n, nil
}

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

// String describes the structure in a line of words.
func (s *Structure) String() string {
	var parts []string
	for _, g := range s.Exclusive {
		parts = append(parts, "exclusive "+strings.Join(g, ","))
	}
	for _, g := range s.AtMostOne {
		parts = append(parts, "at most one of "+strings.Join(g, ","))
	}
	for _, e := range s.Excludes {
		parts = append(parts, e.If+" excludes "+strings.Join(e.Not, ","))
	}
	for _, im := range s.Implies {
		parts = append(parts, im.If+" implies "+im.Then)
	}
	return strings.Join(parts, "; ")
}

// ParseStructure builds a structure from its written form: each exclusive
// and at-most-one group as labels separated by commas ("clear,haze,cloudy"),
// each implication as "A=>B" and each exclusion as "A=>B,C". Names are
// trimmed of spaces; the result is checked against labels when labels is
// not nil. It returns nil when every list is empty.
func ParseStructure(exclusive, atMostOne, implies, excludes []string, labels []string) (*Structure, error) {
	split := func(s string) []string {
		var out []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	arrow := func(s, what string) (string, []string, error) {
		a, b, ok := strings.Cut(s, "=>")
		a = strings.TrimSpace(a)
		if !ok || a == "" || len(split(b)) == 0 {
			return "", nil, fmt.Errorf("decide: %s %q is not of the form A=>B", what, s)
		}
		return a, split(b), nil
	}
	s := &Structure{}
	for _, g := range exclusive {
		s.Exclusive = append(s.Exclusive, split(g))
	}
	for _, g := range atMostOne {
		s.AtMostOne = append(s.AtMostOne, split(g))
	}
	for _, im := range implies {
		a, b, err := arrow(im, "implication")
		if err != nil {
			return nil, err
		}
		if len(b) != 1 {
			return nil, fmt.Errorf("decide: implication %q names %d labels after =>, want one", im, len(b))
		}
		s.Implies = append(s.Implies, Implication{If: a, Then: b[0]})
	}
	for _, ex := range excludes {
		a, b, err := arrow(ex, "exclusion")
		if err != nil {
			return nil, err
		}
		s.Excludes = append(s.Excludes, Exclusion{If: a, Not: b})
	}
	if s.Empty() {
		return nil, nil
	}
	if labels != nil {
		if err := s.Check(labels); err != nil {
			return nil, err
		}
	}
	return s, nil
}
