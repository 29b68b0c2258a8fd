package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"mlabel/arch"
	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/loader"
	"mlabel/loss"
	"mlabel/masks"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/optim"
	"mlabel/tensor"
	"mlabel/transfer"
)

// Data is what a run trains and validates on.
type Data struct {
	Train, Val *dataset.Dataset
	Preprocess imageio.Preprocess
	// Masks holds the per-pixel labels of the segmentation route
	// (Config.Segment); nil otherwise.
	Masks *masks.Set
	// Scale, with Masks, is the fixed scale the segmenter trains at (see
	// loader.Config.Scale); 0 resizes whole images.
	Scale int
}

// Hooks report progress. Any of them may be nil.
type Hooks struct {
	// EpochStart is called before the first step of an epoch.
	EpochStart func(epoch, epochs, steps int)
	// Step is called after each optimisation step with the batch loss.
	Step func(step int, loss float64)
	// EpochEnd is called after validation, with whether the epoch is the
	// best so far.
	EpochEnd func(e bundle.Epoch, best bool)
	// ValStep is called as a validation pass starts, with batch 0, and
	// after each of its batches, with the batches done and the batches of
	// the pass.
	ValStep func(batch, batches int)
	// Log receives one-line notices (resuming, early stopping).
	Log func(msg string)
	// Plan, when the caller knows them, receives the stages of the whole
	// job before its first epoch: the run, then any later stage, such as
	// a refit on training and validation images. It may be called again
	// once a later stage's length is settled.
	Plan func(stages []Stage)
}

// Stage is one training pass of a job, as announced to Hooks.Plan.
type Stage struct {
	// Epochs is the number of epochs the stage trains, at most.
	Epochs int
	// Images is the number of images an epoch of the stage trains on.
	Images int
	// Validated tells whether each epoch ends with a validation pass.
	Validated bool
}

// Result is a finished training run.
type Result struct {
	// Model holds the weights of the best epoch.
	Model     *nn.Model
	Spec      *nn.Spec
	BestEpoch int
	History   []bundle.Epoch
	// Val holds the best model's predictions on the validation set; on the
	// segmentation route its scores are area fractions.
	Val *infer.Set
	// ValIoU holds the best model's pixel counts on the validation set, on
	// the segmentation route.
	ValIoU *metrics.IoU
	// ResumedFrom is the epoch the run resumed after, or 0.
	ResumedFrom int
	// Config is the configuration the run used, its view settled.
	Config Config
	// OutOfTime tells that the run stopped before its last epoch because
	// another would have ended past Config.Deadline.
	OutOfTime bool
}

// run is the state of one training run: the model, its step (loss and
// optimizers), schedule and weight average, the sources of its batches and
// the tracker of its epochs. The image path and the frozen-backbone head
// both train through it.
type run struct {
	cfg    Config
	data   Data
	model  *nn.Model
	spec   *nn.Spec
	opts   []optim.Optimizer
	lrMult []float64
	lossFn loss.Loss
	sched  optim.Schedule
	step   *Step
	trainL Source
	valL   Source // nil: no validation
	start  *startPoint
	ema    *emaState
	tracker
}

// Run trains a model on data.Train, validating on data.Val after each
// epoch and keeping the weights of the epoch with the best validation mAP.
// When ckptPath is not empty a checkpoint is written there atomically after
// every epoch; with resume set, a run continues from that checkpoint if it
// exists and matches cfg.
func Run(ctx context.Context, cfg Config, data Data, ckptPath string, resume bool, hooks Hooks) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if data.Train == nil || len(data.Train.Items) == 0 {
		return nil, fmt.Errorf("train: empty training set")
	}
	if data.Val == nil && cfg.StopAfter == 0 {
		return nil, fmt.Errorf("train: no validation set")
	}
	if data.Val != nil && len(data.Val.Items) == 0 {
		return nil, fmt.Errorf("train: empty validation set")
	}
	if cfg.Segment != (data.Masks != nil) {
		return nil, fmt.Errorf("train: the segmentation route needs masks, and masks need the segmentation route")
	}
	if cfg.StopAfter < 0 || cfg.StopAfter > cfg.Epochs {
		return nil, fmt.Errorf("train: stop after %d epochs of %d", cfg.StopAfter, cfg.Epochs)
	}
	if ch := data.Preprocess.Channels(); ch != 3 {
		cfg.Channels = ch
	}
	cfg, ev, err := ResolveView(ctx, cfg, data.Train, data.Preprocess)
	if err != nil {
		return nil, err
	}
	if ev != nil && hooks.Log != nil {
		hooks.Log(ev.String())
	}
	var res *Result
	if cfg.Backbone != "" && cfg.FreezeBackbone {
		res, err = runFrozen(ctx, cfg, data, ckptPath, resume, hooks)
	} else {
		res, err = runFrom(ctx, cfg, data, ckptPath, resume, hooks, nil)
	}
	if err != nil {
		return nil, err
	}
	res.Config = cfg
	return res, nil
}

// runFrom is Run; start, when not nil, replaces the network BuildSpec makes.
func runFrom(ctx context.Context, cfg Config, data Data, ckptPath string, resume bool, hooks Hooks, start *startPoint) (*Result, error) {
	r := &run{cfg: cfg, data: data, tracker: tracker{hooks: hooks}, start: start}
	if err := r.setup(); err != nil {
		return nil, err
	}
	return r.train(ctx, ckptPath, resume)
}

// train runs the epochs: it resumes from the checkpoint at ckptPath when
// asked and one is there, trains until the last epoch, Config.StopAfter or
// early stopping, writes the checkpoint after every epoch (when ckptPath is
// not empty) and returns the best epoch's model with its validation
// predictions, or, without validation, the last epoch's.
func (r *run) train(ctx context.Context, ckptPath string, resume bool) (*Result, error) {
	cfg := r.cfg
	if resume && ckptPath != "" {
		ok, err := r.restore(ckptPath)
		if err != nil {
			return nil, err
		}
		if ok {
			r.log(fmt.Sprintf("resuming after epoch %d of %d from %s", r.state.Epoch, cfg.Epochs, ckptPath))
		}
	}
	resumedFrom := r.state.Epoch
	last := cfg.Epochs
	if cfg.StopAfter > 0 {
		last = cfg.StopAfter
	}
	var took time.Duration // the last epoch's time, checkpoint included
	outOfTime := false
	for epoch := r.state.Epoch + 1; epoch <= last; epoch++ {
		if cfg.Patience > 0 && r.state.BadEpochs >= cfg.Patience {
			r.log(fmt.Sprintf("early stopping: no better validation %s for %d epochs", r.criterion(), cfg.Patience))
			break
		}
		if took > 0 && !cfg.Deadline.IsZero() && time.Now().Add(took).After(cfg.Deadline) {
			r.log(fmt.Sprintf("time budget: stopping after epoch %d of %d: another epoch (the last took %s) would end past the budget",
				epoch-1, last, took.Round(100*time.Millisecond)))
			outOfTime = true
			break
		}
		start := time.Now()
		if err := r.epoch(ctx, epoch); err != nil {
			return nil, err
		}
		if ckptPath != "" {
			if err := r.save(ckptPath); err != nil {
				return nil, err
			}
		}
		took = time.Since(start)
	}
	if r.valL == nil {
		// No validation: the last epoch is the result.
		if r.ema != nil {
			if err := r.model.SetWeights(r.ema.avg); err != nil {
				return nil, fmt.Errorf("train: weight average: %w", err)
			}
		}
		kept := last
		if outOfTime {
			kept = r.state.Epoch
		}
		return &Result{Model: r.model, Spec: r.spec, BestEpoch: kept, History: r.history, ResumedFrom: resumedFrom, OutOfTime: outOfTime}, nil
	}
	if err := r.model.SetWeights(r.best); err != nil {
		return nil, fmt.Errorf("train: restore best epoch: %w", err)
	}
	val, iou, err := r.predict(ctx, r.valL)
	if err != nil {
		return nil, err
	}
	return &Result{Model: r.model, Spec: r.spec, BestEpoch: r.state.BestEpoch, History: r.history, Val: val, ValIoU: iou, ResumedFrom: resumedFrom, OutOfTime: outOfTime}, nil
}

func (r *run) log(msg string) {
	if r.hooks.Log != nil {
		r.hooks.Log(msg)
	}
}

// setup builds the model (the one BuildSpec makes, or the start point),
// its step and schedule, and the image loaders.
func (r *run) setup() error {
	cfg := r.cfg
	var (
		spec     *nn.Spec
		init     map[string]*tensor.Tensor
		backbone func(string) bool
		err      error
	)
	if r.start != nil {
		spec, init, backbone = r.start.spec, r.start.weights, r.start.backbone
	} else if spec, init, backbone, err = BuildSpec(cfg, r.data.Train.Labels); err != nil {
		return err
	}
	r.spec = spec
	m, err := nn.Build(spec, rand.New(rand.NewPCG(cfg.Seed, 0x6d6c6162)))
	if err != nil {
		return fmt.Errorf("train: build %s: %w", cfg.Arch, err)
	}
	if init != nil {
		if _, err := m.SetWeightsPartial(init); err != nil {
			return fmt.Errorf("train: load backbone weights: %w", err)
		}
	}
	if err := r.prepare(m, backbone); err != nil {
		return err
	}
	aug := cfg.Augment
	trainL, err := loader.New(r.data.Train, loader.Config{Preprocess: r.data.Preprocess, Augment: &aug, BatchSize: cfg.Batch, Shuffle: true, DropLast: len(r.data.Train.Items) > cfg.Batch, Seed: cfg.Seed, Workers: cfg.Workers, Masks: r.data.Masks, Scale: r.data.Scale})
	if err != nil {
		return fmt.Errorf("train: training loader: %w", err)
	}
	r.trainL = trainL
	if cfg.Segment && r.start == nil {
		if err := r.priorBias(trainL); err != nil {
			return err
		}
		r.best = cloneWeights(m.Weights())
	}
	if r.data.Val != nil {
		valL, err := loader.New(r.data.Val, loader.Config{Preprocess: r.data.Preprocess, BatchSize: cfg.Batch, Seed: cfg.Seed, Workers: cfg.Workers, Masks: r.data.Masks, Scale: r.data.Scale})
		if err != nil {
			return fmt.Errorf("train: validation loader: %w", err)
		}
		r.valL = valL
	}
	return nil
}

// prepare makes m the run's model and sets up its optimizers, loss, step
// and schedule; backbone, when not nil, tells the parameters of a
// pretrained backbone.
func (r *run) prepare(m *nn.Model, backbone func(name string) bool) error {
	r.model = m
	if err := r.setupOptim(backbone); err != nil {
		return err
	}
	var err error
	if r.lossFn, err = newLoss(r.cfg, r.data.Train.Labels); err != nil {
		return err
	}
	r.step = &Step{Model: m, Loss: r.lossFn, Optimizers: r.opts, LRMult: r.lrMult, ClipNorm: r.cfg.ClipNorm}
	r.sched = newSchedule(r.cfg)
	r.best = cloneWeights(m.Weights())
	return nil
}

// newLoss builds the training loss cfg names for labels: the per-label
// loss, its targets smoothed by cfg.LabelSmoothing, the label groups'
// cross-entropy around it, and on the segmentation route the per-pixel
// form.
func newLoss(cfg Config, labels []string) (loss.Loss, error) {
	l, err := loss.ByName(cfg.Loss, cfg.LossOptions)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if cfg.LabelSmoothing > 0 {
		if l, err = loss.NewSmoothed(l, cfg.LabelSmoothing); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	if l, err = groupedLoss(l, cfg, labels); err != nil {
		return nil, err
	}
	if cfg.Segment {
		l = &loss.Pixels{Inner: l, DiceWeight: cfg.Dice}
	}
	return l, nil
}

// setupOptim creates one optimizer for the new parameters and, when a
// pretrained backbone is fine-tuned, one for the backbone with a scaled
// learning rate. backbone reports which parameters came from a backbone.
func (r *run) setupOptim(backbone func(name string) bool) error {
	cfg := r.cfg
	var head, body []*nn.Param
	for _, p := range r.model.Params() {
		if p.Grad == nil {
			continue
		}
		if backbone != nil && backbone(p.Name) {
			if cfg.FreezeBackbone {
				p.Frozen = true
				continue
			}
			body = append(body, p)
		} else {
			head = append(head, p)
		}
	}
	groups := [][]*nn.Param{head}
	r.lrMult = []float64{1}
	if len(body) > 0 {
		groups = append(groups, body)
		r.lrMult = append(r.lrMult, cfg.BackboneLRMult)
	}
	for _, g := range groups {
		o, err := newOptimizer(cfg, g)
		if err != nil {
			return err
		}
		r.opts = append(r.opts, o)
	}
	return nil
}

func newOptimizer(cfg Config, params []*nn.Param) (optim.Optimizer, error) {
	if cfg.Optimizer == "sgd" {
		o, err := optim.NewSGD(params, optim.SGDConfig{Momentum: cfg.Momentum, Nesterov: cfg.Momentum > 0, WeightDecay: cfg.WeightDecay})
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		return o, nil
	}
	ac := optim.DefaultAdamW()
	ac.WeightDecay = cfg.WeightDecay
	o, err := optim.NewAdamW(params, ac)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return o, nil
}

// setMomentum sets the optimizers' momentum for a step when the schedule
// cycles it.
func setMomentum(s optim.Schedule, opts []optim.Optimizer, step, total int) {
	ms, ok := s.(optim.MomentumSchedule)
	if !ok {
		return
	}
	m := ms.Momentum(step, total)
	if m == 0 {
		return
	}
	for _, o := range opts {
		if ss, ok := o.(optim.MomentumSetter); ok {
			ss.SetMomentum(m)
		}
	}
}

// newSchedule returns the learning-rate schedule cfg names.
func newSchedule(cfg Config) optim.Schedule {
	switch cfg.Schedule {
	case "onecycle":
		return optim.NewOneCycle(cfg.LR)
	case "cosine":
		return warmupFraction{base: cfg.LR, frac: cfg.Warmup}
	}
	return optim.Constant(cfg.LR)
}

// warmupFraction is a cosine schedule whose linear warm-up lasts a fraction
// of the run's steps, whatever their number.
type warmupFraction struct{ base, frac float64 }

// LR implements optim.Schedule.
func (w warmupFraction) LR(step, total int) float64 {
	s := optim.NewWarmupCosine(w.base, int(w.frac*float64(total)))
	return s.LR(step, total)
}

// BuildSpec returns the network a configuration trains: a named
// architecture, or a pretrained backbone cut and given a new head. For a
// backbone it also returns the pretrained weights and a predicate telling
// which parameters belong to the backbone. With label groups, the network
// ends in a softmax over each group.
func BuildSpec(cfg Config, labels []string) (*nn.Spec, map[string]*tensor.Tensor, func(string) bool, error) {
	spec, init, isBackbone, err := buildSpec(cfg, len(labels))
	if err != nil {
		return nil, nil, nil, err
	}
	if err := withGroups(spec, cfg, labels); err != nil {
		return nil, nil, nil, err
	}
	return spec, init, isBackbone, nil
}

// buildSpec is BuildSpec without the label groups.
func buildSpec(cfg Config, numLabels int) (*nn.Spec, map[string]*tensor.Tensor, func(string) bool, error) {
	channels := cfg.Channels
	if channels == 0 {
		channels = 3
	}
	if cfg.Backbone != "" && channels != 3 {
		return nil, nil, nil, fmt.Errorf("train: a pretrained backbone takes RGB input, not %d channels", channels)
	}
	if cfg.Backbone == "" && cfg.Segment {
		spec, err := arch.BuildSegmenter(cfg.Arch, cfg.Size, channels, numLabels, arch.Options{Width: cfg.Width})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("train: %w", err)
		}
		return spec, nil, nil, nil
	}
	if cfg.Backbone == "" {
		spec, err := arch.Build(cfg.Arch, cfg.Size, channels, numLabels, arch.Options{Width: cfg.Width})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("train: %w", err)
		}
		return spec, nil, nil, nil
	}
	b, err := bundle.Load(cfg.Backbone)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("train: backbone: %w", err)
	}
	at := cfg.BackboneAt
	if at == "" {
		if at, err = nn.LastFeatureMap(b.Spec); err != nil {
			return nil, nil, nil, fmt.Errorf("train: backbone %s: %w", cfg.Backbone, err)
		}
	}
	var spec *nn.Spec
	if cfg.Segment {
		spec, err = segmentHead(b.Spec, at, cfg.Size, numLabels)
	} else {
		spec, err = arch.Head(b.Spec, at, numLabels)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("train: backbone %s: %w", cfg.Backbone, err)
	}
	if err := resizeInput(spec, cfg.Size); err != nil {
		return nil, nil, nil, err
	}
	isBackbone := func(name string) bool { _, ok := b.Weights[name]; return ok && !strings.HasPrefix(name, "head.") }
	return spec, transfer.WeightsFor(spec, b.Weights), isBackbone, nil
}

// resizeInput sets the spatial size of a spec's input node.
func resizeInput(spec *nn.Spec, size int) error {
	for i := range spec.Nodes {
		if spec.Nodes[i].Op == nn.OpInput {
			s := spec.Nodes[i].Attrs.Shape
			if len(s) != 3 {
				return fmt.Errorf("train: input node %q has shape %v, want [H W C]", spec.Nodes[i].Name, s)
			}
			spec.Nodes[i].Attrs.Shape = []int{size, size, s[2]}
			return nil
		}
	}
	return fmt.Errorf("train: spec has no input node")
}

// epoch runs one training epoch and validates.
func (r *run) epoch(ctx context.Context, epoch int) error {
	start := time.Now()
	steps := r.trainL.Len()
	total := steps * r.cfg.Epochs
	if r.hooks.EpochStart != nil {
		r.hooks.EpochStart(epoch, r.cfg.Epochs, steps)
	}
	var sum float64
	var n int
	var lr float64
	for b, err := range r.trainL.Batches(ctx, epoch) {
		if err != nil {
			return fmt.Errorf("train: epoch %d: %w", epoch, err)
		}
		lr = r.sched.LR((epoch-1)*steps+n, total)
		setMomentum(r.sched, r.opts, (epoch-1)*steps+n, total)
		v, err := r.step.Run(b.X, b.Y, b.Mask, lr)
		if err != nil {
			return fmt.Errorf("train: epoch %d step %d: %w", epoch, n+1, err)
		}
		sum += v
		n++
		if r.cfg.EMA > 0 {
			if r.ema == nil {
				r.ema = newEMA(r.model.Weights(), r.cfg.EMA)
			}
			r.ema.update()
		}
		if r.hooks.Step != nil {
			r.hooks.Step(n, v)
		}
	}
	if r.ema != nil {
		restore, err := r.ema.swapIn(r.model)
		if err != nil {
			return err
		}
		defer restore()
	}
	if r.valL == nil {
		r.endEpochUnvalidated(epoch, sum/float64(max(n, 1)), lr, start)
		return nil
	}
	val, iou, err := r.predict(ctx, counted(r.valL, r.hooks.ValStep))
	if err != nil {
		return err
	}
	return r.endEpoch(r.model, val, iou, epoch, sum/float64(max(n, 1)), lr, start)
}

// emaState is an exponential moving average of a model's weights.
type emaState struct {
	live, avg map[string]*tensor.Tensor
	decay     float64
	steps     int
}

func newEMA(live map[string]*tensor.Tensor, decay float64) *emaState {
	return &emaState{live: live, avg: cloneWeights(live), decay: decay}
}

// update folds the live weights into the average, with the decay warmed up
// over the first steps as (1+t)/(10+t), so that the random initialisation
// is soon forgotten.
func (e *emaState) update() {
	e.steps++
	d := float32(min(e.decay, float64(1+e.steps)/float64(10+e.steps)))
	for k, v := range e.live {
		a := e.avg[k].Data
		for i, x := range v.Data {
			a[i] = d*a[i] + (1-d)*x
		}
	}
}

// swapIn puts the averaged weights into m and returns a function that puts
// the live ones back.
func (e *emaState) swapIn(m *nn.Model) (func(), error) {
	saved := cloneWeights(e.live)
	if err := m.SetWeights(e.avg); err != nil {
		return nil, fmt.Errorf("train: weight average: %w", err)
	}
	return func() { m.SetWeights(saved) }, nil
}
