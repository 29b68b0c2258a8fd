package decide

import (
	"slices"
	"testing"
)

// noisyRows makes 400 images of weather's labels: exactly one of clear
// (60%), haze (25%) and cloudy (15%); river on a quarter of the images, never
// cloudy, always with water; water on another quarter; road on every third
// image. groupBreaks clear images also get haze, and riverBreaks river
// images lose water.
func noisyRows(groupBreaks, riverBreaks int) [][]float64 {
	const n = 400
	col := map[string]int{}
	for j, l := range weather {
		col[l] = j
	}
	rows := make([][]float64, n)
	for i := range rows {
		r := make([]float64, len(weather))
		switch m := i % 20; {
		case m < 12:
			r[col["clear"]] = 1
		case m < 17:
			r[col["haze"]] = 1
		default:
			r[col["cloudy"]] = 1
		}
		if i%4 == 0 {
			r[col["river"]], r[col["water"]] = 1, 1
		}
		if i%4 == 1 {
			r[col["water"]] = 1
		}
		if i%3 == 0 {
			r[col["road"]] = 1
		}
		rows[i] = r
	}
	for i, k := 0, 0; k < groupBreaks; i++ {
		if rows[i][col["clear"]] == 1 {
			rows[i][col["haze"]] = 1
			k++
		}
	}
	for i, k := 0, 0; k < riverBreaks; i += 4 {
		rows[i][col["water"]] = 0
		k++
	}
	return rows
}

// foundRule returns the Found of DiscoverWith that holds rule, if any.
func foundRule(found []Found, rule string) (Found, bool) {
	for _, f := range found {
		if f.Rule.String() == rule {
			return f, true
		}
	}
	return Found{}, false
}

func TestDiscoverWithNoisyTags(t *testing.T) {
	const group, river = "exclusive clear,haze,cloudy", "river implies water"
	for _, tc := range []struct {
		name                     string
		groupBreaks, riverBreaks int
		wantGroup, wantRiver     bool
	}{
		{"clean tags", 0, 0, true, true},
		{"a few noisy rows", 8, 3, true, true},
		{"a group broken on a sixth of the images", 70, 0, false, true},
		{"an implication broken on a third of its images", 0, 35, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, found := DiscoverWith(weather, noisyRows(tc.groupBreaks, tc.riverBreaks), NoisyTolerance())
			if err := s.Check(weather); err != nil {
				t.Fatalf("inconsistent structure %s: %v", s, err)
			}
			f, ok := foundRule(found, group)
			if ok != tc.wantGroup {
				t.Fatalf("group found %v, want %v (found %s)", ok, tc.wantGroup, s)
			}
			if ok && (f.Broken != tc.groupBreaks || f.Images != 400) {
				t.Errorf("group broken on %d of %d images, want %d of 400", f.Broken, f.Images, tc.groupBreaks)
			}
			if ok != slices.ContainsFunc(s.Exclusive, func(g []string) bool { return len(g) == 3 }) {
				t.Errorf("the structure %s does not match the rules found", s)
			}
			f, ok = foundRule(found, river)
			if ok != tc.wantRiver {
				t.Fatalf("implication found %v, want %v (found %s)", ok, tc.wantRiver, s)
			}
			if ok && (f.Broken != tc.riverBreaks || f.Images != 100) {
				t.Errorf("implication broken on %d of %d images, want %d of 100", f.Broken, f.Images, tc.riverBreaks)
			}
		})
	}
}

func TestDiscoverWithRefusesChance(t *testing.T) {
	labels := []string{"a", "b", "rare1", "rare2", "common", "x"}
	rows := make([][]float64, 400)
	for i := range rows {
		r := make([]float64, len(labels))
		// a and b each hold on 30% of the images and meet on 12, under 5%
		// of the images of either but a third of what independent labels
		// would give: a tendency, not a rule.
		if m := i % 10; m < 3 {
			r[0] = 1
		} else if m < 6 {
			r[1] = 1
		}
		if i < 120 && i%10 == 0 {
			r[1] = 1
		}
		// rare1 and rare2 never meet, but are too rare to meet by chance.
		if i%40 == 3 {
			r[2] = 1
		}
		if i%40 == 7 {
			r[3] = 1
		}
		// Every image but one has common: x ⇒ common holds on each x
		// image, as it would for any label.
		r[4] = 1
		if i == 399 {
			r[4] = 0
		}
		if i%5 == 0 {
			r[5] = 1
		}
		rows[i] = r
	}
	s, found := DiscoverWith(labels, rows, NoisyTolerance())
	if !s.Empty() || len(found) != 0 {
		t.Errorf("found %s in labels that only tend to go apart or together", s)
	}
	// Only the test against chance refuses a and b: their breaks are few.
	loose := NoisyTolerance()
	loose.OfChance = 1
	if _, found := DiscoverWith(labels, rows, loose); !slices.ContainsFunc(found, func(f Found) bool {
		apart := f.Rule.String() == "b excludes a" || len(f.Rule.AtMostOne) == 1 && slices.Contains(f.Rule.AtMostOne[0], "a") && slices.Contains(f.Rule.AtMostOne[0], "b")
		return apart && f.Broken == 12
	}) {
		t.Errorf("a and b without the test against chance: %v, want them ruled apart, broken on 12", found)
	}
	// Without tolerance, every rule that holds is taken, chance or not.
	strict := Discover(labels, rows, 5)
	var excl, impl bool
	for _, e := range strict.Excludes {
		excl = excl || (e.If == "rare1" || e.If == "rare2") && (slices.Contains(e.Not, "rare1") || slices.Contains(e.Not, "rare2"))
	}
	for _, im := range strict.Implies {
		impl = impl || im == Implication{If: "x", Then: "common"}
	}
	if !excl || !impl {
		t.Errorf("strict discovery %s: want rare1 and rare2 exclusive and x ⇒ common", strict)
	}
}

func TestDiscoverWithUnknownTags(t *testing.T) {
	rows := noisyRows(0, 0)
	// An unknown weather tag on an image with none, and an unknown water on
	// a river image, could make both rules hold: neither counts as broken.
	rows[0][0], rows[0][1] = 0, -1
	rows[4][3] = -1
	_, found := DiscoverWith(weather, rows, NoisyTolerance())
	g, okG := foundRule(found, "exclusive clear,haze,cloudy")
	r, okR := foundRule(found, "river implies water")
	if !okG || !okR || g.Broken != 0 || r.Broken != 0 || r.Images != 99 {
		t.Errorf("group %+v (%v), implication %+v (%v): want both unbroken, the implication on 99 images", g, okG, r, okR)
	}
}
