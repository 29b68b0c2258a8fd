package main

import (
	"context"
	"io"
	"os"

	"github.com/spf13/cobra"

	"mlabel/predict"
)

// shardIndexEnv names the variable a Kubernetes Indexed Job sets to each
// task's index, from 0.
const shardIndexEnv = "JOB_COMPLETION_INDEX"

// shardFlags are predict's flags for array jobs: which part of the inputs
// to predict, and a file to write that resumes.
type shardFlags struct {
	shard  string
	shards int
	out    string
	resume bool
}

// set reports whether any of the flags was given.
func (s *shardFlags) set() bool { return s.shard != "" || s.shards != 0 || s.out != "" || s.resume }

func (s *shardFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&s.shard, "shard", "", "predict only part K of N of the images (K/N, K from 1), chosen by a stable hash of each path so that the tasks of an array job agree")
	c.Flags().IntVar(&s.shards, "shards", 0, "with no --shard: predict part $"+shardIndexEnv+"+1 of N (a Kubernetes Indexed Job's task)")
	c.Flags().StringVar(&s.out, "out", "", "write the predictions to FILE as JSON Lines (one --json object a line), which appears when every image is done; with --format table, csv or scores, that output instead")
	c.Flags().BoolVar(&s.resume, "resume", false, "with --out: keep the predictions an earlier, interrupted run wrote and predict only the other images")
}

// check refuses flags that do not go together; formatSet says whether
// --format or --json was given.
func (s *shardFlags) check(format string, formatSet bool) error {
	if s.shard != "" && s.shards != 0 {
		return usagef("give --shard K/N or --shards N, not both")
	}
	if s.resume && s.out == "" {
		return usagef("--resume needs --out FILE")
	}
	if s.out != "" && formatSet && format != "json" {
		return usagef("--out writes JSON Lines; --format %s is for stdout", format)
	}
	return nil
}

// selectFiles returns the files of this task's shard, or files when there
// are no shards.
func (s *shardFlags) selectFiles(files []string) ([]string, error) {
	var (
		sh  predict.Shard
		err error
	)
	switch {
	case s.shard != "":
		sh, err = predict.ParseShard(s.shard)
	case s.shards != 0:
		index, ok := os.LookupEnv(shardIndexEnv)
		if !ok {
			return nil, usagef("--shards N takes the task from $%s, which is not set; give --shard K/N", shardIndexEnv)
		}
		sh, err = predict.ShardFromIndex(index, s.shards)
	default:
		return files, nil
	}
	if err != nil {
		return nil, usagef("%v", err)
	}
	return sh.Select(files), nil
}

// predictToFile predicts files into the JSON Lines file s.out and names
// the images that failed on stderr.
func (s *shardFlags) predictToFile(ctx context.Context, stderr io.Writer, p *predict.Predictor, files []string, o predict.BatchOptions, tta, skipBad bool) error {
	p.SetTTA(tta)
	out, err := predict.CreateOutput(s.out, s.resume)
	if err != nil {
		return err
	}
	fails, err := p.FilesTo(ctx, files, o, out)
	if err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return reportSkipped(stderr, fails, len(files), skipBad)
}
