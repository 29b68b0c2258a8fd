// Package atomicfile writes files so that readers see either the old content
// or the complete new content, never a torn write: the data goes to a temporary
// file in the same directory, is synced to disk, and is renamed over the target.
//
// A write interrupted by a crash or kill -9 leaves its temporary file
// (".NAME.tmp-DIGITS") behind. The next Write to the same path removes such
// leftovers of that path: only names of exactly that pattern, and only those
// not modified for StaleAge, so a concurrent writer of the same path, which
// keeps writing its file, is never disturbed.
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// StaleAge is how long a temporary file must have gone unmodified before a
// later Write to the same path removes it as the leftover of an interrupted
// write.
const StaleAge = 10 * time.Minute

// tempPrefix is the start of the temporary files' names for path; os.CreateTemp
// replaces the "*" of the pattern with decimal digits.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// removeStale deletes the temporary files of path left by interrupted writes:
// names of the form tempPrefix(path) + digits, not modified for StaleAge.
// Errors are ignored: a leftover that cannot be removed stays for a later
// write.
func removeStale(path string, now time.Time) {
	dir, prefix := filepath.Dir(path), tempPrefix(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		digits, ok := strings.CutPrefix(name, prefix)
		if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < StaleAge {
			continue
		}
		os.Remove(filepath.Join(dir, name))
	}
}

// Write creates or replaces path with what fill writes. If fill or any step of
// writing fails, path is left as it was and the temporary file is removed.
func Write(path string, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	removeStale(path, time.Now())
	tmp, err := os.CreateTemp(dir, tempPrefix(path)+"*")
	if err != nil {
		return fmt.Errorf("atomicfile: create temporary file for %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// CreateTemp makes the file private; give it the usual mode of a new
	// file (the umask still applies at creation of the final name's data).
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("atomicfile: %s: %w", path, err)
	}
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = fill(bw); err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("atomicfile: sync %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("atomicfile: close %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("atomicfile: rename into %s: %w", path, err)
	}
	// Make the rename itself durable.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// WriteBytes is Write for content already in memory.
func WriteBytes(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// CheckWritable reports whether Write could create path: its folder exists
// and a temporary file can be made in it (it is removed at once). A long
// job calls it before it starts, so that an unwritable output is found
// before the work, not after.
func CheckWritable(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), tempPrefix(path)+"*")
	if err != nil {
		return fmt.Errorf("atomicfile: cannot write %s: %w", path, err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}
