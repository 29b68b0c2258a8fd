package decide

import "testing"

// provenRows returns 1600 images over the weather labels clear, haze and
// cloudy (exactly one each but on the first flips images, which carry two),
// mountains and sunset (each on a quarter of the images, and both on 16,
// the real rare scenes of mountains at sunset: 2% of the images with one of
// them, a ninth of what chance would give) and road, on every third image
// but never on a cloudy one.
func provenRows(flips int) [][]float64 {
	out := make([][]float64, 1600)
	for i := range out {
		row := make([]float64, 6)
		w := []int{0, 0, 0, 1, 2}[i%5]
		row[w] = 1
		if i < flips {
			row[(w+1)%3] = 1
		}
		if i%4 == 1 {
			row[3] = 1
		}
		if i%4 == 2 || i%100 == 1 {
			row[4] = 1
		}
		if w != 2 && i%3 == 0 {
			row[5] = 1
		}
		out[i] = row
	}
	return out
}

// TestProvenRules: a rule no image breaks is proven; a rule that wrong
// tags break on a few images is proven only when nearly is set; a rule that
// real rare scenes break (mountains at sunset, at a ninth of chance) is a
// tendency either way, though it breaks on no larger a share of its images
// than the wrong tags do.
func TestProvenRules(t *testing.T) {
	labels := []string{"clear", "haze", "cloudy", "mountains", "sunset", "road"}
	const (
		weather  = "exclusive clear,haze,cloudy"
		road     = "cloudy excludes road"
		tendency = "mountains excludes sunset"
	)
	tests := []struct {
		name           string
		flips          int
		nearly         bool
		proven, tended []string
	}{
		{"unbroken", 0, false, []string{weather, road}, []string{tendency}},
		{"unbroken, nearly", 0, true, []string{weather, road}, []string{tendency}},
		{"broken by 10 wrong tags", 10, false, nil, []string{weather, tendency, road}},
		{"broken by 10 wrong tags, nearly", 10, true, []string{weather, road}, []string{tendency}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, rules, tend := ProvenRules(labels, provenRows(tc.flips), tc.nearly)
			names := func(fs []Found) []string {
				var out []string
				for _, f := range fs {
					out = append(out, f.Rule.String())
				}
				return out
			}
			if got := names(rules); !sameSet(got, tc.proven) {
				t.Errorf("proven %v, want %v", rules, tc.proven)
			}
			if got := names(tend); !sameSet(got, tc.tended) {
				t.Errorf("tendencies %v, want %v", tend, tc.tended)
			}
			if len(tc.proven) == 0 {
				if st != nil {
					t.Errorf("structure %v, want nil", st)
				}
				return
			}
			if err := st.Check(labels); err != nil || len(st.Exclusive) != 1 || len(st.Excludes) != 1 {
				t.Errorf("structure %v (%v), want the weather group and cloudy excluding road", st, err)
			}
		})
	}
}
