package decide

import (
	"fmt"
	"slices"
	"sort"
	"strings"
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
// entries 1 for a known positive): exclusive groups of labels, each seen at
// least minCount times, that never co-occur and together cover every
// image; exclusions between such labels that never co-occur outside a
// group, each pair once with the rarer label as If; and implications A ⇒ B where every one of at least minCount
// images of A has B.
func Discover(labels []string, truth [][]float64, minCount int) *Structure {
	n := len(labels)
	count := make([]int, n)
	co := make([][]int, n)
	for j := range co {
		co[j] = make([]int, n)
	}
	for _, row := range truth {
		for a := 0; a < n; a++ {
			if row[a] != 1 {
				continue
			}
			count[a]++
			for b := 0; b < n; b++ {
				if row[b] == 1 {
					co[a][b]++
				}
			}
		}
	}
	never := func(a, b int) bool { return co[a][b] == 0 }
	order := make([]int, n)
	for j := range order {
		order[j] = j
	}
	sort.SliceStable(order, func(a, b int) bool { return count[order[a]] > count[order[b]] })
	// From each label, grow a group greedily (most frequent first) of
	// labels that never co-occur with any member; keep it when its counts
	// add up to every image.
	s := &Structure{}
	names := func(js []int) []string {
		out := make([]string, len(js))
		for k, j := range js {
			out[k] = labels[j]
		}
		return out
	}
	var groups [][]int
	used := make([]bool, n)
	for _, seed := range order {
		if used[seed] || count[seed] < minCount {
			continue
		}
		g, covered := []int{seed}, count[seed]
		for _, j := range order {
			ok := j != seed && !used[j] && count[j] >= minCount
			for _, m := range g {
				ok = ok && never(j, m)
			}
			if ok {
				g, covered = append(g, j), covered+count[j]
			}
		}
		if len(g) >= 2 && covered == len(truth) {
			groups = append(groups, g)
			s.Exclusive = append(s.Exclusive, names(g))
			for _, j := range g {
				used[j] = true
			}
		}
	}
	for _, a := range order {
		if count[a] < minCount {
			continue
		}
		var not []string
		for _, b := range order {
			same := false
			for _, g := range groups {
				same = same || slices.Contains(g, a) && slices.Contains(g, b)
			}
			// Each pair once, with the rarer label as If.
			rarer := count[a] < count[b] || count[a] == count[b] && a < b
			if b != a && count[b] >= minCount && never(a, b) && !same && rarer {
				not = append(not, labels[b])
			}
		}
		if len(not) > 0 {
			s.Excludes = append(s.Excludes, Exclusion{If: labels[a], Not: not})
		}
		for _, b := range order {
			if b != a && co[a][b] == count[a] {
				s.Implies = append(s.Implies, Implication{If: labels[a], Then: labels[b]})
			}
		}
	}
	return s
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
