package beamjob

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	// Object storage: s3:// through the usual AWS configuration (its
	// environment variables, ~/.aws), gs:// through Google's default
	// credentials; plain paths are local files.
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/s3"

	"mlabel/atomicfile"
)

// Limits on what is read into memory.
const (
	// MaxImageBytes is the largest image file read.
	MaxImageBytes = 512 << 20
	// MaxBundleBytes is the largest model bundle read.
	MaxBundleBytes = 4 << 30
)

// isURL reports whether path names object storage (scheme://...) rather
// than a local file.
func isURL(path string) bool {
	i := strings.Index(path, "://")
	return i > 0 && !strings.ContainsAny(path[:i], "/\\")
}

// filesystems holds one client per URL scheme, made on first use: a
// client (an S3 one loads its whole configuration) is too costly to make
// per image.
var filesystems sync.Map // scheme -> filesystem.Interface

func fsFor(ctx context.Context, url string) (filesystem.Interface, error) {
	scheme := url[:strings.Index(url, "://")]
	if f, ok := filesystems.Load(scheme); ok {
		return f.(filesystem.Interface), nil
	}
	f, err := filesystem.New(context.WithoutCancel(ctx), url)
	if err != nil {
		return nil, fmt.Errorf("beamjob: %w", err)
	}
	got, loaded := filesystems.LoadOrStore(scheme, f)
	if loaded {
		f.Close()
	}
	return got.(filesystem.Interface), nil
}

// readAll returns the bytes of a local file or an object, refusing more
// than max bytes.
func readAll(ctx context.Context, path string, max int64) ([]byte, error) {
	var r io.ReadCloser
	if isURL(path) {
		f, err := fsFor(ctx, path)
		if err != nil {
			return nil, err
		}
		if r, err = f.OpenRead(ctx, path); err != nil {
			return nil, err
		}
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		r = f
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is over the limit of %d bytes", path, max)
	}
	return data, nil
}

// join names a file of the output folder or prefix dir.
func join(dir, name string) string {
	if isURL(dir) {
		return strings.TrimSuffix(dir, "/") + "/" + name
	}
	return filepath.Join(dir, name)
}

// writeAll writes a file whole: a local file under a temporary name
// renamed into place, an object by one upload, which appears only when it
// completes.
func writeAll(ctx context.Context, path string, data []byte) error {
	if !isURL(path) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("beamjob: %w", err)
		}
		return atomicfile.WriteBytes(path, data)
	}
	f, err := fsFor(ctx, path)
	if err != nil {
		return err
	}
	w, err := f.OpenWrite(ctx, path)
	if err != nil {
		return fmt.Errorf("beamjob: write %s: %w", path, err)
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return fmt.Errorf("beamjob: write %s: %w", path, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("beamjob: write %s: %w", path, err)
	}
	return nil
}
