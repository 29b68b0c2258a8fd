package beamjob

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"mlabel/atomicfile"
)

// Counts are the counters of a finished job, summed over its steps.
type Counts struct {
	// Predicted and Failed count the images predicted and those that
	// could not be read or decoded.
	Predicted, Failed int64
	// Positives counts, for each label, the images predicted to have it.
	Positives map[string]int64
}

// Run builds the prediction job and runs it on runner (prism, dataflow,
// flink, spark, universal, with the runner's options set as Beam flags),
// and returns its counters when the runner reports them.
func Run(ctx context.Context, runner string, o Options) (Counts, error) {
	if err := o.Check(); err != nil {
		return Counts{}, err
	}
	if err := checkOut(ctx, o.Out, o.Shards); err != nil {
		return Counts{}, err
	}
	p, s := beam.NewPipelineWithRoot()
	if err := Build(s, o); err != nil {
		return Counts{}, err
	}
	res, err := beam.Run(ctx, runner, p)
	if err != nil {
		return Counts{}, fmt.Errorf("beamjob: %w", err)
	}
	c := Counts{Positives: map[string]int64{}}
	if res == nil {
		return c, nil
	}
	for _, r := range res.Metrics().AllMetrics().Counters() {
		if r.Key.Namespace != Namespace {
			continue
		}
		n := r.Result()
		switch name := r.Key.Name; {
		case name == CounterDone:
			c.Predicted += n
		case name == CounterFailed:
			c.Failed += n
		case strings.HasPrefix(name, PositivesPrefix):
			c.Positives[strings.TrimPrefix(name, PositivesPrefix)] += n
		}
	}
	return c, nil
}

// shardFile matches the name of an output file and its shard count.
var shardFile = regexp.MustCompile(`^(predictions|errors)-[0-9]{5,}-of-([0-9]{5,})\.jsonl$`)

// checkOut makes a local output folder, and refuses one that holds the
// output of another shard count: a run would leave those files beside its
// own, and a reader of the folder would count their images twice.
func checkOut(ctx context.Context, out string, shards int) error {
	var names []string
	glob := join(out, "*-of-*.jsonl")
	if isURL(out) {
		f, err := fsFor(ctx, out)
		if err != nil {
			return err
		}
		if names, err = f.List(ctx, glob); err != nil {
			return fmt.Errorf("beamjob: list %s: %w", glob, err)
		}
	} else {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return fmt.Errorf("beamjob: %w", err)
		}
		if err := atomicfile.CheckWritable(filepath.Join(out, PredictionsName(0, shards))); err != nil {
			return err
		}
		var err error
		if names, err = filepath.Glob(glob); err != nil {
			return fmt.Errorf("beamjob: %w", err)
		}
	}
	want := fmt.Sprintf("%05d", shards)
	for _, n := range names {
		m := shardFile.FindStringSubmatch(n[strings.LastIndexAny(n, "/\\")+1:])
		if m != nil && m[2] != want {
			return fmt.Errorf("beamjob: %s holds %s, the output of %s shards, not %d: remove it or choose another output folder", out, n, strings.TrimLeft(m[2], "0"), shards)
		}
	}
	return nil
}
