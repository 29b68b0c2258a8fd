// Package beamjob predicts the images of a manifest on Apache Beam: the
// same pipeline runs in-process on Prism, on Dataflow, and on Flink and
// Spark through their portable job servers.
//
// The pipeline reads the manifest (one image path or URL a line),
// reshuffles the paths across workers, predicts them a few batches at a
// time with predict's code path (each worker loads the bundle once), and
// writes sharded JSON Lines files into the output folder:
//
//	predictions-SSSSS-of-NNNNN.jsonl  one predict.Prediction a line
//	errors-SSSSS-of-NNNNN.jsonl       one predict.ErrorLine a line
//	_SUCCESS                          empty, written after every other file
//
// An image belongs to shard predict.ShardOf(path, N), so shard K of the
// pipeline holds the images that a sharded predict of part K+1 of N holds.
// Each file is written whole, sorted, to a temporary name and renamed (an
// object in object storage appears when its upload completes), so a
// retried bundle or a second run over the same manifest rewrites the same
// bytes instead of adding lines: an image the manifest lists twice is
// predicted once, and an error line keeps the reason but not the storage
// service's per-request IDs. An image that cannot be read or decoded goes
// to the errors files and never fails the pipeline. The counters count the
// lines of the files written. A run starts by removing the folder's
// _SUCCESS and the temporary files an interrupted run left, and writes
// _SUCCESS only once every file is in place.
package beamjob

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/transforms/filter"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/transforms/stats"

	"mlabel/predict"
)

// MaxShards is the largest number of output shards.
const MaxShards = 99999

// SuccessName is the marker file a job writes into its output folder after
// all the others.
const SuccessName = "_SUCCESS"

// Counter names, in the Namespace namespace, counted from the lines of the
// files written: CounterDone the prediction lines, CounterFailed the error
// lines. PositivesPrefix followed by a label counts the prediction lines
// that have it.
const (
	Namespace       = "mlabel"
	CounterDone     = "images_predicted"
	CounterFailed   = "images_failed"
	PositivesPrefix = "positives_"
)

// Options say what a prediction job predicts and where it writes.
type Options struct {
	// Model is the classifier bundle: a path, or an s3:// or gs:// URL.
	Model string
	// Manifest is the text file of image paths or URLs, one a line; blank
	// lines and lines starting with # are skipped. A glob reads several.
	Manifest string
	// Out is the output folder, or an s3:// or gs:// prefix.
	Out string
	// Shards is the number of output shards of each kind.
	Shards int
	// Batch is the number of images per forward pass; 32 when 0.
	Batch int
	// TTA turns on test-time augmentation, as predict --tta does.
	TTA bool
}

// Check reports whether the options describe a job.
func (o Options) Check() error {
	switch {
	case o.Model == "":
		return fmt.Errorf("beamjob: no model")
	case o.Manifest == "":
		return fmt.Errorf("beamjob: no manifest")
	case o.Out == "":
		return fmt.Errorf("beamjob: no output folder")
	case o.Shards < 1 || o.Shards > MaxShards:
		return fmt.Errorf("beamjob: %d shards: want 1 to %d", o.Shards, MaxShards)
	case o.Batch < 0:
		return fmt.Errorf("beamjob: batch %d: want a positive size", o.Batch)
	}
	for _, p := range []string{o.Model, o.Manifest, o.Out} {
		if isURL(p) && !strings.HasPrefix(p, "s3://") && !strings.HasPrefix(p, "gs://") {
			return fmt.Errorf("beamjob: %s: want a local path, s3:// or gs://", p)
		}
	}
	return nil
}

// PredictionsName is the name of the predictions file of shard s (from 0)
// of n.
func PredictionsName(s, n int) string { return fmt.Sprintf("predictions-%05d-of-%05d.jsonl", s, n) }

// ErrorsName is the name of the errors file of shard s (from 0) of n.
func ErrorsName(s, n int) string { return fmt.Sprintf("errors-%05d-of-%05d.jsonl", s, n) }

// build adds the prediction job to the pipeline of s.
func build(s beam.Scope, o Options) error {
	if err := o.Check(); err != nil {
		return err
	}
	if o.Batch == 0 {
		o.Batch = 32
	}
	s = s.Scope("mlabel.predict")
	lines := textio.Read(s, o.Manifest)
	paths := beam.ParDo(s, manifestPath, lines)
	// Each image once, however often the manifest lists it; grouping by
	// path also spreads the paths across workers, as a reshuffle would.
	paths = filter.Distinct(s, paths)
	out := beam.ParDo(s, &predictFn{Model: o.Model, Shards: o.Shards, Batch: o.Batch, TTA: o.TTA}, paths)
	// One empty line for every file, so that each shard's files are
	// written even when no image falls into it.
	names := beam.ParDo(s, &fileNamesFn{Shards: o.Shards}, beam.Impulse(s))
	files := beam.GroupByKey(s, beam.Flatten(s, out, names))
	written := beam.ParDo(s, &writeFn{Out: o.Out}, files)
	// The marker waits for the sum over every file written.
	beam.ParDo0(s, &successFn{Out: o.Out, Files: 2 * o.Shards}, stats.Sum(s, written))
	return nil
}

// manifestPath emits the image of a manifest line, unless the line is
// blank or a comment.
func manifestPath(line string, emit func(string)) {
	line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
	if line == "" || strings.HasPrefix(line, "#") {
		return
	}
	emit(line)
}

// fileNamesFn emits an empty line for every output file.
type fileNamesFn struct {
	Shards int
}

func (f *fileNamesFn) ProcessElement(_ []byte, emit func(string, string)) {
	for i := range f.Shards {
		emit(PredictionsName(i, f.Shards), "")
		emit(ErrorsName(i, f.Shards), "")
	}
}

// outputs returns the lines of a batch's predictions and failures, each
// keyed by the file it goes to.
func outputs(preds []predict.Prediction, fails []predict.Failure, shards int, emit func(string, string)) error {
	for _, p := range preds {
		line, err := predict.Line(p)
		if err != nil {
			return err
		}
		emit(PredictionsName(predict.ShardOf(p.Image, shards), shards), string(line))
	}
	for _, f := range fails {
		f.Err = stableError{f.Err}
		line, err := predict.FailureLine(f)
		if err != nil {
			return err
		}
		emit(ErrorsName(predict.ShardOf(f.Image, shards), shards), string(line))
	}
	return nil
}

// requestID matches what storage services add to an error to name the one
// request: AWS's "RequestID: …" and "HostID: …", the x-amz and Google
// request-ID headers.
var requestID = regexp.MustCompile(`(?i)\b(request ?id|host ?id|x-amz-request-id|x-amz-id-2|x-goog-request-id)[:=] ?[^,;\s]*[,;]? ?`)

// stableError is an error whose message has no per-request IDs, so that
// two runs over the same missing object write the same error line.
type stableError struct{ err error }

func (e stableError) Error() string {
	return strings.TrimRight(requestID.ReplaceAllString(e.err.Error(), ""), ", ")
}

func (e stableError) Unwrap() error { return e.err }
