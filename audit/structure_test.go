package audit

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"mlabel/dataset"
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

// scenes returns 1600 images over the weather labels clear, haze and
// cloudy (exactly one each, but on the first 10 images, which carry a
// wrong second one), mountains and sunset (each on a quarter of the
// images; both, correctly, on 16, a ninth of what chance would give) and
// road, never on a cloudy image, with a scored set of them: every tag
// 0.9 where given and 0.05 where not, but for the wrong weather tags and
// the mountains of the rare scenes, which the model doubts (0.3): it has
// seen few mountains at sunset.
func scenes() (*dataset.Dataset, infer.Set) {
	labels := []string{"clear", "haze", "cloudy", "mountains", "sunset", "road"}
	ds := &dataset.Dataset{Labels: labels}
	s := infer.Set{Labels: labels}
	for i := range 1600 {
		truth, scores := make([]float64, 6), make([]float64, 6)
		w := []int{0, 0, 0, 1, 2}[i%5]
		truth[w] = 1
		if i%4 == 1 {
			truth[3] = 1
		}
		if i%4 == 2 || i%100 == 53 {
			truth[4] = 1
		}
		if w != 2 && i%3 == 0 {
			truth[5] = 1
		}
		for j, t := range truth {
			scores[j] = 0.05 + 0.85*t
		}
		if i < 10 {
			truth[(w+1)%3], scores[(w+1)%3] = 1, 0.3
		}
		if i%100 == 53 {
			scores[3] = 0.3
		}
		it := dataset.Item{Name: fmt.Sprint(i)}
		for j, t := range truth {
			if t == 1 {
				it.Pos = append(it.Pos, j)
			}
		}
		ds.Items = append(ds.Items, it)
		s.Names = append(s.Names, it.Name)
		s.Truth = append(s.Truth, truth)
		s.Scores = append(s.Scores, scores)
	}
	return ds, s
}

// TestDiscoveredTendencyFlagsNothing: the weather group, broken by 10
// wrong tags, is proven and flags them, naming the group; mountains
// excluding sunset, broken by 16 correct rare scenes, is a tendency:
// listed, but none of its images' tags is flagged, though the model
// doubts their mountains; and none is marked unknown by Apply.
func TestDiscoveredTendencyFlagsNothing(t *testing.T) {
	ds, s := scenes()
	d := Discover(ds)
	if d.Structure == nil || len(d.Structure.Exclusive) != 1 || len(d.Structure.Excludes)+len(d.Structure.AtMostOne)+len(d.Structure.Implies) > 1 {
		t.Fatalf("proven structure %v, want the weather group (and cloudy excluding road)", d.Structure)
	}
	if len(d.Tendencies) != 1 || d.Tendencies[0].Rule.String() != "mountains excludes sunset" || d.Tendencies[0].Broken != 16 {
		t.Fatalf("tendencies %v, want mountains excluding sunset, broken by 16 images", d.Tendencies)
	}
	f, err := Find(s, d.Structure)
	if err != nil {
		t.Fatal(err)
	}
	flipped := 0
	for k, is := range f.Issues {
		switch {
		case is.Row < 10 && is.Rule != "":
			flipped++
			if k >= 10 || !strings.HasPrefix(is.Rule, "exactly one of") || is.Kind != Spurious {
				t.Errorf("issue %d %+v: want the wrong weather tags first, spurious, naming the group", k, is)
			}
		case is.Rule != "":
			t.Errorf("issue %+v names a rule, but only the 10 wrong weather tags break a proven one", is)
		case is.Row%100 == 53:
			t.Errorf("issue %+v flags a rare scene's tag", is)
		}
	}
	if flipped != 10 {
		t.Errorf("%d wrong weather tags flagged by the group, want 10", flipped)
	}
	// Judged by every rule the tags nearly obey, as before tendencies were
	// told apart, the rare scenes' mountains were flagged first.
	nearly, _ := decide.DiscoverWith(ds.Labels, ds.TagMatrix(), decide.NoisyTolerance())
	old, err := Find(s, nearly)
	if err != nil {
		t.Fatal(err)
	}
	rare := 0
	for _, is := range old.Issues {
		if is.Row%100 == 53 && is.Rule == "mountains excludes sunset" {
			rare++
		}
	}
	if rare != 16 {
		t.Errorf("judged by the tendency too, %d of the 16 rare scenes are flagged by it, want all: the test does not reproduce the fault", rare)
	}
	// The page lists the proven rules and, apart, the tendency.
	f.Discovered, f.Tendencies = d.Rules, d.Tendencies
	var page bytes.Buffer
	if err := WritePage(&page, ds, f, PageOptions{Max: 1}); err != nil {
		t.Fatal(err)
	}
	tend := strings.Index(page.String(), "Tendencies, shown only")
	if used := strings.Index(page.String(), "exclusive clear,haze,cloudy: 10 of 1600 images break it"); used < 0 || tend < used || !strings.Contains(page.String()[tend:], "mountains excludes sunset: 16 of 800 images break it") {
		t.Errorf("page lacks the proven group, then the tendency apart:\n%s", page.String())
	}
	fixed, err := Apply(ds, f.Likely())
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range fixed.Items {
		if i%100 == 53 && len(it.Unknown) > 0 {
			t.Errorf("image %s: %v marked unknown", it.Name, it.Unknown)
		}
	}
}
