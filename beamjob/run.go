package beamjob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"

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
	if err := build(s, o); err != nil {
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

// tempFile matches the temporary name of an output file being written
// (see atomicfile): one a killed run leaves behind.
var tempFile = regexp.MustCompile(`^\.((predictions|errors)-[0-9]{5,}-of-[0-9]{5,}\.jsonl|` + regexp.QuoteMeta(SuccessName) + `)\.tmp-[0-9]+$`)

// checkOut makes a local output folder, and refuses one that holds the
// output of another shard count: a run would leave those files beside its
// own, and a reader of the folder would count their images twice. It then
// readies the folder for a run: the _SUCCESS marker of an earlier run goes
// first, so that it never stands beside files being rewritten, and so do
// the temporary files of an interrupted run. One run writes into a folder
// at a time.
func checkOut(ctx context.Context, out string, shards int) error {
	if isURL(out) {
		return checkOutURL(ctx, out, shards)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("beamjob: %w", err)
	}
	if err := atomicfile.CheckWritable(filepath.Join(out, PredictionsName(0, shards))); err != nil {
		return err
	}
	names, err := filepath.Glob(join(out, "*-of-*.jsonl"))
	if err != nil {
		return fmt.Errorf("beamjob: %w", err)
	}
	if err := checkShards(out, names, shards); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(out, SuccessName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("beamjob: %w", err)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return fmt.Errorf("beamjob: %w", err)
	}
	for _, e := range entries {
		if tempFile.MatchString(e.Name()) && e.Type().IsRegular() {
			if err := os.Remove(filepath.Join(out, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("beamjob: %w", err)
			}
		}
	}
	return nil
}

// checkOutURL is checkOut for an output prefix in object storage, where
// an object appears only when its upload completes: no temporary files.
func checkOutURL(ctx context.Context, out string, shards int) error {
	f, err := fsFor(ctx, out)
	if err != nil {
		return err
	}
	glob := join(out, "*-of-*.jsonl")
	names, err := f.List(ctx, glob)
	if err != nil {
		return fmt.Errorf("beamjob: list %s: %w", glob, err)
	}
	if err := checkShards(out, names, shards); err != nil {
		return err
	}
	marker := join(out, SuccessName)
	found, err := f.List(ctx, marker)
	if err != nil {
		return fmt.Errorf("beamjob: list %s: %w", marker, err)
	}
	if len(found) == 0 {
		return nil
	}
	r, ok := f.(filesystem.Remover)
	if !ok {
		return fmt.Errorf("beamjob: %s: the storage cannot remove the marker of an earlier run", marker)
	}
	if err := r.Remove(ctx, marker); err != nil {
		return fmt.Errorf("beamjob: remove %s: %w", marker, err)
	}
	return nil
}

// checkShards refuses an output folder whose files names (paths or URLs)
// hold the output of another shard count than shards.
func checkShards(out string, names []string, shards int) error {
	want := fmt.Sprintf("%05d", shards)
	for _, n := range names {
		m := shardFile.FindStringSubmatch(n[strings.LastIndexAny(n, "/\\")+1:])
		if m != nil && m[2] != want {
			return fmt.Errorf("beamjob: %s holds %s, the output of %s shards, not %d: remove it or choose another output folder", out, n, strings.TrimLeft(m[2], "0"), shards)
		}
	}
	return nil
}
