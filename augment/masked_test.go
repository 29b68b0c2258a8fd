package augment

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestApplyMaskedMovesTogether marks one pixel in the image and the same
// pixel in the targets: after any augmentation the mark is at the same
// place in both, and the image is the one Apply gives for the same seed.
func TestApplyMaskedMovesTogether(t *testing.T) {
	const n = 8
	tests := []struct {
		name string
		p    Pipeline
	}{
		{"dihedral", Pipeline{Dihedral: true}},
		{"hflip", Pipeline{HFlip: true}},
		{"crop", Default().ForView(Overhead).WithCrop(0.5)},
		{"jitter", Pipeline{Dihedral: true, Brightness: 0.3, Contrast: 0.3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(16) {
				x := make([]float32, n*n*3)
				tg := make([]float32, n*n*2)
				for py := 2; py < 5; py++ {
					for px := 1; px < 3; px++ {
						i := py*n + px
						x[i*3], x[i*3+1], x[i*3+2] = 1, 1, 1
						tg[i*2] = 1
					}
				}
				for i := range n * n {
					tg[i*2+1] = float32(i % 2)
				}
				want := tc.p.Apply(x, n, rand.New(rand.NewPCG(seed, 1)))
				xo, to := tc.p.ApplyMasked(x, tg, n, rand.New(rand.NewPCG(seed, 1)))
				if !slices.Equal(want, xo) {
					t.Fatalf("seed %d: the image differs from Apply's", seed)
				}
				for i := range n * n {
					if v := to[i*2]; v != 0 && v != 1 {
						t.Fatalf("seed %d: target %g is not a value of the input", seed, v)
					}
				}
				if tc.p.Brightness > 0 || tc.p.Crop {
					continue // jitter moves image values, crops blur edges
				}
				for i := range n * n {
					if (xo[i*3] == 1) != (to[i*2] == 1) {
						t.Fatalf("seed %d: pixel %d is marked in the image %v but not in the targets %v", seed, i, xo[i*3], to[i*2])
					}
				}
			}
		})
	}
}
