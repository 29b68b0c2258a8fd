package darknet

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// weightsReader reads the little-endian float32 arrays of a .weights file
// in order, counting the bytes read for error messages.
type weightsReader struct {
	r   *bufio.Reader
	off int64
	buf []byte
}

func newWeightsReader(r io.Reader) *weightsReader {
	return &weightsReader{r: bufio.NewReaderSize(r, 1<<16)}
}

// header reads the version and the count of images seen in training. The
// count is 64-bit from version 0.2 on and 32-bit before.
func (w *weightsReader) header() (major, minor, revision int, seen int64, err error) {
	var v [3]int32
	if err := binary.Read(w.r, binary.LittleEndian, &v); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("weights header: %w", err)
	}
	w.off += 12
	major, minor, revision = int(v[0]), int(v[1]), int(v[2])
	if major*10+minor >= 2 && major < 1000 && minor < 1000 {
		var s int64
		err = binary.Read(w.r, binary.LittleEndian, &s)
		seen, w.off = s, w.off+8
	} else {
		var s int32
		err = binary.Read(w.r, binary.LittleEndian, &s)
		seen, w.off = int64(s), w.off+4
	}
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("weights header: %w", err)
	}
	return major, minor, revision, seen, nil
}

// floats reads n float32 values; what names them for errors.
func (w *weightsReader) floats(n int, what string) ([]float32, error) {
	need := 4 * n
	if cap(w.buf) < need {
		w.buf = make([]byte, need)
	}
	b := w.buf[:need]
	got, err := io.ReadFull(w.r, b)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("weights file ends at byte %d, %d values short for %s: does it belong to this cfg?",
				w.off+int64(got), n-got/4, what)
		}
		return nil, fmt.Errorf("reading %s at byte %d: %w", what, w.off, err)
	}
	w.off += int64(need)
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out, nil
}

// rest counts the bytes left after the last layer.
func (w *weightsReader) rest() (int64, error) {
	n, err := io.Copy(io.Discard, w.r)
	if err != nil {
		return 0, fmt.Errorf("reading weights: %w", err)
	}
	return n, nil
}
