package audit

import (
	"strings"
	"testing"

	"mlabel/decide"
	"mlabel/infer"
)

// structured returns a scored set of 36 images over the labels x, y, z
// (exactly one per image: image i carries label i%3) and a, b (both on
// every sixth image, which carries x), every tag scored 0.9 where given
// and 0.05 where not.
func structured() infer.Set {
	s := infer.Set{Labels: []string{"x", "y", "z", "a", "b"}}
	for i := range 36 {
		truth := make([]float64, 5)
		truth[i%3] = 1
		if i%6 == 0 {
			truth[3], truth[4] = 1, 1
		}
		scores := make([]float64, 5)
		for j, t := range truth {
			scores[j] = 0.05 + 0.85*t
		}
		s.Names = append(s.Names, string(rune('A'+i)))
		s.Truth = append(s.Truth, truth)
		s.Scores = append(s.Scores, scores)
		s.Mask = append(s.Mask, []bool{true, true, true, true, true})
	}
	return s
}

func TestFindFlagsBrokenRules(t *testing.T) {
	exclusive := &decide.Structure{Exclusive: [][]string{{"x", "y", "z"}}}
	atMostOne := &decide.Structure{AtMostOne: [][]string{{"x", "y", "z"}}}
	implies := &decide.Structure{Implies: []decide.Implication{{If: "a", Then: "b"}}}
	excludes := &decide.Structure{Excludes: []decide.Exclusion{{If: "z", Not: []string{"a"}}}}
	type want struct {
		row, col int
		kind     Kind
		rule     string
	}
	for _, tc := range []struct {
		name   string
		st     *decide.Structure
		change func(s *infer.Set)
		want   []want // the issues that name a rule, in order
	}{
		{"two of an exclusive group: the doubted one", exclusive, func(s *infer.Set) {
			s.Truth[0][1], s.Scores[0][1] = 1, 0.3
		}, []want{{0, 1, Spurious, "exactly one of x, y, z"}}},
		{"none of an exclusive group: the likeliest", exclusive, func(s *infer.Set) {
			s.Truth[0][0] = 0
		}, []want{{0, 0, Missing, "exactly one of x, y, z"}}},
		{"none of an exclusive group, one unknown", exclusive, func(s *infer.Set) {
			s.Truth[0][0], s.Mask[0][1] = 0, false
		}, nil},
		{"two of an at-most-one group", atMostOne, func(s *infer.Set) {
			s.Truth[1][0], s.Scores[1][1] = 1, 0.6
		}, []want{{1, 0, Spurious, "at most one of x, y, z"}}},
		{"none of an at-most-one group", atMostOne, func(s *infer.Set) {
			s.Truth[0][0] = 0
		}, nil},
		{"If without Then, If doubted", implies, func(s *infer.Set) {
			s.Truth[0][4], s.Scores[0][4], s.Scores[0][3] = 0, 0.05, 0.3
		}, []want{{0, 3, Spurious, "a implies b"}}},
		{"If without Then, Then likely", implies, func(s *infer.Set) {
			s.Truth[0][4], s.Scores[0][4] = 0, 0.6
		}, []want{{0, 4, Missing, "a implies b"}}},
		{"If without Then, Then unknown", implies, func(s *infer.Set) {
			s.Truth[0][4], s.Mask[0][4] = 0, false
		}, nil},
		{"an exclusion", excludes, func(s *infer.Set) {
			s.Truth[2][3], s.Scores[2][3] = 1, 0.4
		}, []want{{2, 3, Spurious, "z excludes a"}}},
		{"every rule at once, each pair once", &decide.Structure{Exclusive: exclusive.Exclusive, Implies: implies.Implies, Excludes: excludes.Excludes}, func(s *infer.Set) {
			s.Truth[2][3], s.Scores[2][3] = 1, 0.4 // z with a, a without b
			s.Truth[7][1] = 0                      // y's image untagged
		}, []want{{2, 3, Spurious, "a implies b"}, {7, 1, Missing, "exactly one of x, y, z"}}}, // the surer of a's two rules, then by chance
		{"no structure", nil, func(s *infer.Set) {
			s.Truth[0][1] = 1
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := structured()
			// A tag the model contradicts outright, breaking no rule:
			// listed after every broken rule all the same.
			s.Scores[5][2] = 0.01
			tc.change(&s)
			f, err := Find(s, tc.st)
			if err != nil {
				t.Fatal(err)
			}
			var got []Issue
			for k, is := range f.Issues {
				if is.Rule == "" {
					continue
				}
				if k != len(got) {
					t.Errorf("issue %d %+v breaks a rule but follows one that does not", k, is)
				}
				if !(is.Score > 0.5 && is.Score <= 1) {
					t.Errorf("issue %+v: its chance given the broken rule should be the likelier side, in (0.5, 1]", is)
				}
				got = append(got, is)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("rule issues %+v, want %+v", got, tc.want)
			}
			for k, w := range tc.want {
				is := got[k]
				if is.Row != w.row || is.Col != w.col || is.Kind != w.kind || is.Rule != w.rule || is.Label != s.Labels[w.col] {
					t.Errorf("rule issue %d = %+v, want %+v", k, is, w)
				}
				st := f.Labels[w.col]
				if st.ExpectedErrors < is.Score {
					t.Errorf("%s expects %.2f errors, fewer than its broken rule's %.2f", st.Label, st.ExpectedErrors, is.Score)
				}
			}
			seen := map[[2]int]bool{}
			for _, is := range f.Issues {
				if seen[[2]int{is.Row, is.Col}] {
					t.Errorf("pair (%d, %d) listed twice", is.Row, is.Col)
				}
				seen[[2]int{is.Row, is.Col}] = true
			}
			if !seen[[2]int{5, 2}] {
				t.Errorf("the contradicted tag of image 5 is not flagged: %+v", f.Issues)
			}
		})
	}
}

func TestFindRejectsAStructureOfOtherLabels(t *testing.T) {
	_, err := Find(structured(), &decide.Structure{Exclusive: [][]string{{"x", "w"}}})
	if err == nil || !strings.Contains(err.Error(), `"w"`) {
		t.Errorf("err = %v, want one naming the unknown label w", err)
	}
}
