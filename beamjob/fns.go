package beamjob

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"mlabel/predict"
)

func init() {
	register.Function2x0(manifestPath)
	register.DoFn2x0[[]byte, func(string, string)](&fileNamesFn{})
	register.DoFn3x1[context.Context, string, func(string, string), error](&predictFn{})
	register.DoFn4x1[context.Context, string, func(*string) bool, func(int), error](&writeFn{})
	register.DoFn2x1[context.Context, int, error](&successFn{})
	register.Emitter1[string]()
	register.Emitter1[int]()
	register.Emitter2[string, string]()
	register.Iter1[string]()
}

// predictors holds the predictors a worker process has loaded, by model
// and test-time augmentation, so that however many bundles it runs at
// once, it loads each model once. A Predictor is safe for concurrent use.
var predictors struct {
	mu sync.Mutex
	m  map[predictorKey]*predictorOnce
}

type predictorKey struct {
	model string
	tta   bool
}

type predictorOnce struct {
	once sync.Once
	p    *predict.Predictor
	err  error
}

// loadPredictor returns the worker's predictor for model, loading it on
// first use.
func loadPredictor(ctx context.Context, model string, tta bool) (*predict.Predictor, error) {
	k := predictorKey{model, tta}
	predictors.mu.Lock()
	if predictors.m == nil {
		predictors.m = map[predictorKey]*predictorOnce{}
	}
	po := predictors.m[k]
	if po == nil {
		po = &predictorOnce{}
		predictors.m[k] = po
	}
	predictors.mu.Unlock()
	po.once.Do(func() {
		data, err := readAll(ctx, model, MaxBundleBytes)
		if err != nil {
			po.err = fmt.Errorf("beamjob: model: %w", err)
			return
		}
		p, err := predict.Read(model, data)
		if err != nil {
			po.err = fmt.Errorf("beamjob: %w", err)
			return
		}
		p.SetTTA(tta)
		po.p = p
	})
	return po.p, po.err
}

// predictFn predicts images a few batches at a time and emits each
// prediction's and failure's line keyed by the file it goes to.
type predictFn struct {
	Model  string
	Shards int
	Batch  int
	TTA    bool

	p   *predict.Predictor
	buf []string
}

// Setup loads the bundle, once per worker process.
func (f *predictFn) Setup(ctx context.Context) error {
	p, err := loadPredictor(ctx, f.Model, f.TTA)
	if err != nil {
		return err
	}
	f.p = p
	return nil
}

// StartBundle drops what a failed bundle may have left.
func (f *predictFn) StartBundle(_ context.Context, _ func(string, string)) { f.buf = f.buf[:0] }

// ProcessElement takes one image path, and predicts when enough are held.
func (f *predictFn) ProcessElement(ctx context.Context, path string, emit func(string, string)) error {
	f.buf = append(f.buf, path)
	// Several batches per call, so that decoding the next batch overlaps
	// the network's work on this one.
	if len(f.buf) >= 4*f.Batch {
		return f.flush(ctx, emit)
	}
	return nil
}

// FinishBundle predicts the images still held.
func (f *predictFn) FinishBundle(ctx context.Context, emit func(string, string)) error {
	return f.flush(ctx, emit)
}

func (f *predictFn) flush(ctx context.Context, emit func(string, string)) error {
	if len(f.buf) == 0 {
		return nil
	}
	read := func(path string) ([]byte, error) { return readAll(ctx, path, MaxImageBytes) }
	preds, fails, err := f.p.Files(ctx, f.buf, predict.BatchOptions{Batch: f.Batch, Read: read})
	if err != nil {
		return fmt.Errorf("beamjob: %w", err)
	}
	f.buf = f.buf[:0]
	return outputs(preds, fails, f.Shards, emit)
}

// writeFn writes one output file: its lines, sorted so that every run
// writes the same bytes, and each line once, should a runner deliver an
// element twice. It counts the lines it wrote and emits 1 for the file.
type writeFn struct {
	Out string
}

func (f *writeFn) ProcessElement(ctx context.Context, name string, lines func(*string) bool, emit func(int)) error {
	var all []string
	var l string
	for lines(&l) {
		if l != "" {
			all = append(all, l)
		}
	}
	slices.Sort(all)
	all = slices.Compact(all)
	size := 0
	for _, l := range all {
		size += len(l)
	}
	data := make([]byte, 0, size)
	for _, l := range all {
		data = append(data, l...)
	}
	if err := writeAll(ctx, join(f.Out, name), data); err != nil {
		return err
	}
	if err := countLines(ctx, name, all); err != nil {
		return err
	}
	emit(1)
	return nil
}

// countLines adds the lines of the output file name to the counters.
func countLines(ctx context.Context, name string, lines []string) error {
	if strings.HasPrefix(name, "errors-") {
		beam.NewCounter(Namespace, CounterFailed).Inc(ctx, int64(len(lines)))
		return nil
	}
	beam.NewCounter(Namespace, CounterDone).Inc(ctx, int64(len(lines)))
	positives := map[string]int64{}
	for _, l := range lines {
		var p struct {
			Labels []struct {
				Label string `json:"label"`
			} `json:"labels"`
		}
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			return fmt.Errorf("beamjob: %s: %w", name, err)
		}
		for _, lb := range p.Labels {
			positives[lb.Label]++
		}
	}
	for l, n := range positives {
		beam.NewCounter(Namespace, PositivesPrefix+l).Inc(ctx, n)
	}
	return nil
}

// successFn writes the output folder's _SUCCESS marker once all its files
// are written: it receives their number, summed.
type successFn struct {
	Out   string
	Files int
}

func (f *successFn) ProcessElement(ctx context.Context, files int) error {
	if files != f.Files {
		return fmt.Errorf("beamjob: %d output files written, want %d", files, f.Files)
	}
	return writeAll(ctx, join(f.Out, SuccessName), nil)
}
