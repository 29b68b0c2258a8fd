// Package atomicfile writes files so that readers see either the old content
// or the complete new content, never a torn write: the data goes to a temporary
// file in the same directory, is synced to disk, and is renamed over the target.
//
// The new file keeps the mode of the file it replaces (a new file gets
// 0644), and a path that is a symbolic link is written through: the link
// stays and the file it points to is replaced.
//
// A write interrupted by a crash or kill -9 leaves its temporary file
// (".NAME.tmp-DIGITS", NAME shortened for a long name) behind. The next Write to the same path removes such
// leftovers of that path: only names of exactly that pattern, and only those
// not modified for StaleAge, so a concurrent writer of the same path, which
// keeps writing its file, is never disturbed.
package atomicfile

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// StaleAge is how long a temporary file must have gone unmodified before a
// later Write to the same path removes it as the leftover of an interrupted
// write.
const StaleAge = 10 * time.Minute

// maxTempBase is the longest file name kept whole in a temporary file's
// name; a longer one is cut and tagged with a hash of the whole, so that
// the temporary name stays far below the 255 bytes file systems allow.
const maxTempBase = 64

// tempPrefix is the start of the temporary files' names for path; os.CreateTemp
// replaces the "*" of the pattern with decimal digits.
func tempPrefix(path string) string {
	base := filepath.Base(path)
	if len(base) > maxTempBase {
		h := fnv.New32a()
		h.Write([]byte(base))
		cut := maxTempBase - 9
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		base = fmt.Sprintf("%s~%08x", base[:cut], h.Sum32())
	}
	return "." + base + ".tmp-"
}

// maxLinks is how many symbolic links resolve follows before it gives up.
const maxLinks = 40

// resolve returns the file path names: path itself, or, when path is a
// symbolic link, the file at the end of its chain of links, which need not
// exist yet.
func resolve(path string) (string, error) {
	for range maxLinks {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", fmt.Errorf("atomicfile: %w", err)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return "", fmt.Errorf("atomicfile: %s: more than %d symbolic links", path, maxLinks)
}

// newMode is the mode a Write to path gives the file: that of the regular
// file it replaces, 0644 for a new one.
func newMode(path string) os.FileMode {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		return fi.Mode().Perm()
	}
	return 0o644
}

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
// A path that is a symbolic link has the file it points to replaced.
func Write(path string, fill func(w io.Writer) error) (err error) {
	if path, err = resolve(path); err != nil {
		return err
	}
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
	// CreateTemp makes the file private; give it the mode of the file it
	// replaces, or the usual mode of a new file.
	if err = tmp.Chmod(newMode(path)); err != nil {
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
	path, err := resolve(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), tempPrefix(path)+"*")
	if err != nil {
		return fmt.Errorf("atomicfile: cannot write %s: %w", path, err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}
