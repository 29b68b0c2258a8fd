package augment

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// ramp returns an n×n single-channel image whose pixel (x, y) is y*n+x.
func ramp(n int) []float32 {
	x := make([]float32, n*n)
	for i := range x {
		x[i] = float32(i)
	}
	return x
}

func TestDihedral(t *testing.T) {
	// 2×2 image a b / c d.
	src := []float32{1, 2, 3, 4}
	for _, tc := range []struct {
		k    int
		want []float32
	}{
		{0, []float32{1, 2, 3, 4}},
		{1, []float32{3, 1, 4, 2}}, // quarter turn clockwise
		{2, []float32{4, 3, 2, 1}},
		{3, []float32{2, 4, 1, 3}},
		{4, []float32{2, 1, 4, 3}}, // mirror
		{5, []float32{4, 2, 3, 1}},
		{6, []float32{3, 4, 1, 2}}, // vertical flip
		{7, []float32{1, 3, 2, 4}}, // transpose
	} {
		dst := make([]float32, 4)
		Dihedral(dst, src, 2, 1, tc.k)
		if !reflect.DeepEqual(dst, tc.want) {
			t.Errorf("k=%d: got %v, want %v", tc.k, dst, tc.want)
		}
	}
}

func TestDihedralGroup(t *testing.T) {
	const n, c = 5, 3
	src := make([]float32, n*n*c)
	for i := range src {
		src[i] = float32(i)
	}
	seen := map[string]bool{}
	for k := 0; k < 8; k++ {
		dst := make([]float32, len(src))
		Dihedral(dst, src, n, c, k)
		seen[fmt.Sprint(dst)] = true
		// Channels travel together: each pixel stays a consecutive triple.
		for i := 0; i < len(dst); i += c {
			if dst[i+1] != dst[i]+1 || dst[i+2] != dst[i]+2 {
				t.Fatalf("k=%d: pixel %d split its channels", k, i/c)
			}
		}
		// The mirror transforms are involutions; quarter turn applied four
		// times is the identity.
		back := make([]float32, len(src))
		inv := map[int]int{0: 0, 1: 3, 2: 2, 3: 1, 4: 4, 5: 5, 6: 6, 7: 7}[k]
		Dihedral(back, dst, n, c, inv)
		if !reflect.DeepEqual(back, src) {
			t.Fatalf("k=%d followed by k=%d is not the identity", k, inv)
		}
	}
	if len(seen) != 8 {
		t.Fatalf("%d distinct transforms, want 8", len(seen))
	}
}

func TestCropBox(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 500; i++ {
		x0, y0, w, h := cropBox(64, [2]float64{0.5, 1}, [2]float64{0.75, 4.0 / 3}, rng)
		if x0 < 0 || y0 < 0 || x0+w > 64 || y0+h > 64 {
			t.Fatalf("box %v %v %v %v outside the image", x0, y0, w, h)
		}
		if a := w * h / 64 / 64; a < 0.45 || a > 1.001 {
			t.Fatalf("area fraction %v outside the scale range", a)
		}
		if r := w / h; r < 0.7 || r > 1.4 {
			t.Fatalf("ratio %v outside the ratio range", r)
		}
	}
}

func TestResizedCrop(t *testing.T) {
	src := ramp(4)
	dst := make([]float32, 16)
	resizedCrop(dst, src, 4, 1, 0, 0, 4, 4)
	if !reflect.DeepEqual(dst, src) {
		t.Errorf("full crop changed the image: %v", dst)
	}
	// The top-left 2×2 quarter magnified: corners come from that quarter.
	resizedCrop(dst, src, 4, 1, 0, 0, 2, 2)
	if dst[0] != 0 || dst[15] != 5 || dst[5] > dst[10] {
		t.Errorf("quarter crop %v", dst)
	}
}

func TestJitter(t *testing.T) {
	x := []float32{0.2, 0.4, 0.6}
	jitter(x, 1, 2) // contrast doubles distances from the mean 0.4
	want := []float32{0, 0.4, 0.8}
	for i := range x {
		if math.Abs(float64(x[i]-want[i])) > 1e-6 {
			t.Fatalf("contrast: %v, want %v", x, want)
		}
	}
	x = []float32{0.5, 0.9}
	jitter(x, 1.5, 1)
	if x[0] != 0.75 || x[1] != 1 {
		t.Fatalf("brightness with clamping: %v", x)
	}
}

func TestPipeline(t *testing.T) {
	p := Default().WithCrop(0.6).WithJitter(0.2)
	if !p.Crop || p.CropScale != [2]float64{0.6, 1} || p.Brightness != 0.2 || p.Contrast != 0.2 {
		t.Fatalf("WithCrop, WithJitter: %+v", p)
	}
	if q := p.WithCrop(0).WithJitter(0); q.Crop || q.Brightness != 0 || q.Contrast != 0 {
		t.Fatalf("WithCrop(0), WithJitter(0): %+v", q)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(p)
	var q Pipeline
	if err := json.Unmarshal(b, &q); err != nil || q != p {
		t.Fatalf("JSON round trip: %v %+v", err, q)
	}
	const n = 16
	x := make([]float32, n*n*3)
	for i := range x {
		x[i] = float32(i%97) / 97
	}
	orig := append([]float32(nil), x...)
	a := p.Apply(x, n, rand.New(rand.NewPCG(7, 7)))
	b2 := p.Apply(x, n, rand.New(rand.NewPCG(7, 7)))
	c := p.Apply(x, n, rand.New(rand.NewPCG(8, 7)))
	if !reflect.DeepEqual(x, orig) {
		t.Error("Apply modified its input")
	}
	if !reflect.DeepEqual(a, b2) {
		t.Error("same seed, different result")
	}
	if reflect.DeepEqual(a, c) {
		t.Error("different seeds, same result")
	}
	for _, v := range a {
		if v < 0 || v > 1 {
			t.Fatalf("value %v outside [0, 1]", v)
		}
	}
	for _, bad := range []Pipeline{
		{Crop: true, CropScale: [2]float64{0, 1}, CropRatio: [2]float64{1, 1}},
		{Crop: true, CropScale: [2]float64{0.5, 1}, CropRatio: [2]float64{2, 1}},
		{Brightness: 1.5},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// InverseDihedral's transform undoes each transform of a non-square
// pattern.
func TestInverseDihedral(t *testing.T) {
	const n, c = 3, 2
	src := make([]float32, n*n*c)
	for i := range src {
		src[i] = float32(i)
	}
	for k := range 8 {
		fwd, back := make([]float32, len(src)), make([]float32, len(src))
		Dihedral(fwd, src, n, c, k)
		Dihedral(back, fwd, n, c, InverseDihedral(k))
		for i := range src {
			if back[i] != src[i] {
				t.Fatalf("transform %d then %d moves value %d to %g", k, InverseDihedral(k), i, back[i])
			}
		}
	}
}
