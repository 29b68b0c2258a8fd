package nn_test

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/arch"
	"mlabel/nn"
	"mlabel/tensor"
)

// torchCase is one network whose PyTorch outputs and gradients are in
// testdata/models (written by testdata/gen_models.py).
type torchCase struct {
	file string
	arch string
	size int
	opt  arch.Options
}

var torchCases = []torchCase{
	{"small_w8_32px.bin", "small", 32, arch.Options{Width: 8}},
	{"resnet18_w8_64px.bin", "resnet18", 64, arch.Options{Width: 8}},
}

// golden loads a golden file and splits it by prefix.
func golden(t *testing.T, file string) (all map[string]*tensor.Tensor, sub func(prefix string) map[string]*tensor.Tensor) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "models", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err = nn.ReadWeights(f)
	if err != nil {
		t.Fatal(err)
	}
	return all, func(prefix string) map[string]*tensor.Tensor {
		m := map[string]*tensor.Tensor{}
		for k, v := range all {
			if name, ok := strings.CutPrefix(k, prefix); ok {
				m[name] = v
			}
		}
		return m
	}
}

// assertClose checks got against want within 1e-4 relative, with an
// absolute floor of 1e-5 of want's largest magnitude (and 1e-7).
func assertClose(t *testing.T, what string, got, want *tensor.Tensor) {
	t.Helper()
	if got == nil || tensor.Size(got.Shape) != tensor.Size(want.Shape) {
		t.Errorf("%s: got %v, want shape %v", what, got, want.Shape)
		return
	}
	var peak float64
	for _, v := range want.Data {
		peak = math.Max(peak, math.Abs(float64(v)))
	}
	floor := math.Max(1e-5*peak, 1e-7)
	worst, at := 0.0, -1
	for i, w := range want.Data {
		d := math.Abs(float64(got.Data[i] - w))
		if excess := d - (1e-4*math.Abs(float64(w)) + floor); excess > worst {
			worst, at = excess, i
		}
	}
	if at >= 0 {
		t.Errorf("%s[%d] = %g, want %g (peak %g)", what, at, got.Data[at], want.Data[at], peak)
	}
}

// bceGrad returns the gradient of mean BCE-with-logits with respect to the
// logits.
func bceGrad(logits, target *tensor.Tensor) *tensor.Tensor {
	g := tensor.New(logits.Shape...)
	n := float64(len(g.Data))
	for i, z := range logits.Data {
		g.Data[i] = float32((1/(1+math.Exp(-float64(z))) - float64(target.Data[i])) / n)
	}
	return g
}

func buildTorchCase(t *testing.T, tc torchCase, labels int) (*nn.Spec, *nn.Model) {
	t.Helper()
	spec, err := arch.Build(tc.arch, tc.size, 3, labels, tc.opt)
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	return spec, m
}

func TestModelsMatchPyTorch(t *testing.T) {
	for _, tc := range torchCases {
		t.Run(tc.arch, func(t *testing.T) {
			all, sub := golden(t, tc.file)
			target := all["target"]
			spec, m := buildTorchCase(t, tc, target.Shape[1])
			w := sub("w/")
			if err := m.SetWeights(w); err != nil {
				t.Fatal(err)
			}
			y, err := m.Forward(all["x"], false)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "eval logits", y, all["eval_logits"])

			fs, fw, err := nn.Fuse(spec, w)
			if err != nil {
				t.Fatal(err)
			}
			fm, err := nn.Build(fs, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			if err := fm.SetWeights(fw); err != nil {
				t.Fatal(err)
			}
			fy, err := fm.Forward(all["x"], false)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "fused eval logits", fy, all["eval_logits"])
			if len(fs.Nodes) >= len(spec.Nodes) {
				t.Errorf("fused graph has %d nodes, unfused %d", len(fs.Nodes), len(spec.Nodes))
			}

			m.ZeroGrad()
			y, err = m.Forward(all["x"], true)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "train logits", y, all["train_logits"])
			if err := m.Backward(bceGrad(y, target)); err != nil {
				t.Fatal(err)
			}
			grads := sub("g/")
			for _, p := range m.Params() {
				if p.Grad == nil {
					assertClose(t, "running stat "+p.Name, p.Value, all["after/"+p.Name])
					continue
				}
				want, ok := grads[p.Name]
				if !ok {
					t.Errorf("no PyTorch gradient for %s", p.Name)
					continue
				}
				assertClose(t, "grad "+p.Name, p.Grad, want)
			}
		})
	}
}

func TestBuildWithoutRandomSource(t *testing.T) {
	s, err := arch.Build("mobilenetv2", 32, 3, 2, arch.Options{WidthMult: 0.25, Dropout: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nn.Build(s, nil); err != nil {
		t.Fatal(err)
	}
}

func TestActivationReuse(t *testing.T) {
	all, sub := golden(t, torchCases[1].file)
	spec, _ := buildTorchCase(t, torchCases[1], all["target"].Shape[1])
	fs, fw, err := nn.Fuse(spec, sub("w/"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(fs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetWeights(fw); err != nil {
		t.Fatal(err)
	}
	if err := m.SetActivationReuse(true, "nope"); err == nil {
		t.Error("keeping a missing node: no error")
	}
	if err := m.SetActivationReuse(true, "layer4.1"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		y, err := m.Forward(all["x"], false)
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, "logits with reuse", y, all["eval_logits"])
	}
	if m.Activation("layer4.1") == nil || m.Activation("layer2.0") != nil {
		t.Error("kept activation missing, or recycled activation still exposed")
	}
	if err := m.Backward(tensor.New(2, 5)); err == nil {
		t.Error("Backward after a recycling eval forward: no error")
	}
	if _, err := m.Forward(all["x"], true); err != nil {
		t.Fatal(err)
	}
	if m.Activation("layer2.0") == nil {
		t.Error("training forward does not keep activations")
	}
	if err := m.SetActivationReuse(false); err != nil {
		t.Fatal(err)
	}
	y, err := m.Forward(all["x"], false)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "logits without reuse", y, all["eval_logits"])
}
