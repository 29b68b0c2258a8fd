package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"mlabel/imageio/imagetest"
	"mlabel/predict"
)

// shardFixtures writes a model and a dozen images and returns the model,
// the images' folder and what predict --json says of them all. It works
// from the fixtures' folder and names the images by a relative path, so
// that which shard holds an image (a hash of its path as given) is the
// same in every run.
func shardFixtures(t *testing.T) (model, dir string, all []predict.Prediction) {
	t.Helper()
	f := newBadFixtures(t)
	for i := range 12 {
		f.write(t, fmt.Sprintf("images/n%02d.png", i), imagetest.PNG(imagetest.Noisy(20, 20, uint32(10+i))))
	}
	t.Chdir(f.path("."))
	model, dir = f.path("model.mlb"), "images"
	code, out, stderr := runCLI(t, "predict", "--model", model, "--json", dir)
	if code != 0 {
		t.Fatalf("predict --json: exit %d: %s", code, stderr)
	}
	if err := json.Unmarshal([]byte(out), &all); err != nil || len(all) != 14 {
		t.Fatalf("predict --json: %d predictions, %v", len(all), err)
	}
	return model, dir, all
}

func byImage(ps []predict.Prediction) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Image < ps[j].Image })
}

// The shards of an array job, given as K/N or by the task index, are
// disjoint and together predict every image as one run does.
func TestPredictShards(t *testing.T) {
	model, dir, all := shardFixtures(t)
	const n = 3
	var union []predict.Prediction
	for k := 1; k <= n; k++ {
		code, out, stderr := runCLI(t, "predict", "--model", model, "--json", "--shard", fmt.Sprintf("%d/%d", k, n), dir)
		if code != 0 {
			t.Fatalf("--shard %d/%d: exit %d: %s", k, n, code, stderr)
		}
		var part []predict.Prediction
		if err := json.Unmarshal([]byte(out), &part); err != nil {
			t.Fatal(err)
		}
		if len(part) == 0 || len(part) == len(all) {
			t.Errorf("--shard %d/%d holds %d of %d images", k, n, len(part), len(all))
		}
		for _, p := range part {
			if got := predict.ShardOf(p.Image, n); got != k-1 {
				t.Errorf("--shard %d/%d predicts %s, which hashes to shard %d", k, n, p.Image, got+1)
			}
		}
		union = append(union, part...)

		t.Setenv("JOB_COMPLETION_INDEX", fmt.Sprint(k-1))
		code, byIndex, stderr := runCLI(t, "predict", "--model", model, "--json", "--shards", fmt.Sprint(n), dir)
		if code != 0 || byIndex != out {
			t.Errorf("--shards %d with index %d: exit %d %s\n%s\nwant the output of --shard %d/%d:\n%s", n, k-1, code, stderr, byIndex, k, n, out)
		}
	}
	byImage(union)
	byImage(all)
	if !reflect.DeepEqual(union, all) {
		t.Errorf("the shards together predict\n%v\nwant\n%v", union, all)
	}
}

// --out writes the lines of predict --json, and --resume over a finished
// file leaves it as it was.
func TestPredictOutResume(t *testing.T) {
	model, dir, all := shardFixtures(t)
	out := filepath.Join(t.TempDir(), "preds.jsonl")
	var want strings.Builder
	for _, p := range all {
		l, err := predict.Line(p)
		if err != nil {
			t.Fatal(err)
		}
		want.Write(l)
	}
	for _, args := range [][]string{{}, {"--resume"}, {"--resume", "--json"}} {
		code, stdout, stderr := runCLI(t, append([]string{"predict", "--model", model, "--out", out, dir}, args...)...)
		if code != 0 || stdout != "" {
			t.Fatalf("predict --out %v: exit %d, stdout %q: %s", args, code, stdout, stderr)
		}
		got, err := os.ReadFile(out)
		if err != nil || string(got) != want.String() {
			t.Errorf("predict --out %v wrote\n%s\nwant\n%s", args, got, want.String())
		}
	}
}

// --out with --format table, csv or scores writes what stdout would show.
func TestPredictOutFormat(t *testing.T) {
	model, dir, _ := shardFixtures(t)
	for _, format := range []string{"table", "csv", "scores"} {
		t.Run(format, func(t *testing.T) {
			code, want, stderr := runCLI(t, "predict", "--model", model, "--format", format, dir)
			if code != 0 {
				t.Fatalf("to stdout: exit %d: %s", code, stderr)
			}
			out := filepath.Join(t.TempDir(), "preds."+format)
			code, stdout, stderr := runCLI(t, "predict", "--model", model, "--format", format, "--out", out, dir)
			if code != 0 || stdout != "" {
				t.Fatalf("--out: exit %d, stdout %q: %s", code, stdout, stderr)
			}
			if got, err := os.ReadFile(out); err != nil || string(got) != want {
				t.Errorf("--out wrote %q (%v), want %q", got, err, want)
			}
		})
	}
}

func TestPredictShardUsageErrors(t *testing.T) {
	model, dir, _ := shardFixtures(t)
	os.Unsetenv("JOB_COMPLETION_INDEX")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--shard", "0/3"}, "K counts from 1"},
		{[]string{"--shard", "4/3"}, "K counts from 1"},
		{[]string{"--shard", "x"}, "K/N"},
		{[]string{"--shard", "1/3", "--shards", "3"}, "not both"},
		{[]string{"--shards", "3"}, "JOB_COMPLETION_INDEX"},
		{[]string{"--resume"}, "--resume needs --out"},
		{[]string{"--out", filepath.Join(t.TempDir(), "x"), "--format", "csv", "--resume"}, "--out writes JSON Lines"},
		{[]string{"--out", filepath.Join(t.TempDir(), "x"), "--format", "csv", "--shard", "1/2"}, "--out writes JSON Lines"},
	} {
		code, _, stderr := runCLI(t, append([]string{"predict", "--model", model, dir}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.msg) {
			t.Errorf("predict %v: exit %d, %q; want 2 and %q", tc.args, code, stderr, tc.msg)
		}
	}
}
