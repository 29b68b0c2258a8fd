package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxLineBytes bounds a line of a CSV mlabel reads: far above any real row
// (a row of 10,000 tags takes 100 KB), far below what a runaway file (a
// sparse file of zeros, a device) would make the reader hold.
const MaxLineBytes = 16 << 20

// ErrLineTooLong is returned (wrapped) for a CSV line over MaxLineBytes.
var ErrLineTooLong = errors.New("line too long")

// OpenCSV opens the CSV file at path for reading with its lines bounded by
// MaxLineBytes: what is not a regular file (a device such as /dev/zero, a
// named pipe, a folder) is refused before it is opened. The caller closes
// the file; reads go through the returned reader.
func OpenCSV(path string) (*os.File, io.Reader, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("dataset: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("dataset: %s is not a regular file (mode %s)", path, fi.Mode())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("dataset: %w", err)
	}
	return f, &lineLimit{r: f, name: path, max: MaxLineBytes}, nil
}

// lineLimit fails a read that makes a line longer than max bytes.
type lineLimit struct {
	r    io.Reader
	name string
	max  int
	run  int // bytes since the last newline
	line int // newlines seen
}

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	b := p[:n]
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		l.line += bytes.Count(b, []byte{'\n'})
		l.run = n - i - 1
	} else {
		l.run += n
	}
	if l.run > l.max {
		return 0, fmt.Errorf("%s:%d: %w: over %d bytes", l.name, l.line+1, ErrLineTooLong, l.max)
	}
	return n, err
}
