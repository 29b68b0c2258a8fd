package predict

import (
	"image"
	"math"
	"testing"

	"mlabel/augment"
)

// dihedralImage returns the dihedral transform k of img (square).
func dihedralImage(img *image.RGBA, k int) *image.RGBA {
	n := img.Rect.Dx()
	src := make([]float32, len(img.Pix))
	for i, v := range img.Pix {
		src[i] = float32(v)
	}
	dst := make([]float32, len(src))
	augment.Dihedral(dst, src, n, 4, k)
	out := image.NewRGBA(img.Rect)
	for i, v := range dst {
		out.Pix[i] = uint8(v)
	}
	return out
}

// With test-time augmentation an image scores the mean of its transforms'
// plain scores: the 8 dihedral ones for an overhead model, identity and
// mirror for a ground model or one that records no view.
func TestTTAAveragesTransforms(t *testing.T) {
	imgs := []*image.RGBA{noise(32, 32, 1), noise(32, 32, 2)}
	for _, tc := range []struct {
		view   string
		passes int
	}{
		{"overhead", 8},
		{"ground", 2},
		{"", 2},
	} {
		p := testPredictor(t)
		p.b.View = tc.view
		view := augment.Ground
		if tc.view == "overhead" {
			view = augment.Overhead
		}
		var want [][]float64
		for _, img := range imgs {
			mean := make([]float64, len(p.b.Labels))
			for _, k := range augment.Transforms(view) {
				preds, err := p.Bytes([]string{"x"}, pngs(t, []image.Image{dihedralImage(img, k)}))
				if err != nil {
					t.Fatal(err)
				}
				for j, l := range p.b.Labels {
					mean[j] += preds[0].Scores[l] / float64(tc.passes)
				}
			}
			want = append(want, mean)
		}
		if got := p.SetTTA(true); got != tc.passes {
			t.Errorf("view %q: %d passes, want %d", tc.view, got, tc.passes)
		}
		preds, err := p.Bytes([]string{"a", "b"}, pngs(t, []image.Image{imgs[0], imgs[1]}))
		if err != nil {
			t.Fatal(err)
		}
		for i := range preds {
			for j, l := range p.b.Labels {
				if d := math.Abs(preds[i].Scores[l] - want[i][j]); d > 1e-6 {
					t.Errorf("view %q image %d label %s: TTA %g, mean of transforms %g", tc.view, i, l, preds[i].Scores[l], want[i][j])
				}
			}
		}
		// Off again: plain scores.
		if p.SetTTA(false) != 1 {
			t.Error("SetTTA(false) is not one pass")
		}
		plain, err := p.Bytes([]string{"a"}, pngs(t, []image.Image{imgs[0]}))
		if err != nil {
			t.Fatal(err)
		}
		if tc.view == "overhead" && math.Abs(plain[0].Scores["a"]-want[0][0]) < 1e-9 {
			t.Errorf("plain score equals the TTA mean: TTA made no difference")
		}
	}
}
