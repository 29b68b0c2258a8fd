package masks

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"mlabel/imageio/imagetest"
)

func writeGray(t *testing.T, path string, w, h int, pix []uint8) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	copy(img.Pix, pix)
	writeImage(t, path, img)
}

func writeImage(t *testing.T, path string, img image.Image) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func TestBinaryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	labels := []string{"road", "water", "cloud"}
	// 3×2: road on the top row, water on the left column.
	road := []bool{true, true, true, false, false, false}
	water := []bool{true, false, false, true, false, false}
	if err := WriteBinary(dir, "photos/a.jpg", "road", 3, 2, road); err != nil {
		t.Fatal(err)
	}
	if err := WriteBinary(dir, "a", "water", 3, 2, water); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Layout != Binary {
		t.Fatalf("layout %s, want binary", s.Layout)
	}
	m, err := s.Load("a.jpg", labels)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		want := []uint8{b2u(road[i]), b2u(water[i]), 0}
		if got := m.Data[i*3 : i*3+3]; !slices.Equal(got, want) {
			t.Errorf("pixel %d: %v, want %v", i, got, want)
		}
	}
	if got := m.Tags(); !slices.Equal(got, []string{"road", "water"}) {
		t.Errorf("tags %v, want road water", got)
	}
}

func b2u(b bool) uint8 {
	if b {
		return Present
	}
	return Absent
}

func TestIndexedRoundTrip(t *testing.T) {
	dir := t.TempDir()
	legend := []string{"maize", "water"}
	if err := WriteLegend(dir, legend); err != nil {
		t.Fatal(err)
	}
	class := []uint8{0, 1, 2, Ignore}
	if err := WriteIndexed(filepath.Join(dir, "b.png"), 2, 2, class, 2); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Layout != Indexed || !slices.Equal(s.Legend, legend) {
		t.Fatalf("layout %s legend %v", s.Layout, s.Legend)
	}
	// The vocabulary's order differs from the legend's.
	vocab := []string{"water", "maize", "road"}
	m, err := s.Load("b.tif", vocab)
	if err != nil {
		t.Fatal(err)
	}
	want := []uint8{0, 0, 0, 0, 1, 0, 1, 0, 0, Ignore, Ignore, Ignore}
	if !slices.Equal(m.Data, want) {
		t.Errorf("data %v, want %v", m.Data, want)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"binary bad value", func(t *testing.T, dir string) {
			writeGray(t, filepath.Join(dir, "a", "road.png"), 2, 1, []uint8{0, 7})
		}, "pixel (1, 0) has value 7"},
		{"binary sizes differ", func(t *testing.T, dir string) {
			writeGray(t, filepath.Join(dir, "a", "road.png"), 2, 1, []uint8{0, 255})
			writeGray(t, filepath.Join(dir, "a", "water.png"), 1, 1, []uint8{0})
		}, "is 1×1, the other masks of a are 2×1"},
		{"binary unknown label", func(t *testing.T, dir string) {
			writeGray(t, filepath.Join(dir, "a", "snow.png"), 1, 1, []uint8{0})
		}, `label "snow" is not among the labels`},
		{"binary empty folder", func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, "a"), 0o755)
		}, "holds no PNG"},
		{"colour PNG", func(t *testing.T, dir string) {
			img := image.NewRGBA(image.Rect(0, 0, 1, 1))
			img.Set(0, 0, color.RGBA{1, 2, 3, 255})
			writeImage(t, filepath.Join(dir, "a", "road.png"), img)
		}, "is a colour PNG, want 8-bit grey or paletted"},
		{"indexed value beyond legend", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, LegendName), []byte("road\nwater\n"), 0o644)
			writeGray(t, filepath.Join(dir, "a.png"), 1, 1, []uint8{3})
		}, "has value 3, but the legend has 2 labels"},
		{"not a PNG", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, LegendName), []byte("road\n"), 0o644)
			os.WriteFile(filepath.Join(dir, "a.png"), []byte("not a png"), 0o644)
		}, "a.png: png: invalid format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Load("a", []string{"road", "water"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestReadLegendErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"road\nroad\n", "listed twice"},
		{"a/b\n", "cannot name a mask file"},
		{"# only a comment\n\n", "lists no label"},
		{strings.Repeat("x\n", 1) + func() string {
			var b strings.Builder
			for i := range 255 {
				b.WriteString("l" + string(rune('a'+i%26)) + strings.Repeat("z", i/26) + "\n")
			}
			return b.String()
		}(), "at most 254"},
	}
	for _, tc := range tests {
		_, err := readLegend(strings.NewReader(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("legend %.20q: error %v, want %q", tc.text, err, tc.want)
		}
	}
}

func TestResizeNearest(t *testing.T) {
	m := New(2, 2, []string{"a"})
	copy(m.Data, []uint8{1, 0, 0, Ignore})
	tests := []struct {
		w, h int
		want []uint8
	}{
		{4, 4, []uint8{1, 1, 0, 0, 1, 1, 0, 0, 0, 0, Ignore, Ignore, 0, 0, Ignore, Ignore}},
		{1, 1, []uint8{Ignore}},
		{2, 1, []uint8{0, Ignore}},
		{2, 2, []uint8{1, 0, 0, Ignore}},
	}
	for _, tc := range tests {
		got := m.Resize(tc.w, tc.h)
		if got.W != tc.w || got.H != tc.h || !slices.Equal(got.Data, tc.want) {
			t.Errorf("resize to %d×%d: %v, want %v", tc.w, tc.h, got.Data, tc.want)
		}
	}
}

func TestCheckNamesBadFiles(t *testing.T) {
	dir := t.TempDir()
	writeGray(t, filepath.Join(dir, "good", "road.png"), 2, 2, []uint8{0, 255, 0, 0})
	writeGray(t, filepath.Join(dir, "small", "road.png"), 1, 1, []uint8{0})
	writeGray(t, filepath.Join(dir, "bad", "road.png"), 2, 2, []uint8{0, 9, 0, 0})
	writeGray(t, filepath.Join(dir, "untagged", "water.png"), 2, 2, []uint8{0, 255, 0, 0})
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	vocab, err := s.Vocabulary([]string{"good", "small", "bad", "untagged", "missing"})
	if err != nil || !slices.Equal(vocab, []string{"road", "water"}) {
		t.Fatalf("vocabulary %v (%v), want road water", vocab, err)
	}
	o := CheckOptions{
		Labels: vocab,
		Size:   func(string) (int, int, error) { return 2, 2, nil },
		Tags: func(im string) ([]string, bool) {
			if im == "untagged" {
				return []string{"road"}, true
			}
			return nil, false
		},
	}
	probs := s.Check([]string{"good", "small", "bad", "untagged", "missing"}, o)
	var got []string
	for _, p := range probs {
		got = append(got, filepath.Base(p.File)+": "+p.Message)
	}
	want := []string{"small: mask is 1×1, its image 2×2", "bad: ", "untagged: tag road has no pixel", "untagged: the mask shows water, which", "missing: no mask for image missing"}
	if len(got) != len(want) {
		t.Fatalf("problems %q, want %d", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d: %q, want prefix %q", i, got[i], want[i])
		}
	}
	if !strings.Contains(got[1], "has value 9") {
		t.Errorf("problem %q does not give the bad value", got[1])
	}
	if probs[0].Warning || !probs[2].Warning || !probs[3].Warning {
		t.Errorf("severities: %v", probs)
	}
}

func TestPaletteDistinct(t *testing.T) {
	p := Palette(14)
	seen := map[color.Color]int{}
	for j := 0; j <= 14; j++ {
		if k, dup := seen[p[j]]; dup {
			t.Errorf("classes %d and %d share colour %v", k, j, p[j])
		}
		seen[p[j]] = j
	}
}

// A mask whose pixels times the labels exceed MaxValues is refused from its
// header, before its pixels are read: an 8000×8000 mask of eight labels
// would take 512 MB.
func TestLoadRefusesLargeMaskFromHeader(t *testing.T) {
	labels := []string{"a", "b", "c", "d", "e", "f", "g", "road"}
	for _, layout := range []Layout{Indexed, Binary} {
		t.Run(string(layout), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "x", "road.png")
			if layout == Indexed {
				os.WriteFile(filepath.Join(dir, LegendName), []byte(strings.Join(labels, "\n")+"\n"), 0o644)
				path = filepath.Join(dir, "x.png")
			}
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, imagetest.PNGHeader(8000, 8000), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err = s.Load("x", labels)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "8 labels") || !strings.Contains(err.Error(), "over the limit of 268435456") {
				t.Fatalf("error %v", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("allocated %d bytes to refuse it", alloc)
			}
		})
	}
}
