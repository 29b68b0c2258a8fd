package nn

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestConvTransposeGradients(t *testing.T) {
	cases := []struct {
		name string
		a    Attrs
		in   []int
	}{
		{"k2_s2_bias", Attrs{Filters: 3, Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}, Bias: true}, []int{2, 2, 3, 2}},
		{"k3_s2_p1", Attrs{Filters: 2, Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}}, []int{1, 3, 3, 2}},
		{"k3_s1_asympad", Attrs{Filters: 2, Kernel: [2]int{3, 3}, Pad: [4]int{0, 1, 2, 0}, Bias: true}, []int{2, 3, 2, 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gradCheck(t, Node{Name: c.name, Op: OpConvTranspose, Attrs: c.a}, [][]int{c.in}, true)
		})
	}
}

func TestConvTransposeMatchesPyTorch(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "layers_transpose", "*.bin"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".bin"), func(t *testing.T) {
			g, err := readGolden(f)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, g)
		})
	}
}

func TestConvTransposeRefusesBadAttrs(t *testing.T) {
	tests := []struct {
		name string
		a    Attrs
		in   []int
		want string
	}{
		{"filters", Attrs{Kernel: [2]int{2, 2}}, []int{1, 2, 2, 1}, "filters"},
		{"groups", Attrs{Filters: 2, Kernel: [2]int{2, 2}, Groups: 2}, []int{1, 2, 2, 2}, "one group"},
		{"act", Attrs{Filters: 2, Kernel: [2]int{2, 2}, Act: OpReLU}, []int{1, 2, 2, 2}, "fused activation"},
		{"padding eats all", Attrs{Filters: 2, Kernel: [2]int{1, 1}, Pad: [4]int{1, 0, 1, 0}}, []int{1, 1, 2, 2}, "leaves no output"},
	}
	for _, tc := range tests {
		_, err := newLayer(Node{Name: tc.name, Op: OpConvTranspose, Attrs: tc.a}, [][]int{tc.in}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}
