// Command mlabel-beam predicts the images of a manifest with an mlabel
// model on Apache Beam: in-process on Prism, or on Dataflow, Flink and
// Spark. It is a thin shell over the beamjob package, and a binary of its
// own so that mlabel stays small.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners"
	// The runners --runner can name.
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/dataflow"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/flink"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/spark"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/universal"
	"github.com/spf13/cobra"

	"mlabel/beamjob"
	"mlabel/cmd/internal/cli"
)

func main() {
	// A Beam worker runs this same binary with --worker=true: it then
	// serves the runner's requests until the job ends, and never returns.
	if slices.Contains(os.Args[1:], "--worker=true") {
		flag.Parse()
		beam.Init()
		return
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return cli.ExitCode("mlabel-beam", root.Execute(), nil, stderr)
}

func newRootCmd() *cobra.Command {
	root := cli.NewRoot("mlabel-beam", "Predict millions of images with an mlabel model on Apache Beam")
	root.AddCommand(newPredictCmd())
	return root
}

// runnerNames are the runners --runner accepts.
var runnerNames = []string{"prism", "dataflow", "flink", "spark", "universal"}

// workerFlags are the Beam flags of a worker's own start, hidden from help.
var workerFlags = []string{"worker", "id", "logging_endpoint", "control_endpoint", "semi_persist_dir", "options"}

func newPredictCmd() *cobra.Command {
	var o beamjob.Options
	c := &cobra.Command{
		Use:   "predict --model M.mlb --manifest FILE --out DIR [--runner prism|dataflow|flink|spark|universal] [runner options]",
		Short: "Predict the images a manifest lists, into sharded JSON Lines files",
		Long: `Predict reads a manifest (one image path or URL a line; blank lines and
lines starting with # are skipped), predicts every image as mlabel predict
does, and writes DIR/predictions-SSSSS-of-NNNNN.jsonl (the fields of mlabel
predict --json, one image a line) and DIR/errors-SSSSS-of-NNNNN.jsonl (the
images that could not be read or decoded, with why), then DIR/_SUCCESS,
empty, once every other file is written. An image the manifest lists twice
is predicted once; the counts printed are the lines of the files. The model,
the manifest, the images and DIR can be local or in object storage (s3://,
gs://), with credentials from the usual environment. Each file appears
whole, and a run over the same manifest and DIR writes the same files: it
first removes DIR/_SUCCESS and the temporary files a killed run left, and
error lines leave out the storage service's request IDs. One run writes
into a DIR at a time.

The runner's own options are Beam's flags: for Dataflow --project,
--region, --temp_location, --staging_location, --num_workers and so on; for
Flink, Spark and universal --endpoint (the job server) and
--environment_type.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if o.Model == "" || o.Manifest == "" || o.Out == "" {
				return cli.Usagef("--model, --manifest and --out are required")
			}
			if *runners.Runner == "" {
				*runners.Runner = "prism"
			}
			if !slices.Contains(runnerNames, *runners.Runner) {
				return cli.Usagef("--runner must be one of %s, got %q", strings.Join(runnerNames, ", "), *runners.Runner)
			}
			if err := o.Check(); err != nil {
				return cli.UsageError{Err: err}
			}
			beam.Init()
			counts, err := beamjob.Run(context.Background(), *runners.Runner, o)
			if err != nil {
				return err
			}
			printCounts(c.ErrOrStderr(), counts, o.Out)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.Model, "model", "", "model bundle (a path, s3:// or gs://)")
	f.StringVar(&o.Manifest, "manifest", "", "text file of image paths or URLs, one a line (a path, s3:// or gs://; a glob reads several)")
	f.StringVar(&o.Out, "out", "", "output folder (a path, s3:// or gs:// prefix)")
	f.IntVar(&o.Shards, "shards", 16, "output files of each kind; image I goes to the shard mlabel predict --shard K/N would give it")
	f.IntVar(&o.Batch, "batch", 32, "images per forward pass")
	f.BoolVar(&o.TTA, "tta", false, "test-time augmentation, as mlabel predict --tta")
	f.AddGoFlagSet(flag.CommandLine)
	for _, name := range workerFlags {
		f.MarkHidden(name)
	}
	return c
}

// printCounts says what the job did, from its counters.
func printCounts(w io.Writer, c beamjob.Counts, out string) {
	fmt.Fprintf(w, "mlabel-beam: predicted %d images, %d could not be read (see %s/errors-*.jsonl)\n", c.Predicted, c.Failed, strings.TrimSuffix(out, "/"))
	labels := make([]string, 0, len(c.Positives))
	for l := range c.Positives {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	for _, l := range labels {
		fmt.Fprintf(w, "mlabel-beam: %s: %d images\n", l, c.Positives[l])
	}
}
