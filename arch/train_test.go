package arch

import (
	"math/rand/v2"
	"testing"

	"mlabel/loss"
	"mlabel/nn"
	"mlabel/optim"
	"mlabel/tensor"
)

// squaresColours are the colours of the four labels' squares.
var squaresColours = [4][3]float32{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}}

// squaresBatch draws n size×size images on a noisy grey background; label k
// is present (probability 1/2) when a square of colour k is drawn somewhere.
func squaresBatch(rng *rand.Rand, n, size int) (x, y *tensor.Tensor) {
	x, y = tensor.New(n, size, size, 3), tensor.New(n, 4)
	for i := range n {
		img := x.Data[i*size*size*3 : (i+1)*size*size*3]
		for p := range img {
			img[p] = 0.4 + 0.1*float32(rng.NormFloat64())
		}
		for k, col := range squaresColours {
			if rng.IntN(2) == 0 {
				continue
			}
			y.Data[i*4+k] = 1
			s := 5 + rng.IntN(4)
			r0, c0 := rng.IntN(size-s), rng.IntN(size-s)
			for r := r0; r < r0+s; r++ {
				for c := c0; c < c0+s; c++ {
					copy(img[(r*size+c)*3:], col[:])
				}
			}
		}
	}
	return x, y
}

// TestSmallLearnsSquares trains the small network (base width 8, 32 px) on
// the coloured-squares task: within maxSteps steps of SGD with momentum, the
// BCE on a held-out batch, in eval mode, must fall below wantLoss.
func TestSmallLearnsSquares(t *testing.T) {
	const (
		size, batch = 32, 16
		maxSteps    = 125
		wantLoss    = 0.1
	)
	s, err := Build("small", size, 3, 4, Options{Width: 8})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	m, err := nn.Build(s, rng)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.NewSGD(m.Params(), optim.SGDConfig{Momentum: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	bce := loss.NewBCE(nil)
	valX, valY := squaresBatch(rand.New(rand.NewPCG(99, 99)), 64, size)
	grad := tensor.New(batch, 4)
	evalLoss := func() float64 {
		logits, err := m.Forward(valX, false)
		if err != nil {
			t.Fatal(err)
		}
		l, err := bce.Compute(logits, valY, nil, tensor.New(logits.Shape...))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	start := evalLoss()
	for step := 1; step <= maxSteps; step++ {
		x, y := squaresBatch(rng, batch, size)
		m.ZeroGrad()
		logits, err := m.Forward(x, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bce.Compute(logits, y, nil, grad); err != nil {
			t.Fatal(err)
		}
		if err := m.Backward(grad); err != nil {
			t.Fatal(err)
		}
		if err := opt.Step(0.05); err != nil {
			t.Fatal(err)
		}
		if step%25 == 0 {
			l := evalLoss()
			t.Logf("step %d: held-out BCE %.4f (%.4f at start)", step, l, start)
			if l < wantLoss {
				return
			}
		}
	}
	t.Errorf("held-out BCE did not fall below %.2f in %d steps (%.4f at start)", wantLoss, maxSteps, start)
}
