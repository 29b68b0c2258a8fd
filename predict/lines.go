package predict

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// MaxLineBytes is the longest line readLines accepts: far more than the
// prediction of an image with a thousand labels.
const MaxLineBytes = 16 << 20

// ErrorLine is an image that could not be predicted, as one line of a JSON
// Lines errors file.
type ErrorLine struct {
	Image string `json:"image"`
	Error string `json:"error"`
}

// Line returns the JSON Lines form of a prediction: its JSON encoding, as
// in a JSON array of predictions, and a newline.
func Line(p Prediction) ([]byte, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("predict: encode %s: %w", p.Image, err)
	}
	return append(b, '\n'), nil
}

// FailureLine returns the JSON Lines form of a failure: an ErrorLine and a
// newline.
func FailureLine(f Failure) ([]byte, error) {
	b, err := json.Marshal(ErrorLine{Image: f.Image, Error: f.Err.Error()})
	if err != nil {
		return nil, fmt.Errorf("predict: encode %s: %w", f.Image, err)
	}
	return append(b, '\n'), nil
}

// readLines reads a JSON Lines file of predictions from r. It stops at the
// first line that is not a whole prediction (a write cut short leaves one
// at the end) and returns the predictions before it and the length in
// bytes of the lines they fill.
func readLines(r io.Reader) ([]Prediction, int64, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var (
		preds []Prediction
		good  int64
	)
	for {
		line, err := readLine(br)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return preds, good, nil
			}
			return nil, 0, err
		}
		var p Prediction
		if json.Unmarshal(line, &p) != nil || p.Image == "" {
			return preds, good, nil
		}
		preds = append(preds, p)
		good += int64(len(line))
	}
}

// readLine returns the next line of br with its newline, or io.EOF when
// no whole line is left (an unterminated last line is not a whole line).
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > MaxLineBytes {
			return nil, fmt.Errorf("predict: a line of more than %d bytes", MaxLineBytes)
		}
		line = append(line, chunk...)
		switch {
		case err == nil:
			return line, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return nil, io.EOF
		default:
			return nil, fmt.Errorf("predict: %w", err)
		}
	}
}

// Output is a JSON Lines file of predictions written as they are made. The
// lines go to the file's partial twin (PATH.partial) and Close renames it
// to PATH, so that PATH appears whole. Opened with resume, the predictions
// already in the partial twin (or, without one, in PATH) are kept and Done
// reports their images, so that a task run again finishes the work instead
// of repeating it.
type Output struct {
	path string
	f    *os.File
	done map[string]bool
}

// PartialSuffix ends the name of the file an Output writes before Close.
const PartialSuffix = ".partial"

// CreateOutput starts writing path. Without resume any earlier partial
// twin is discarded.
func CreateOutput(path string, resume bool) (*Output, error) {
	partial := path + PartialSuffix
	o := &Output{path: path, done: map[string]bool{}}
	if !resume {
		f, err := os.Create(partial)
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		o.f = f
		return o, nil
	}
	f, err := os.OpenFile(partial, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		f, err = startFrom(path, partial)
	}
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	preds, good, err := readLines(f)
	if err == nil {
		// Drop a line cut short, and append after the whole ones.
		err = f.Truncate(good)
	}
	if err == nil {
		_, err = f.Seek(good, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("predict: resume %s: %w", partial, err)
	}
	for _, p := range preds {
		o.done[p.Image] = true
	}
	o.f = f
	return o, nil
}

// startFrom creates partial with the content of path, or empty when there
// is no path, open for reading and writing at its start.
func startFrom(path, partial string) (*os.File, error) {
	f, err := os.OpenFile(partial, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	src, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err == nil {
		_, err = io.Copy(f, src)
		src.Close()
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		os.Remove(partial)
		return nil, err
	}
	return f, nil
}

// Done reports whether image's prediction is already in the file.
func (o *Output) Done(image string) bool { return o.done[image] }

// Write appends predictions to the file, one line each, and syncs it so
// that a task killed afterwards keeps them.
func (o *Output) Write(preds []Prediction) error {
	var buf bytes.Buffer
	for _, p := range preds {
		b, err := Line(p)
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	if _, err := o.f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("predict: write %s: %w", o.f.Name(), err)
	}
	if err := o.f.Sync(); err != nil {
		return fmt.Errorf("predict: sync %s: %w", o.f.Name(), err)
	}
	for _, p := range preds {
		o.done[p.Image] = true
	}
	return nil
}

// Close finishes the file: the partial twin becomes path.
func (o *Output) Close() error {
	name := o.f.Name()
	if err := o.f.Close(); err != nil {
		return fmt.Errorf("predict: close %s: %w", name, err)
	}
	if err := os.Rename(name, o.path); err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	if d, err := os.Open(filepath.Dir(o.path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// FilesTo predicts the images of files that out does not hold yet, as
// Files does, and appends their predictions to out a few batches at a
// time. It returns the failures, their Index counting in files.
func (p *Predictor) FilesTo(ctx context.Context, files []string, o BatchOptions, out *Output) ([]Failure, error) {
	var todo []int
	for i, f := range files {
		if !out.Done(f) {
			todo = append(todo, i)
		}
	}
	step := 8 * max(o.Batch, 32)
	var fails []Failure
	for start := 0; start < len(todo); start += step {
		idx := todo[start:min(start+step, len(todo))]
		chunk := make([]string, len(idx))
		for k, i := range idx {
			chunk[k] = files[i]
		}
		preds, failed, err := p.Files(ctx, chunk, o)
		if err != nil {
			return nil, err
		}
		if err := out.Write(preds); err != nil {
			return nil, err
		}
		for _, f := range failed {
			f.Index = idx[f.Index]
			fails = append(fails, f)
		}
	}
	return fails, nil
}
