package decide

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

var weather = []string{"clear", "haze", "cloudy", "water", "road", "river"}

func TestStructureApply(t *testing.T) {
	s := &Structure{
		Exclusive: [][]string{{"clear", "haze", "cloudy"}},
		Excludes:  []Exclusion{{If: "cloudy", Not: []string{"water", "road", "river"}}},
		Implies:   []Implication{{If: "river", Then: "water"}},
	}
	for _, tc := range []struct {
		name   string
		scores []float64
		in     []bool
		want   []bool
	}{
		{"no weather decided: the best one", []float64{0.2, 0.4, 0.1, 0, 0, 0}, []bool{false, false, false, false, false, false}, []bool{false, true, false, false, false, false}},
		{"two weather decided: the best one", []float64{0.9, 0.6, 0.1, 0, 0, 0}, []bool{true, true, false, false, false, false}, []bool{true, false, false, false, false, false}},
		{"cloudy drops the ground", []float64{0.1, 0.1, 0.8, 0.9, 0.9, 0.1}, []bool{false, false, true, true, true, false}, []bool{false, false, true, false, false, false}},
		{"river brings water", []float64{0.9, 0, 0, 0.1, 0, 0.8}, []bool{true, false, false, false, false, true}, []bool{true, false, false, true, false, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := [][]bool{append([]bool(nil), tc.in...)}
			if err := s.Apply(weather, [][]float64{tc.scores}, d); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(d[0], tc.want) {
				t.Errorf("decisions %v, want %v", d[0], tc.want)
			}
			if n, _ := s.Violations(weather, d); n != 0 {
				t.Errorf("%d violations after Apply", n)
			}
		})
	}
}

// An exclusive group always yields exactly one label, whatever the scores
// and thresholds, and the rule keeps it through its JSON.
func TestExclusiveGroupYieldsOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := &Rules{Kind: PerClass, Labels: 6, Names: weather, PerClass: []float64{0.3, 0.3, 0.3, 0.5, 0.5, 0.5},
		Structure: &Structure{Exclusive: [][]string{{"clear", "haze", "cloudy"}}, AtMostOne: [][]string{{"road", "river"}}}}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := readRules(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Structure, r.Structure) {
		t.Fatalf("structure after the round trip %+v", back.Structure)
	}
	scores := make([][]float64, 500)
	for i := range scores {
		scores[i] = make([]float64, 6)
		for j := range scores[i] {
			scores[i][j] = rng.Float64()
		}
	}
	for i, d := range back.Apply(scores) {
		if n := btoi(d[0]) + btoi(d[1]) + btoi(d[2]); n != 1 {
			t.Fatalf("image %d: %d weather labels", i, n)
		}
		if d[4] && d[5] {
			t.Fatalf("image %d: road and river", i)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestStructureErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Structure
		want string
	}{
		{"unknown label", Structure{Exclusive: [][]string{{"clear", "sunny"}}}, `unknown label "sunny"`},
		{"one-label group", Structure{AtMostOne: [][]string{{"clear"}}}, "at least two"},
		{"label in two groups", Structure{Exclusive: [][]string{{"clear", "haze"}}, AtMostOne: [][]string{{"haze", "cloudy"}}}, `"haze" is in two`},
		{"implies an excluded label", Structure{Excludes: []Exclusion{{If: "cloudy", Not: []string{"water"}}}, Implies: []Implication{{If: "cloudy", Then: "water"}}}, "contradictory"},
		{"implies a group mate", Structure{Exclusive: [][]string{{"clear", "haze"}}, Implies: []Implication{{If: "clear", Then: "haze"}}}, "contradictory"},
		{"a chain into an exclusion", Structure{Excludes: []Exclusion{{If: "road", Not: []string{"water"}}},
			Implies: []Implication{{If: "river", Then: "road"}, {If: "river", Then: "water"}}}, "contradictory"},
		{"implies itself", Structure{Implies: []Implication{{If: "road", Then: "road"}}}, "implies itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Check(weather)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			r := &Rules{Kind: Global, Labels: 6, Names: weather, Global: 0.5, Structure: &tc.s}
			if err := r.Check(6); err == nil {
				t.Error("Rules.Check accepted the structure")
			}
		})
	}
	r := &Rules{Kind: Global, Labels: 6, Global: 0.5, Structure: &Structure{Exclusive: [][]string{{"clear", "haze"}}}}
	if err := r.Check(6); err == nil || !strings.Contains(err.Error(), "needs the 6 label names") {
		t.Errorf("a structure without names: %v", err)
	}
}

func TestDiscover(t *testing.T) {
	// Exactly one weather tag per image; cloudy images have nothing else;
	// every river image has water.
	rows := [][]float64{
		{1, 0, 0, 1, 0, 0}, {1, 0, 0, 1, 1, 1}, {0, 1, 0, 0, 1, 0}, {0, 1, 0, 1, 0, 1},
		{0, 0, 1, 0, 0, 0}, {0, 0, 1, 0, 0, 0}, {1, 0, 0, 0, 1, 0}, {0, 1, 0, 1, 1, 0},
	}
	s := Discover(weather, rows, 2)
	if len(s.Exclusive) != 1 || len(s.Exclusive[0]) != 3 {
		t.Fatalf("exclusive groups %v, want the weather", s.Exclusive)
	}
	var cloudy []string
	for _, e := range s.Excludes {
		if e.If == "cloudy" {
			cloudy = e.Not
		}
	}
	if !reflect.DeepEqual(sortedCopy(cloudy), []string{"river", "road", "water"}) {
		t.Errorf("cloudy excludes %v, want the ground labels (all: %s)", cloudy, s)
	}
	found := false
	for _, im := range s.Implies {
		found = found || im == Implication{If: "river", Then: "water"}
	}
	if !found {
		t.Errorf("no river ⇒ water in %s", s)
	}
	if err := s.Check(weather); err != nil {
		t.Errorf("the discovered structure is inconsistent: %v", err)
	}
}

func sortedCopy(xs []string) []string {
	out := append([]string(nil), xs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestParseStructure(t *testing.T) {
	labels := []string{"clear", "haze", "cloudy", "road", "building", "water"}
	s, err := ParseStructure([]string{"clear, haze,cloudy"}, []string{"road,water"}, []string{"building=>road"}, []string{"cloudy=>road, building"}, labels)
	if err != nil {
		t.Fatal(err)
	}
	want := &Structure{
		Exclusive: [][]string{{"clear", "haze", "cloudy"}},
		AtMostOne: [][]string{{"road", "water"}},
		Implies:   []Implication{{If: "building", Then: "road"}},
		Excludes:  []Exclusion{{If: "cloudy", Not: []string{"road", "building"}}},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("parsed %+v, want %+v", s, want)
	}
	if s, err := ParseStructure(nil, nil, nil, nil, labels); s != nil || err != nil {
		t.Errorf("nothing given: %+v, %v; want nil, nil", s, err)
	}
	bad := []struct {
		name                                    string
		exclusive, atMostOne, implies, excludes []string
		want                                    string
	}{
		{"unknown label", []string{"clear,sunny"}, nil, nil, nil, `"sunny"`},
		{"no arrow", nil, nil, []string{"building,road"}, nil, "A=>B"},
		{"two implied", nil, nil, []string{"building=>road,water"}, nil, "want one"},
		{"empty side", nil, nil, nil, []string{"=>road"}, "A=>B"},
		{"contradiction", nil, nil, []string{"cloudy=>road"}, []string{"cloudy=>road"}, "cloudy"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseStructure(c.exclusive, c.atMostOne, c.implies, c.excludes, labels)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %s", err, c.want)
			}
		})
	}
}

// Among more than MaxDiscoverLabels labels no rule is looked for, and the
// pair tallies are never made.
func TestDiscoverManyLabels(t *testing.T) {
	n := MaxDiscoverLabels + 1
	labels := make([]string, n)
	row := make([]float64, n)
	for i := range labels {
		labels[i] = fmt.Sprint("l", i)
	}
	row[0] = 1
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s, found := DiscoverWith(labels, [][]float64{row, row}, Tolerance{})
	runtime.ReadMemStats(&after)
	if !s.Empty() || found != nil {
		t.Errorf("found %v among %d labels", found, n)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("allocated %d bytes", alloc)
	}
}
