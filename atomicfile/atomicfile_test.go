package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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

// A replaced file keeps its mode; a new one gets 0644.
func TestWriteKeepsMode(t *testing.T) {
	for _, mode := range []os.FileMode{0o600, 0o640, 0o755, 0o644} {
		path := filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if err := WriteBytes(path, []byte("new")); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("mode %o became %v (%v)", mode, fi.Mode(), err)
		}
	}
	path := filepath.Join(t.TempDir(), "new")
	if err := WriteBytes(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("a new file has mode %v (%v), want 0644", fi.Mode(), err)
	}
}

// A path that is a symbolic link (relative, absolute, chained or dangling)
// stays a link; the file at the end of the chain gets the content.
func TestWriteThroughSymlink(t *testing.T) {
	for _, tc := range []struct {
		name  string
		links [][2]string // link name, target, made in order
		exist bool        // whether the final target exists before the write
	}{
		{"relative", [][2]string{{"out", "real"}}, true},
		{"absolute", [][2]string{{"out", "ABS/real"}}, true},
		{"into a subfolder", [][2]string{{"out", "sub/real"}}, true},
		{"chain", [][2]string{{"mid", "sub/real"}, {"out", "mid"}}, true},
		{"dangling", [][2]string{{"out", "real"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.Mkdir(filepath.Join(dir, "sub"), 0o755)
			final := ""
			for _, l := range tc.links {
				target := strings.Replace(l[1], "ABS", dir, 1)
				if err := os.Symlink(target, filepath.Join(dir, l[0])); err != nil {
					t.Fatal(err)
				}
				if final == "" {
					final = target
					if !filepath.IsAbs(final) {
						final = filepath.Join(dir, final)
					}
				}
			}
			if tc.exist {
				if err := os.WriteFile(final, []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(dir, "out")
			if err := WriteBytes(out, []byte("new")); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Lstat(out); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("the link was replaced: %v, %v", fi.Mode(), err)
			}
			got, err := os.ReadFile(final)
			if err != nil || string(got) != "new" {
				t.Fatalf("target %s holds %q, %v", final, got, err)
			}
			if fi, _ := os.Stat(final); tc.exist && fi.Mode().Perm() != 0o600 {
				t.Errorf("target mode %v, want 0600", fi.Mode())
			}
		})
	}
	dir := t.TempDir()
	loop := filepath.Join(dir, "loop")
	os.Symlink("loop", loop)
	if err := WriteBytes(loop, nil); err == nil || !strings.Contains(err.Error(), "symbolic links") {
		t.Errorf("a link to itself: %v", err)
	}
}

// A file name near the 255-byte limit is written, its temporary name stays
// short, and its leftovers are still recognised as stale.
func TestWriteLongName(t *testing.T) {
	for _, n := range []int{64, 65, 240, 255} {
		dir := t.TempDir()
		name := strings.Repeat("é", n/2) + strings.Repeat("x", n%2)
		path := filepath.Join(dir, name)
		prefix := tempPrefix(path)
		if len(prefix)+20 > 255 {
			t.Errorf("%d bytes: temporary prefix of %d bytes", n, len(prefix))
		}
		if !utf8.ValidString(prefix) {
			t.Errorf("%d bytes: prefix %q is not UTF-8", n, prefix)
		}
		stale := filepath.Join(dir, prefix+"42")
		if err := os.WriteFile(stale, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-StaleAge - time.Minute)
		os.Chtimes(stale, old, old)
		if err := WriteBytes(path, []byte("x")); err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 || entries[0].Name() != name {
			t.Errorf("%d bytes: folder holds %v", n, entries)
		}
		if err := CheckWritable(path); err != nil {
			t.Errorf("%d bytes: CheckWritable: %v", n, err)
		}
	}
	if tempPrefix("/d/"+strings.Repeat("a", 100)+"1") == tempPrefix("/d/"+strings.Repeat("a", 100)+"2") {
		t.Error("two long names share their temporary prefix")
	}
}
