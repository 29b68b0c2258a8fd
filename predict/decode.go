package predict

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"sync"

	"mlabel/imageio"
)

// fileResult is one image file read, hashed and made ready for the network.
type fileResult struct {
	x      []float32 // the preprocessed image (whole-image mode)
	scores []float64 // the max-pooled tile scores (tile mode)
	hash   string
	bounds image.Rectangle // the decoded image's rectangle
	err    error           // why the image cannot be predicted
}

// decodeFiles reads, hashes and decodes files in parallel. The error is for
// what stops the list, not for a bad image.
func (p *Predictor) decodeFiles(ctx context.Context, files []string, o BatchOptions) ([]fileResult, error) {
	res := make([]fileResult, len(files))
	next := make(chan int)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fatal error
	)
	for range min(o.Workers, len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, err := p.decodeFile(files[i], o)
				if err != nil {
					mu.Lock()
					fatal = cmp.Or(fatal, err)
					mu.Unlock()
				}
				res[i] = r
			}
		}()
	}
send:
	for i := range files {
		select {
		case next <- i:
		case <-ctx.Done():
			break send
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	return res, fatal
}

// decodeFile reads, hashes and decodes one file. A file that cannot be
// read or decoded is reported in the result; the error is for a failing
// network (tile mode).
func (p *Predictor) decodeFile(path string, o BatchOptions) (fileResult, error) {
	if p.byTiles(o) {
		return p.decodeTiled(path, o)
	}
	read := o.Read
	if read == nil {
		read = func(path string) ([]byte, error) { return imageio.ReadFile(path, p.pre.MaxPixels) }
	}
	data, err := read(path)
	if err != nil {
		return fileResult{err: err}, nil
	}
	sum := sha256.Sum256(data)
	r := fileResult{hash: hex.EncodeToString(sum[:])}
	pix, size, err := p.pre.InputPixels(path, data)
	if err != nil {
		r.err = err
		return r, nil
	}
	r.bounds = image.Rectangle{Max: size}
	r.x = p.pre.Normalized(pix)
	return r, nil
}
