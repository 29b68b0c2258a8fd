package decide

import (
	"fmt"
	"slices"
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
