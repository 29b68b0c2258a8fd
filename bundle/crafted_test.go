package bundle

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"mlabel/imageio"
	"mlabel/nn"
)

// Checksum-valid bundles crafted to crash or exhaust memory are refused
// with an error, at Read or when their network is built.
func TestCraftedBundles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		craft func(b *Bundle)
		want  string
	}{
		{"output width differs from labels", func(b *Bundle) { b.Labels = b.Labels[:2] }, "the bundle has 2 labels"},
		{"more labels than outputs", func(b *Bundle) { b.Labels = append(b.Labels, "d") }, "the bundle has 4 labels"},
		{"huge kernel", func(b *Bundle) {
			for i, n := range b.Spec.Nodes {
				if n.Op == nn.OpConv2D {
					b.Spec.Nodes[i].Attrs.Kernel = [2]int{1 << 16, 1 << 16}
					return
				}
			}
		}, "is declared with shape [65536 65536"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := testBundle(t)
			tc.craft(b)
			got, err := Read(encode(t, b))
			if err == nil {
				if _, merr := got.Model(); merr == nil {
					t.Error("Model accepts the bundle")
				}
				_, err = got.InferenceModel()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// Bundles whose parts disagree, or hold values no training gives, are
// refused when read, with an error naming the part.
func TestInconsistentBundles(t *testing.T) {
	weight := func(b *Bundle) []float32 {
		for _, name := range []string{"head.weight", "fc.weight"} {
			if w, ok := b.Weights[name]; ok {
				return w.Data
			}
		}
		for _, w := range b.Weights {
			if len(w.Data) > 0 {
				return w.Data
			}
		}
		t.Fatal("no weights")
		return nil
	}
	for _, tc := range []struct {
		name  string
		craft func(b *Bundle)
		want  string
	}{
		{"preprocess size differs from the input", func(b *Bundle) { b.Preprocess.Size = 2048 }, "preprocess size 2048 with 3 channels differs from the network's input [32 32 3]"},
		{"huge preprocess size", func(b *Bundle) { b.Preprocess.Size = 10000000 }, "preprocess size 10000000 is outside 0..2048"},
		{"negative preprocess size", func(b *Bundle) { b.Preprocess.Size = -1 }, "preprocess size -1"},
		{"negative max pixels", func(b *Bundle) { b.Preprocess.MaxPixels = -5 }, "negative preprocess max_pixels -5"},
		{"bands differ from the input channels", func(b *Bundle) {
			b.Preprocess.Bands = []int{1, 2}
			b.Preprocess.BandStats = []imageio.BandStat{{Low: 0, High: 1, Mean: 0.5, Std: 0.2}, {Low: 0, High: 1, Mean: 0.5, Std: 0.2}}
		}, "with 2 channels differs"},
		{"too many nodes", func(b *Bundle) {
			for i := range MaxNodes {
				b.Spec.Nodes = append(b.Spec.Nodes, nn.Node{Name: fmt.Sprint("extra", i), Op: nn.OpReLU, Inputs: []string{b.Spec.Nodes[0].Name}})
			}
		}, "over the limit of 20000"},
		{"negative batch-norm epsilon", func(b *Bundle) {
			for i, n := range b.Spec.Nodes {
				if n.Op == nn.OpBatchNorm {
					b.Spec.Nodes[i].Attrs.Eps = -1e-3
					return
				}
			}
			t.Fatal("no batch norm")
		}, "epsilon -0.001"},
		{"NaN weight", func(b *Bundle) { weight(b)[0] = float32(math.NaN()) }, "holds NaN at index 0"},
		{"infinite weight", func(b *Bundle) { weight(b)[1] = float32(math.Inf(-1)) }, "holds -Inf at index 1"},
		{"duplicate label", func(b *Bundle) { b.Labels[2] = "a" }, `label "a" appears twice`},
		{"empty label", func(b *Bundle) { b.Labels[1] = " " }, "label 1 is empty"},
		{"tiny std", func(b *Bundle) { b.Preprocess.Std[1] = 1e-45 }, "channel 1 has mean 0.456 and std 1e-45"},
		{"negative band std", func(b *Bundle) {
			b.Preprocess.Bands = []int{1, 2, 3}
			b.Preprocess.BandStats = []imageio.BandStat{{Low: 0, High: 1, Mean: 0.5, Std: 0.2}, {Low: 0, High: 1, Mean: 0.5, Std: -0.2}, {Low: 0, High: 1, Mean: 0.5, Std: 0.2}}
		}, "statistics of band 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := testBundle(t)
			tc.craft(b)
			_, err := Read(encode(t, b))
			if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrFormat with %q", err, tc.want)
			}
		})
	}
	if _, err := Read(encode(t, testBundle(t))); err != nil {
		t.Fatalf("the consistent bundle: %v", err)
	}
}
