package arch

import (
	"math/rand/v2"
	"strings"
	"testing"

	"mlabel/nn"
	"mlabel/tensor"
)

// unetParams counts the U-Net's parameters by hand: two 3×3 convolutions
// with batch norm (a scale and a shift per channel; the running statistics
// are buffers) per block, a 1×1 convolution with
// bias at the end.
func unetParams(c, w, l int) int {
	block := func(in, out int) int { return 9*in*out + 2*out + 9*out*out + 2*out }
	n := block(c, w) + block(w, 2*w) + block(2*w, 4*w) + block(4*w, 8*w)
	n += block(8*w+4*w, 4*w) + block(4*w+2*w, 2*w) + block(2*w+w, w)
	return n + w*l + l
}

func TestSegmentersShapes(t *testing.T) {
	small, err := Build("small", 32, 3, 2, Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	head, err := SegmentHead(small, "block2.relu", 5, 2)
	if err != nil {
		t.Fatal(err)
	}
	unet, err := BuildSegmenter("unet", 32, 4, 5, Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	tconv, err := BuildSegmenter("unet-tconv", 32, 4, 5, Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	// Each level's transposed convolution is 2×2 from the level below's
	// width c to the level's c/2, with a bias, and halves the channels its
	// first convolution reads from the upsampled side.
	tconvParams := unetParams(4, 4, 5)
	for _, c := range []int{32, 16, 8} {
		tconvParams += 4*c*(c/2) + c/2 - 9*(c/2)*(c/2)
	}
	tests := []struct {
		name     string
		spec     *nn.Spec
		channels int
		params   int
	}{
		{"unet", unet, 4, unetParams(4, 4, 5)},
		{"unet-tconv", tconv, 4, tconvParams},
		{"backbone head", head, 3, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := nn.Build(tc.spec, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			if tc.params > 0 && m.NumParams() != tc.params {
				t.Errorf("%d parameters, want %d", m.NumParams(), tc.params)
			}
			x := tensor.New(2, 32, 32, tc.channels)
			for i := range x.Data {
				x.Data[i] = rand.Float32()
			}
			y, err := m.Forward(x, true)
			if err != nil {
				t.Fatal(err)
			}
			if want := []int{2, 32, 32, 5}; !tensor.SameShape(y.Shape, want) {
				t.Fatalf("output %v, want %v", y.Shape, want)
			}
			g := tensor.New(y.Shape...)
			for i := range g.Data {
				g.Data[i] = 1
			}
			m.ZeroGrad()
			if err := m.Backward(g); err != nil {
				t.Fatal(err)
			}
			for _, p := range m.Params() {
				if p.Grad == nil {
					continue
				}
				nz := false
				for _, v := range p.Grad.Data {
					nz = nz || v != 0
				}
				if !nz {
					t.Errorf("parameter %s gets no gradient", p.Name)
				}
			}
		})
	}
}

func TestSegmenterErrors(t *testing.T) {
	small, err := Build("small", 32, 3, 2, Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"size", func() error { _, err := BuildSegmenter("unet", 36, 3, 2, Options{}); return err }, "not a multiple of 8"},
		{"name", func() error { _, err := BuildSegmenter("fcn", 32, 3, 2, Options{}); return err }, "unknown segmentation architecture"},
		{"labels", func() error { _, err := BuildSegmenter("unet", 32, 3, 0, Options{}); return err }, "must be positive"},
		{"cut", func() error { _, err := SegmentHead(small, "nowhere", 2, 2); return err }, "nowhere"},
		{"scale", func() error { _, err := SegmentHead(small, "block1.relu", 2, 0); return err }, "scale 0"},
	}
	for _, tc := range tests {
		if err := tc.run(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}
