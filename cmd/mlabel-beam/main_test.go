package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners"

	"mlabel/arch"
	"mlabel/beamjob"
	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/imageio/imagetest"
	"mlabel/nn"
)

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"predict"}, "are required"},
		{[]string{"predict", "--model", "m.mlb", "--manifest", "x.txt"}, "are required"},
		{[]string{"predict", "--model", "m.mlb", "--manifest", "x.txt", "--out", "o", "--runner", "direct"}, "--runner must be one of"},
		{[]string{"predict", "--model", "m.mlb", "--manifest", "x.txt", "--out", "o", "--shards", "0"}, "0 shards"},
		{[]string{"predict", "--bogus"}, "unknown flag"},
		{[]string{"train"}, "unknown command"},
	} {
		*runners.Runner = "" // Beam's flags are global
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, errb.String(), tc.msg)
		}
	}
}

// A run on Prism writes every shard's files and the completion marker,
// and reports the counters.
func TestPredictCommand(t *testing.T) {
	dir := t.TempDir()
	spec, err := arch.Build("small", 32, 3, 2, arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle.Bundle{Header: bundle.Header{Kind: bundle.KindClassifier, Arch: "small", Spec: spec, Labels: []string{"a", "b"},
		Preprocess: imageio.DefaultPreprocess(32), Rules: &decide.Rules{Kind: decide.PerClass, Labels: 2, PerClass: []float64{0, 1.01}}}, Weights: m.Weights()}
	model := filepath.Join(dir, "m.mlb")
	if err := b.Save(model); err != nil {
		t.Fatal(err)
	}
	var manifest strings.Builder
	for i := range 5 {
		p := filepath.Join(dir, fmt.Sprintf("%d.png", i))
		if err := os.WriteFile(p, imagetest.PNG(imagetest.Noisy(16, 16, uint32(i))), 0o644); err != nil {
			t.Fatal(err)
		}
		manifest.WriteString(p + "\n")
	}
	// An image listed twice is predicted and counted once.
	manifest.WriteString(filepath.Join(dir, "0.png") + "\n" + filepath.Join(dir, "gone.png") + "\n")
	list := filepath.Join(dir, "list.txt")
	if err := os.WriteFile(list, []byte(manifest.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	code := run([]string{"predict", "--model", model, "--manifest", list, "--out", out, "--shards", "2", "--runner", "prism"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"predicted 5 images, 1 could not be read", "a: 5 images"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q, want %q", stderr.String(), want)
		}
	}
	for s := range 2 {
		for _, name := range []string{beamjob.PredictionsName(s, 2), beamjob.ErrorsName(s, 2)} {
			if _, err := os.Stat(filepath.Join(out, name)); err != nil {
				t.Error(err)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(out, beamjob.SuccessName)); err != nil {
		t.Errorf("no completion marker: %v", err)
	}
}
