package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
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
