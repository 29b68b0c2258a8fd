package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.bin")
	for _, content := range []string{"first", "second, longer content"} {
		if err := WriteBytes(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != content {
			t.Fatalf("got %q, want %q", got, content)
		}
	}
}

// A failure while writing (as with a full disk) keeps the old file intact and
// leaves no temporary file behind.
func TestWriteFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt")
	if err := WriteBytes(path, []byte("good")); err != nil {
		t.Fatal(err)
	}
	diskFull := errors.New("no space left on device")
	err := Write(path, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return diskFull
	})
	if !errors.Is(err, diskFull) {
		t.Fatalf("error %v does not wrap the write failure", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "good" {
		t.Fatalf("old content lost: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestWriteMissingDir(t *testing.T) {
	err := WriteBytes(filepath.Join(t.TempDir(), "no", "such", "dir", "f"), nil)
	if err == nil {
		t.Fatal("expected an error for a missing directory")
	}
}

// A Write removes the temporary files of the same path left by interrupted
// writes, and only those: fresh ones (a concurrent writer's), other paths'
// and names of another pattern stay.
func TestWriteRemovesStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.mlb")
	old := time.Now().Add(-StaleAge - time.Minute)
	files := []struct {
		name    string
		stale   bool
		removed bool
	}{
		{".m.mlb.tmp-123456", true, true},
		{".m.mlb.tmp-42", true, true},
		{".m.mlb.tmp-999", false, false},    // fresh: may be a concurrent writer's
		{".m.mlb.tmp-12ab", true, false},    // not the temporary-name pattern
		{".m.mlb.tmp-", true, false},        // no digits
		{".m.mlb.ckpt.tmp-77", true, false}, // another target
		{".other.mlb.tmp-1", true, false},   // another target
		{"m.mlb.tmp-5", true, false},        // not hidden
		{".m.mlb.tmp-8.keep", true, false},  // suffix after the digits
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
		if f.stale {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := WriteBytes(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, f.name))
		if gone := errors.Is(err, os.ErrNotExist); gone != f.removed {
			t.Errorf("%s: removed %v, want %v", f.name, gone, f.removed)
		}
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Errorf("target holds %q", got)
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	if err := CheckWritable(filepath.Join(dir, "m.mlb")); err != nil {
		t.Fatalf("writable folder: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %d files behind", len(entries))
	}
	if err := CheckWritable(filepath.Join(dir, "missing", "m.mlb")); err == nil || !strings.Contains(err.Error(), "m.mlb") {
		t.Errorf("missing folder: error %v", err)
	}
	// A "folder" that is a file refuses even root.
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	if err := CheckWritable(filepath.Join(file, "m.mlb")); err == nil {
		t.Error("a path under a file was accepted")
	}
}
