package bundle

import (
	"strings"
	"testing"

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
