package train

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"mlabel/arch"
	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/masks"
	"mlabel/nn"
	"mlabel/synth"
)

var (
	segOnce sync.Once
	segDS   *dataset.Dataset
	segSet  *masks.Set
	segErr  error
)

// segData returns a small demo dataset with masks, split 120 / 40.
func segData(t *testing.T) (train, val *dataset.Dataset, set *masks.Set) {
	t.Helper()
	segOnce.Do(func() {
		dir, err := mkdirTemp()
		if err != nil {
			segErr = err
			return
		}
		csv, err := synth.Generate(synth.Options{Dir: dir, Count: 160, Size: 32, Seed: 3, Masks: true})
		if err != nil {
			segErr = err
			return
		}
		if segDS, segErr = dataset.Load(dataset.Options{CSV: csv, Images: filepath.Join(dir, synth.ImagesDir), Labels: synth.Labels()}); segErr != nil {
			return
		}
		segSet, segErr = masks.Open(filepath.Join(dir, synth.MasksDir))
	})
	if segErr != nil {
		t.Fatal(segErr)
	}
	idx := make([]int, len(segDS.Items))
	for i := range idx {
		idx[i] = i
	}
	return segDS.Subset(idx[:120]), segDS.Subset(idx[120:]), segSet
}

func segConfig() Config {
	cfg := quickConfig()
	cfg.Segment, cfg.Arch, cfg.Width, cfg.Batch, cfg.Epochs = true, "unet", 8, 8, 6
	cfg.LR, cfg.Dice = 1e-2, 1
	return cfg
}

func TestSegmentRunLearnsPixels(t *testing.T) {
	skipUnderRace(t)
	tr, va, set := segData(t)
	for _, dice := range []float64{1} {
		cfg := segConfig()
		cfg.Dice = dice // the segmentation route's default
		res, err := Run(context.Background(), cfg, Data{Train: tr, Val: va, Preprocess: imageio.DefaultPreprocess(cfg.Size), Masks: set}, "", false, Hooks{})
		if err != nil {
			t.Fatal(err)
		}
		if res.ValIoU == nil || res.Val == nil || res.Val.Len() != len(va.Items) {
			t.Fatalf("dice %g: no validation IoU or set", dice)
		}
		best := res.History[res.BestEpoch-1]
		for _, e := range res.History {
			if e.ValMIoU > best.ValMIoU {
				t.Errorf("dice %g: epoch %d has mIoU %v above the kept epoch's %v", dice, e.Epoch, e.ValMIoU, best.ValMIoU)
			}
		}
		if m := res.ValIoU.Mean(); math.Abs(m-best.ValMIoU) > 1e-9 {
			t.Errorf("dice %g: the returned model's mIoU %v, the kept epoch recorded %v", dice, m, best.ValMIoU)
		}
		// Clear and haze cover whole tiles, the ground labels large parts: a
		// mask that marks each label everywhere already scores its share of
		// the pixels, and even 6 epochs of a tiny U-Net must beat that.
		base := constantMIoU(t, va, set)
		t.Logf("dice %g: validation mIoU %.3f, the best constant mask's %.3f", dice, best.ValMIoU, base)
		if best.ValMIoU < base+iouMargin {
			t.Errorf("dice %g: validation mIoU %v after %d epochs, want at least %.3f: the best constant mask's %.3f and %.2f more", dice, best.ValMIoU, cfg.Epochs, base+iouMargin, base, iouMargin)
		}
		for i, row := range res.Val.Scores {
			for j, v := range row {
				if v < 0 || v > 1 {
					t.Fatalf("dice %g: image %d label %d: area fraction %v", dice, i, j, v)
				}
			}
		}
	}
}

func TestSegmentConfigErrors(t *testing.T) {
	tr, va, set := segData(t)
	tests := []struct {
		name string
		edit func(*Config, *Data)
		want string
	}{
		{"classifier arch", func(c *Config, _ *Data) { c.Arch = "small" }, "unknown segmentation architecture"},
		{"no masks", func(_ *Config, d *Data) { d.Masks = nil }, "needs masks"},
		{"masks without the route", func(c *Config, _ *Data) { c.Segment, c.Arch, c.Dice = false, "small", 0 }, "needs masks"},
		{"dice on classifier", func(c *Config, d *Data) { c.Segment, c.Arch, d.Masks = false, "small", nil }, "Dice weight"},
		{"frozen", func(c *Config, _ *Data) { c.Backbone, c.FreezeBackbone = "x.mlb", true }, "fine-tunes its backbone"},
	}
	for _, tc := range tests {
		cfg := segConfig()
		data := Data{Train: tr, Val: va, Preprocess: imageio.DefaultPreprocess(cfg.Size), Masks: set}
		tc.edit(&cfg, &data)
		_, err := Run(context.Background(), cfg, data, "", false, Hooks{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

// A backbone bundle cut at a feature map gets the light decoder, upsampled
// back to the image's size, and trains with its pretrained weights.
func TestSegmentOnBackbone(t *testing.T) {
	tr, va, set := segData(t)
	spec, err := arch.Build("small", 32, 3, 5, arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "backbone.mlb")
	if err := (&bundle.Bundle{Header: bundle.Header{Kind: bundle.KindBackbone, Spec: spec}, Weights: m.Weights()}).Save(path); err != nil {
		t.Fatal(err)
	}
	cfg := segConfig()
	cfg.Backbone, cfg.BackboneAt, cfg.Arch, cfg.Epochs = path, "block2.pool", "backbone", 1
	res, err := Run(context.Background(), cfg, Data{Train: tr, Val: va, Preprocess: imageio.DefaultPreprocess(cfg.Size), Masks: set}, "", false, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	up, ok := res.Spec.Node("seg.up")
	if !ok || up.Attrs.Scale != 4 {
		t.Fatalf("decoder upsampling %+v, want ×4 from the 8×8 map of block2.pool", up)
	}
	if sh, err := res.Model.OutputShape(0, 2); err != nil || !slices.Equal(sh, []int{2, 32, 32, len(tr.Labels)}) {
		t.Fatalf("output shape %v (%v)", sh, err)
	}
	cfg.BackboneAt = "gap"
	if _, err := Run(context.Background(), cfg, Data{Train: tr, Val: va, Preprocess: imageio.DefaultPreprocess(cfg.Size), Masks: set}, "", false, Hooks{}); err == nil || !strings.Contains(err.Error(), "square map") {
		t.Fatalf("a pooled cut point: error %v", err)
	}
}

// An interrupted segmentation run resumes from its checkpoint and ends with
// the weights of an uninterrupted one.
func TestSegmentResume(t *testing.T) {
	skipUnderRace(t)
	tr, va, set := segData(t)
	cfg := segConfig()
	cfg.Epochs, cfg.EMA = 2, 0
	data := Data{Train: tr, Val: va, Preprocess: imageio.DefaultPreprocess(cfg.Size), Masks: set}
	full, err := Run(context.Background(), cfg, data, "", false, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(t.TempDir(), "seg.ckpt")
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Run(ctx, cfg, data, ckpt, false, Hooks{EpochEnd: func(e bundle.Epoch, _ bool) {
		if e.Epoch == 1 {
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("cancelled run reported success")
	}
	res, err := Run(context.Background(), cfg, data, ckpt, true, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ResumedFrom != 1 || res.History[1].ValMIoU != full.History[1].ValMIoU {
		t.Fatalf("resumed from %d with epoch 2 mIoU %v, uninterrupted %v", res.ResumedFrom, res.History[1].ValMIoU, full.History[1].ValMIoU)
	}
	a, b := full.Model.Weights(), res.Model.Weights()
	for k, v := range a {
		for i := range v.Data {
			if d := v.Data[i] - b[k].Data[i]; d > 1e-4 || d < -1e-4 {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", k, i, b[k].Data[i], v.Data[i])
			}
		}
	}
}
