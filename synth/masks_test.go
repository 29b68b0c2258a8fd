package synth

import (
	"image"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/masks"
)

func TestTileMasksMatchTile(t *testing.T) {
	for i := range 20 {
		a, ta := tile(tileRNG(5, i), 48)
		b, tb, m := tileMasks(tileRNG(5, i), 48)
		if !slices.Equal(ta, tb) || !slices.Equal(a.(*image.RGBA).Pix, b.(*image.RGBA).Pix) {
			t.Fatalf("tile %d: TileMasks renders another tile than Tile", i)
		}
		if len(m) != len(tb) {
			t.Fatalf("tile %d: %d masks for tags %v", i, len(m), tb)
		}
	}
}

func TestGenerateMasks(t *testing.T) {
	dir := t.TempDir()
	const size = 40
	csvPath, err := Generate(Options{Dir: dir, Count: 30, Size: size, Seed: 9, Masks: true})
	if err != nil {
		t.Fatal(err)
	}
	set, err := masks.Open(filepath.Join(dir, MasksDir))
	if err != nil {
		t.Fatal(err)
	}
	if set.Layout != masks.Binary {
		t.Fatalf("layout %s, want binary", set.Layout)
	}
	labels := Labels()
	frac := map[string]float32{}
	for l := lMaize; l < numLabels; l++ {
		frac[labelNames[l]] = minFrac[l]
	}
	for _, row := range readTags(t, csvPath) {
		m, err := set.Load(row[0], labels)
		if err != nil {
			t.Fatal(err)
		}
		tags := strings.Fields(row[1])
		if got := m.Tags(); !slices.Equal(got, tags) {
			t.Errorf("%s: masks show %v, the CSV says %v", row[0], got, tags)
		}
		counts := make([]int, len(labels))
		for i, v := range m.Data {
			if v == masks.Present {
				counts[i%len(labels)]++
			}
		}
		for j, l := range labels {
			switch {
			case (l == "clear" || l == "haze") && slices.Contains(tags, l) && counts[j] != size*size:
				t.Errorf("%s: %s covers %d pixels, want the whole tile", row[0], l, counts[j])
			case frac[l] > 0 && slices.Contains(tags, l) && float32(counts[j]) < frac[l]*size*size:
				t.Errorf("%s: %s shows on %d pixels, under its minimum of %.0f", row[0], l, counts[j], frac[l]*size*size)
			}
		}
	}
}
