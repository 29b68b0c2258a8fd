package decide

import (
	"fmt"
	"strings"
)

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
