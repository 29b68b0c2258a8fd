package loss

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"mlabel/tensor"
)

type goldenCase struct {
	Name     string         `json:"name"`
	LossName string         `json:"loss_name"`
	Opts     map[string]any `json:"opts"`
	Shape    []int          `json:"shape"`
	Logits   []float32      `json:"logits"`
	Targets  []float32      `json:"targets"`
	Mask     []float32      `json:"mask"`
	Loss     float64        `json:"loss"`
	Grad     []float64      `json:"grad"`
}

// optsFrom maps the generator's option names onto Options.
func optsFrom(t *testing.T, m map[string]any) Options {
	t.Helper()
	var o Options
	for k, v := range m {
		switch k {
		case "pos_weight":
			for _, w := range v.([]any) {
				o.PosWeight = append(o.PosWeight, float32(w.(float64)))
			}
		case "gamma":
			o.Gamma = v.(float64)
		case "alpha":
			o.Alpha = v.(float64)
		case "gamma_neg":
			o.GammaNeg = v.(float64)
		case "gamma_pos":
			o.GammaPos = v.(float64)
		case "clip":
			o.Clip = v.(float64)
		default:
			t.Fatalf("unknown option %q", k)
		}
	}
	return o
}

func mustTensor(t *testing.T, data []float32, shape []int) *tensor.Tensor {
	t.Helper()
	if data == nil {
		return nil
	}
	x, err := tensor.FromData(data, shape...)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func relClose(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), 1e-9)
}

func TestGoldenPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) == 0 {
		t.Fatal("no golden cases")
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			l, err := ByName(c.LossName, optsFrom(t, c.Opts))
			if err != nil {
				t.Fatal(err)
			}
			grad := tensor.New(c.Shape...)
			got, err := l.Compute(mustTensor(t, c.Logits, c.Shape), mustTensor(t, c.Targets, c.Shape),
				mustTensor(t, c.Mask, c.Shape), grad)
			if err != nil {
				t.Fatal(err)
			}
			if !relClose(got, c.Loss, 1e-5) {
				t.Errorf("loss = %.9g, want %.9g", got, c.Loss)
			}
			for i, w := range c.Grad {
				if !relClose(float64(grad.Data[i]), w, 1e-5) {
					t.Errorf("grad[%d] = %.9g, want %.9g", i, grad.Data[i], w)
				}
			}
		})
	}
}

// allLosses returns one configuration of each loss, with non-default
// parameters where they exercise more of the formula.
func allLosses() []Loss {
	return []Loss{
		NewBCE(nil),
		NewBCE([]float32{0.5, 1, 2, 4}),
		newFocal(2, 0.25),
		newFocal(0.5, -1),
		newASL(4, 1, 0.05),
		newASL(2, 0, 0),
		newASL(1, 3, 0.2),
	}
}

func randomProblem(rng *rand.Rand, n, l int, masked bool) (x, y, m *tensor.Tensor) {
	x, y = tensor.New(n, l), tensor.New(n, l)
	for i := range x.Data {
		x.Data[i] = float32(rng.Float64()*10 - 5)
		if rng.Float64() < 0.4 {
			y.Data[i] = 1
		}
	}
	if masked {
		m = tensor.New(n, l)
		for i := range m.Data {
			if rng.Float64() < 0.7 {
				m.Data[i] = 1
			}
		}
	}
	return x, y, m
}

func TestFiniteDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, l := range allLosses() {
		for _, masked := range []bool{false, true} {
			x, y, m := randomProblem(rng, 3, 4, masked)
			grad := tensor.New(3, 4)
			if _, err := l.Compute(x, y, m, grad); err != nil {
				t.Fatal(err)
			}
			checkFiniteDiff(t, l, x, y, m, grad)
		}
	}
}
