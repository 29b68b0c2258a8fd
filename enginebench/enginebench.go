// Package enginebench measures the engine's training and inference speed on
// one architecture, for `mlabel bench engine` and bench/engine.sh, which
// compares it with PyTorch running the same network.
package enginebench

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"mlabel/arch"
	"mlabel/gemm"
	"mlabel/loss"
	"mlabel/nn"
	"mlabel/optim"
	"mlabel/tensor"
	"mlabel/train"
)

// Config selects what to measure. Zero values take the defaults noted.
type Config struct {
	Arch   string // architecture name for arch.Build (default "small")
	Size   int    // image side in pixels (default 64)
	Batch  int    // images per step (default 32)
	Labels int    // number of labels (default 10)
	Steps  int    // timed steps of each kind, after Warmup (default 10)
	Warmup int    // untimed steps first (default 2)
	// Breakdown also reports the time per training step of each kind of
	// layer.
	Breakdown bool
}

// Result is one measurement. Speeds are the batch size over the median step
// time.
type Result struct {
	Arch      string  `json:"arch"`
	Size      int     `json:"size"`
	Batch     int     `json:"batch"`
	Gemm      string  `json:"gemm"`    // GEMM backend: "go" or "openblas"
	Threads   int     `json:"threads"` // GOMAXPROCS
	TrainImgS float64 `json:"train_img_s"`
	InferImgS float64 `json:"infer_img_s"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
	GFLOPs    float64 `json:"gflops_per_img"` // forward pass, per image
	// Ops is the per-layer-kind time of a training step, with Breakdown.
	Ops []OpTime `json:"ops,omitempty"`
}

func (c *Config) defaults() {
	if c.Arch == "" {
		c.Arch = "small"
	}
	c.Size = cmpOr(c.Size, 64)
	c.Batch = cmpOr(c.Batch, 32)
	c.Labels = cmpOr(c.Labels, 10)
	c.Steps = cmpOr(c.Steps, 10)
	c.Warmup = cmpOr(c.Warmup, 2)
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Run measures training steps (forward, BCE gradient, backward, SGD update
// with momentum) and inference (the fused graph's eval forward, recycling
// activation buffers) on random data, and the process's peak resident
// memory. The training model is collected before inference is measured.
func Run(cfg Config) (Result, error) {
	cfg.defaults()
	if cfg.Size < 0 || cfg.Batch < 0 || cfg.Labels < 0 || cfg.Steps < 0 || cfg.Warmup < 0 {
		return Result{}, fmt.Errorf("enginebench: negative value in %+v", cfg)
	}
	spec, err := arch.Build(cfg.Arch, cfg.Size, 3, cfg.Labels, arch.Options{})
	if err != nil {
		return Result{}, fmt.Errorf("enginebench: %w", err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	m, err := nn.Build(spec, rng)
	if err != nil {
		return Result{}, fmt.Errorf("enginebench: %w", err)
	}
	x, y := tensor.New(cfg.Batch, cfg.Size, cfg.Size, 3), tensor.New(cfg.Batch, cfg.Labels)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	for i := range y.Data {
		y.Data[i] = float32(rng.IntN(2))
	}
	res := Result{
		Arch: cfg.Arch, Size: cfg.Size, Batch: cfg.Batch,
		Gemm: gemm.Backend(), Threads: runtime.GOMAXPROCS(0),
		GFLOPs: float64(m.FLOPs(cfg.Size, cfg.Size)) / 1e9,
	}
	train, err := trainStep(m, x, y)
	if err != nil {
		return Result{}, err
	}
	bd := breakdown{}
	if cfg.Breakdown {
		m.SetTimer(bd.timer(false))
	}
	if res.TrainImgS, err = measure(cfg, train); err != nil {
		return Result{}, err
	}
	m.SetTimer(nil)
	// The training model's buffers are garbage from here on, all but its
	// weights; collect them, as PyTorch frees tensors when the last
	// reference goes, so that the peak memory is that of the larger phase
	// and not of both.
	w := m.Weights()
	m, train = nil, nil
	runtime.GC()
	infer, fm, err := inferStep(spec, w, x)
	if err != nil {
		return Result{}, err
	}
	if cfg.Breakdown {
		fm.SetTimer(bd.timer(true))
	}
	if res.InferImgS, err = measure(cfg, infer); err != nil {
		return Result{}, err
	}
	if cfg.Breakdown {
		res.Ops = bd.perStep(cfg.Warmup + cfg.Steps)
	}
	res.PeakRSSMB = peakRSSMB()
	return res, nil
}

// trainStep returns one SGD training step of m on the batch x, y.
func trainStep(m *nn.Model, x, y *tensor.Tensor) (func() error, error) {
	opt, err := optim.NewSGD(m.Params(), optim.SGDConfig{Momentum: 0.9})
	if err != nil {
		return nil, fmt.Errorf("enginebench: %w", err)
	}
	step := &train.Step{Model: m, Loss: loss.NewBCE(nil), Optimizers: []optim.Optimizer{opt}}
	return func() error {
		_, err := step.Run(x, y, nil, 1e-3)
		return err
	}, nil
}

// inferStep returns one eval forward on x of the fused copy of the model
// spec with weights w, and the fused model.
func inferStep(spec *nn.Spec, w map[string]*tensor.Tensor, x *tensor.Tensor) (func() error, *nn.Model, error) {
	fs, fw, err := nn.Fuse(spec, w)
	if err != nil {
		return nil, nil, fmt.Errorf("enginebench: %w", err)
	}
	fm, err := nn.Load(fs, fw)
	if err != nil {
		return nil, nil, fmt.Errorf("enginebench: %w", err)
	}
	if err := fm.SetActivationReuse(true); err != nil {
		return nil, nil, fmt.Errorf("enginebench: %w", err)
	}
	return func() error {
		_, err := fm.Forward(x, false)
		return err
	}, fm, nil
}

// measure runs step cfg.Warmup times untimed, then cfg.Steps times, and
// returns images per second at the median step time.
func measure(cfg Config, step func() error) (float64, error) {
	times := make([]float64, 0, cfg.Steps)
	for i := 0; i < cfg.Warmup+cfg.Steps; i++ {
		t0 := time.Now()
		if err := step(); err != nil {
			return 0, fmt.Errorf("enginebench: %w", err)
		}
		if i >= cfg.Warmup {
			times = append(times, time.Since(t0).Seconds())
		}
	}
	if len(times) == 0 {
		return 0, nil
	}
	slices.Sort(times)
	med := times[len(times)/2]
	if len(times)%2 == 0 {
		med = (times[len(times)/2-1] + med) / 2
	}
	return float64(cfg.Batch) / med, nil
}
