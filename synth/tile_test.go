package synth

import (
	"image"
	"math"
	"slices"
	"testing"
)

// sameImage reports whether a and b have identical bounds and pixels.
func sameImage(a, b image.Image) bool {
	ra, okA := a.(*image.RGBA)
	rb, okB := b.(*image.RGBA)
	return okA && okB && ra.Bounds() == rb.Bounds() && slices.Equal(ra.Pix, rb.Pix)
}

func TestTileDeterministic(t *testing.T) {
	tests := []struct {
		name         string
		seedA, seedB uint64
		same         bool
	}{
		{"same seed", 11, 11, true},
		{"other seed", 11, 12, false},
		{"zero seed", 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			differ := false
			for i := range 4 {
				a, ta := tile(tileRNG(tc.seedA, i), 48)
				b, tb := tile(tileRNG(tc.seedB, i), 48)
				if !sameImage(a, b) || !slices.Equal(ta, tb) {
					differ = true
				}
			}
			if differ == tc.same {
				t.Errorf("tiles differ = %v, want %v", differ, !tc.same)
			}
		})
	}
}

func TestTileNilRNG(t *testing.T) {
	a, ta := tile(nil, 32)
	b, tb := tile(nil, 32)
	if !sameImage(a, b) || !slices.Equal(ta, tb) {
		t.Error("two tiles from a nil rng differ")
	}
}

func TestTileSize(t *testing.T) {
	tests := []struct{ ask, want int }{
		{64, 64}, {97, 97}, {1, MinSize}, {-5, MinSize}, {5000, MaxSize}, {MaxSize, MaxSize},
	}
	for _, tc := range tests {
		if got := clampSize(tc.ask); got != tc.want {
			t.Errorf("clampSize(%d) = %d, want %d", tc.ask, got, tc.want)
		}
		if tc.want > 100 {
			continue // rendering a large tile is slow and proves nothing more
		}
		img, _ := tile(tileRNG(1, 0), tc.ask)
		if b := img.Bounds(); b.Dx() != tc.want || b.Dy() != tc.want {
			t.Errorf("Tile(size %d) is %v, want %d px square", tc.ask, b, tc.want)
		}
	}
}

// tileStats is what TestLabelStatistics measures over many tiles.
type tileStats struct {
	n        int
	count    map[string]int
	contrast map[string]float64 // mean luminance spread per weather label
	bright   map[string]float64 // mean luminance per weather label
}

func collect(t *testing.T, n, size int, seed uint64) tileStats {
	t.Helper()
	st := tileStats{n: n, count: map[string]int{}, contrast: map[string]float64{}, bright: map[string]float64{}}
	weather := WeatherLabels()
	vocab := Labels()
	rules := Rules()
	for i := range n {
		img, tags := tile(tileRNG(seed, i), size)
		var w []string
		for _, tag := range tags {
			st.count[tag]++
			if slices.Contains(weather, tag) {
				w = append(w, tag)
			}
		}
		if len(w) != 1 {
			t.Fatalf("tile %d has weather labels %v, want exactly one", i, w)
		}
		if w[0] == "cloudy" && len(tags) != 1 {
			t.Errorf("cloudy tile %d also has %v", i, tags)
		}
		for _, r := range rules {
			if slices.Contains(tags, r.If) && !slices.Contains(tags, r.Then) {
				t.Errorf("tile %d %v breaks rule %s => %s", i, tags, r.If, r.Then)
			}
		}
		if !slices.IsSortedFunc(tags, func(a, b string) int {
			return slices.Index(vocab, a) - slices.Index(vocab, b)
		}) {
			t.Errorf("tile %d tags %v not in vocabulary order", i, tags)
		}
		mean, spread := luminance(img.(*image.RGBA))
		st.bright[w[0]] += mean / float64(n)
		st.contrast[w[0]] += spread / float64(n)
	}
	for _, w := range weather {
		st.bright[w] *= float64(n) / float64(st.count[w])
		st.contrast[w] *= float64(n) / float64(st.count[w])
	}
	return st
}

// luminance returns the mean and standard deviation of a tile's luminance.
func luminance(img *image.RGBA) (mean, sd float64) {
	var s, s2 float64
	n := float64(len(img.Pix) / 4)
	for i := 0; i < len(img.Pix); i += 4 {
		y := (0.299*float64(img.Pix[i]) + 0.587*float64(img.Pix[i+1]) + 0.114*float64(img.Pix[i+2])) / 255
		s += y
		s2 += y * y
	}
	mean = s / n
	return mean, math.Sqrt(max(s2/n-mean*mean, 0))
}

func TestLabelStatistics(t *testing.T) {
	st := collect(t, 2000, 40, 2026)
	frac := func(l string) float64 { return float64(st.count[l]) / float64(st.n) }
	t.Logf("counts %v contrast %v brightness %v", st.count, st.contrast, st.bright)
	for _, l := range rareLabels() {
		if f := frac(l); f < 0.005 || f > 0.06 {
			t.Errorf("rare label %s on %.1f%% of tiles, want 0.5..6%%", l, 100*f)
		}
	}
	for _, l := range Labels() {
		if slices.Contains(rareLabels(), l) {
			continue
		}
		if f := frac(l); f < 0.05 || f > 0.8 {
			t.Errorf("label %s on %.1f%% of tiles, want 5..80%%", l, 100*f)
		}
	}
	if f := frac("clear"); f < 0.5 {
		t.Errorf("clear on %.1f%% of tiles, want the most common weather", 100*f)
	}
	if st.contrast["haze"] >= 0.8*st.contrast["clear"] {
		t.Errorf("haze contrast %.3f not clearly below clear %.3f", st.contrast["haze"], st.contrast["clear"])
	}
	if st.bright["cloudy"] <= st.bright["clear"]+0.2 {
		t.Errorf("cloudy brightness %.3f not clearly above clear %.3f", st.bright["cloudy"], st.bright["clear"])
	}
}

func TestRiceNearWater(t *testing.T) {
	// A co-occurrence that is likely but not a rule: paddies need water.
	var rice, riceWater, dry, dryRice int
	for i := range 600 {
		_, tags := tile(tileRNG(5, i), 32)
		water := slices.Contains(tags, "water")
		if slices.Contains(tags, "rice") {
			rice++
			if water {
				riceWater++
			}
		}
		if !water && !slices.Contains(tags, "cloudy") {
			dry++
			if slices.Contains(tags, "rice") {
				dryRice++
			}
		}
	}
	pw, pd := float64(riceWater)/float64(rice), float64(dryRice)/float64(dry)
	t.Logf("P(water|rice) = %.2f, P(rice|no water) = %.2f", pw, pd)
	if pw < 0.5 || pd > 0.4 {
		t.Errorf("P(water|rice) = %.2f, P(rice|no water) = %.2f: rice should cluster near water", pw, pd)
	}
}
