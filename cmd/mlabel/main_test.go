package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/predict"
	"mlabel/synth"
)

// TestMain lets the test binary act as the mlabel command when the
// environment asks it to, so that tests can run it as a separate process
// (and kill it).
func TestMain(m *testing.M) {
	if os.Getenv("MLABEL_TEST_AS_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	self = "mlabel" // the next commands the tests look for
	code := m.Run()
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	os.Exit(code)
}

// runCLI runs the command line in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetErr(&errb)
	code = exitCode(execute(root, args), &errb)
	return code, out.String(), errb.String()
}

var (
	demoOnce sync.Once
	demoDir  string
	demoCSV  string
	demoErr  error
)

// demoData generates a small demo dataset shared by the tests.
func demoData(t *testing.T) (csv, images string) {
	t.Helper()
	demoOnce.Do(func() {
		demoDir, demoErr = os.MkdirTemp("", "mlabel-cli-test-")
		if demoErr != nil {
			return
		}
		demoCSV, demoErr = synth.Generate(synth.Options{Dir: demoDir, Count: 160, Size: 32, Seed: 3})
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoCSV, filepath.Join(demoDir, synth.ImagesDir)
}

// quickTrainArgs are training flags small enough for tests.
var quickTrainArgs = []string{"--arch", "small", "--width", "8", "--size", "32", "--batch", "16", "--epochs", "2", "--quiet"}

func TestUsageErrorsExitTwo(t *testing.T) {
	tests := [][]string{
		{"no-such-command"},
		{"version", "--bogus-flag"},
		{"train", "--csv", "x.csv"},                                 // no --out
		{"train", "--out", "m.mlb"},                                 // no data
		{"train", "--csv", "a.csv", "--folders", "d", "--out", "m"}, // both sources
		{"train", "--csv", "a.csv", "--out", "m", "--arch", "vgg99"},
		{"train", "--csv", "a.csv", "--out", "m", "--structure", "maybe"},
		{"train", "--csv", "a.csv", "--out", "m", "--min-precision", "2"},
		{"train", "--csv", "a.csv", "--out", "m", "--implies", "building,road"},
		{"predict", "--model", "m.mlb"}, // no paths
		{"metrics", "--truth", "t.csv"},
		{"decide", "--truth", "t.csv", "--scores", "s.csv", "--rule", "magic"},
		{"inspect"},
	}
	for _, args := range tests {
		code, _, stderr := runCLI(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, stderr)
		}
	}
}

func TestRuntimeErrorsExitOne(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "foreign.mlb")
	os.WriteFile(foreign, []byte("this is not a model bundle, just some text of some length"), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"inspect", filepath.Join(dir, "missing.mlb")}, "no such file"},
		{[]string{"inspect", foreign}, "not a valid mlabel bundle"},
		{[]string{"predict", "--model", foreign, dir}, "not a valid mlabel bundle"},
		{[]string{"train", "--csv", filepath.Join(dir, "none.csv"), "--out", filepath.Join(dir, "m.mlb")}, "none.csv"},
	}
	for _, tc := range tests {
		code, _, stderr := runCLI(t, tc.args...)
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	root := newRootCmd()
	for _, c := range root.Commands() {
		code, out, _ := runCLI(t, c.Name(), "--help")
		if code != 0 || !strings.Contains(out, "Usage:") {
			t.Errorf("%s --help: exit %d, output %q", c.Name(), code, out)
		}
	}
}

func TestExitCodeHints(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{"not a classifier", fmt.Errorf("m.mlb: %w", predict.Check(&bundle.Bundle{Header: bundle.Header{Kind: bundle.KindBackbone}})),
			[]string{"mlabel: hint: train a classifier with mlabel train"}},
		{"more problems", errors.Join(errors.New("first"), fmt.Errorf("wrapped: %w", dataset.ErrMoreProblems)),
			[]string{"mlabel: hint: mlabel data check lists every problem"}},
		{"no hint", errors.New("plain"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w bytes.Buffer
			if code := exitCode(tc.err, &w); code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if !strings.HasPrefix(w.String(), "mlabel: "+tc.err.Error()+"\n") {
				t.Errorf("output %q does not start with the error", w.String())
			}
			lines := strings.Split(strings.TrimSpace(w.String()), "\n")
			var hints []string
			for _, l := range lines {
				if strings.HasPrefix(l, "mlabel: hint: ") {
					hints = append(hints, l)
				}
			}
			if !slices.Equal(hints, tc.want) {
				t.Errorf("hints %q, want %q", hints, tc.want)
			}
		})
	}
}

// train's decision flags are refused, named, before any image is read.
func TestTrainRefusesBadDecisionFlags(t *testing.T) {
	for _, tc := range []struct {
		flag, value, want string
	}{
		{"--structure", "maybe", `--structure must be auto or none, got "maybe"`},
		{"--min-precision", "2", "--min-precision must be in [0, 1], got 2"},
		{"--min-precision", "-0.1", "--min-precision must be in [0, 1], got -0.1"},
	} {
		code, _, stderr := runCLI(t, "train", "--csv", "a.csv", "--out", filepath.Join(t.TempDir(), "m.mlb"), tc.flag, tc.value)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s %s: exit %d, stderr %q; want 2 and %q", tc.flag, tc.value, code, stderr, tc.want)
		}
	}
}
