package darknet

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// weightsReader reads the little-endian float32 arrays of a .weights file
// in order, counting the bytes read for error messages.
type weightsReader struct {
	r    *bufio.Reader
	off  int64
	size int64 // the stream's length when known (a file), or -1
	buf  []byte
}

func newWeightsReader(r io.Reader) *weightsReader {
	w := &weightsReader{r: bufio.NewReaderSize(r, 1<<16), size: -1}
	if f, ok := r.(interface{ Stat() (os.FileInfo, error) }); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			w.size = st.Size()
		}
	}
	return w
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

// maxValues bounds the float32 values of one array read from a weights
// file (2^31, 8 GiB).
const maxValues = 1 << 31

// floats reads n float32 values; what names them for errors. The values
// are read in chunks, so a cfg that declares more than the file holds is
// refused when the file ends, having allocated no more than the file's
// size.
func (w *weightsReader) floats(n int, what string) ([]float32, error) {
	if n < 0 || n > maxValues {
		return nil, fmt.Errorf("%s: the cfg declares %d values, over the limit of %d", what, n, maxValues)
	}
	if w.size >= 0 && int64(n)*4 > w.size-w.off {
		return nil, fmt.Errorf("the cfg declares %d values for %s at byte %d, the weights file holds %d more values: does it belong to this cfg?",
			n, what, w.off, max(w.size-w.off, 0)/4)
	}
	const chunk = 1 << 16
	if cap(w.buf) < 4*chunk {
		w.buf = make([]byte, 4*chunk)
	}
	out := make([]float32, 0, min(n, chunk))
	for len(out) < n {
		b := w.buf[:4*min(n-len(out), chunk)]
		got, err := io.ReadFull(w.r, b)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("weights file ends at byte %d, %d values short for %s: does it belong to this cfg?",
					w.off+int64(got), n-len(out)-got/4, what)
			}
			return nil, fmt.Errorf("reading %s at byte %d: %w", what, w.off, err)
		}
		w.off += int64(len(b))
		for i := 0; i < len(b); i += 4 {
			out = append(out, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
		}
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
