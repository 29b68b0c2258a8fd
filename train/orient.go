package train

import (
	"context"
	"fmt"
	"image"
	"math/rand/v2"

	"mlabel/arch"
	"mlabel/augment"
	"mlabel/imageio"
	"mlabel/loss"
	"mlabel/nn"
	"mlabel/optim"
	"mlabel/tensor"
)

// The orientation test's settings: a small CNN (the small architecture at
// width 8, about 25k parameters) sees orientSize pixel images, half of the
// sample for fitting and half for scoring, for about orientSteps steps of
// AdamW under a one-cycle schedule (6 epochs of 256 images, each shown
// upright and upside down; more epochs of fewer images), so that the test
// costs the same whatever the sample's size.
const (
	orientSize  = 32
	orientMin   = 16 // the smallest input the small architecture takes
	orientWidth = 8
	orientSteps = 96
	orientBatch = 32
	orientLR    = 1e-2
)

// The dihedral transforms (see augment.Dihedral) that keep an image upright
// (identity, mirror) and that turn it upside down (half turn, vertical
// flip). A left-right mirror is valid for every view, so each form is
// mirrored at random and the network cannot learn from left and right.
var (
	uprightForms    = [2]int{0, 4}
	upsideDownForms = [2]int{2, 6}
)

// orientationTest asks whether images have an up: it trains a small
// network to tell half of the images from their upside-down forms and
// counts how often it tells which form is upright on the other half. Each
// image is a size×size RGB array in HWC order with values in [0, 1]; they
// are scaled to 32×32 (or kept at size below that). The split, the
// network's initial weights and the order of its batches come from seed,
// so the same images and seed give the same evidence. norm, when not nil,
// normalises each image as the training run does.
func orientationTest(ctx context.Context, images [][]float32, size int, seed uint64, norm func([]float32)) (augment.Orientation, error) {
	if size < orientMin {
		return augment.Orientation{}, fmt.Errorf("train: orientation test: images of %d pixels, need %d", size, orientMin)
	}
	n := min(size, orientSize)
	var small [][]float32
	for i, x := range images {
		if len(x) != size*size*3 {
			return augment.Orientation{}, fmt.Errorf("train: orientation test: image %d holds %d values, want %d", i, len(x), size*size*3)
		}
		x = shrink(x, size, n)
		if norm != nil {
			norm(x)
		}
		small = append(small, x)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6f7269656e74))
	rng.Shuffle(len(small), func(i, j int) { small[i], small[j] = small[j], small[i] })
	fit, score := small[:len(small)/2], small[len(small)/2:]
	if len(fit) == 0 || len(score) == 0 {
		return augment.NewOrientation(len(fit), 0, 0), nil
	}
	m, err := fitOrientation(ctx, fit, n, rng)
	if err != nil {
		return augment.Orientation{}, err
	}
	correct, err := scoreOrientation(m, score, n)
	if err != nil {
		return augment.Orientation{}, err
	}
	return augment.NewOrientation(len(fit), len(score), correct), nil
}

// fitOrientation trains the test's network on each image upright (target
// 1) and upside down (target 0), each form mirrored at random.
func fitOrientation(ctx context.Context, fit [][]float32, n int, rng *rand.Rand) (*nn.Model, error) {
	spec, err := arch.Build("small", n, 3, 1, arch.Options{Width: orientWidth})
	if err != nil {
		return nil, fmt.Errorf("train: orientation test: %w", err)
	}
	m, err := nn.Build(spec, rng)
	if err != nil {
		return nil, fmt.Errorf("train: orientation test: %w", err)
	}
	opt, err := optim.NewAdamW(m.Params(), optim.DefaultAdamW())
	if err != nil {
		return nil, fmt.Errorf("train: orientation test: %w", err)
	}
	step := &Step{Model: m, Loss: loss.NewBCE(nil), Optimizers: []optim.Optimizer{opt}}
	sched := optim.NewOneCycle(orientLR)
	examples := 2 * len(fit)
	batch := min(orientBatch, examples)
	perEpoch := examples / batch // the last partial batch is dropped
	epochs := (orientSteps + perEpoch - 1) / perEpoch
	total := epochs * perEpoch
	per := n * n * 3
	order := make([]int, examples)
	for i := range order {
		order[i] = i
	}
	x, y := tensor.New(batch, n, n, 3), tensor.New(batch, 1)
	for epoch := range epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for b := range perEpoch {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("train: orientation test: %w", err)
			}
			for k, e := range order[b*batch : (b+1)*batch] {
				forms, target := uprightForms, float32(1)
				if e%2 == 1 {
					forms, target = upsideDownForms, 0
				}
				augment.Dihedral(x.Data[k*per:(k+1)*per], fit[e/2], n, 3, forms[rng.IntN(2)])
				y.Data[k] = target
			}
			s := epoch*perEpoch + b
			setMomentum(sched, step.Optimizers, s, total)
			if _, err := step.Run(x, y, nil, sched.LR(s, total)); err != nil {
				return nil, fmt.Errorf("train: orientation test: %w", err)
			}
		}
	}
	return m, nil
}

// scoreOrientation returns how many of the images the network m scores
// higher upright than upside down, each form's score being its mean logit
// over the form and its mirror. A tie counts as wrong.
func scoreOrientation(m *nn.Model, score [][]float32, n int) (int, error) {
	per := n * n * 3
	forms := append(uprightForms[:], upsideDownForms[:]...)
	correct := 0
	for start := 0; start < len(score); start += orientBatch {
		imgs := score[start:min(start+orientBatch, len(score))]
		x := tensor.New(len(imgs)*len(forms), n, n, 3)
		for i, img := range imgs {
			for f, k := range forms {
				j := i*len(forms) + f
				augment.Dihedral(x.Data[j*per:(j+1)*per], img, n, 3, k)
			}
		}
		logits, err := m.Forward(x, false)
		if err != nil {
			return 0, fmt.Errorf("train: orientation test: %w", err)
		}
		for i := range imgs {
			l := logits.Data[i*len(forms) : (i+1)*len(forms)]
			if l[0]+l[1] > l[2]+l[3] {
				correct++
			}
		}
	}
	return correct, nil
}

// shrink returns the size×size RGB image x (values in [0, 1]) scaled to
// n×n by imageio's resampling, or a copy of x when n is size.
func shrink(x []float32, size, n int) []float32 {
	if n == size {
		return append([]float32(nil), x...)
	}
	rgb := imageio.FromFloat(make([]uint8, len(x)), x)
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for i := 0; i < size*size; i++ {
		copy(img.Pix[4*i:4*i+3], rgb[3*i:3*i+3])
		img.Pix[4*i+3] = 255
	}
	return imageio.ToFloat(imageio.Preprocess{Size: n, Mode: imageio.ModeSquash}.Pixels(img))
}
