package imageio

import (
	"strings"
	"testing"

	"mlabel/internal/fill"
)

// Every field of a preprocessing survives the conversion to the bundle's
// type and back; the bundle's type names every field as Preprocess does.
func TestPreprocessBundleRoundTrip(t *testing.T) {
	fill.RoundTrip(t, func(p Preprocess) Preprocess {
		got, err := PreprocessFromBundle(p.ToBundle())
		if err != nil {
			t.Fatal(err)
		}
		return got
	}, DefaultPreprocess(32))
	fill.SameJSON(t, Preprocess.ToBundle)
}

// Sizes that would make preprocessing allocate without limit are refused
// (a checksum proves a bundle intact, not harmless).
func TestPreprocessFromBundleRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		craft func(p *Preprocess)
		want  string
	}{
		{"huge size", func(p *Preprocess) { p.Size = 10000000 }, "preprocess size 10000000 is outside 0..2048"},
		{"negative size", func(p *Preprocess) { p.Size = -1 }, "preprocess size -1"},
		{"negative max pixels", func(p *Preprocess) { p.MaxPixels = -5 }, "negative preprocess max_pixels -5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultPreprocess(32)
			tc.craft(&p)
			_, err := PreprocessFromBundle(p.ToBundle())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
