package nn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"sort"

	"mlabel/tensor"
)

// The weights blob layout, all integers little-endian:
//
//	magic   "MLWEIGHT" (8 bytes)
//	version uint32 (1)
//	count   uint32
//	count × { nameLen uint32, name, ndim uint32, ndim × dim uint32, data float32 × prod(dims) }
//	crc     uint32: CRC-32C (Castagnoli) of every byte before it
//
// Tensors are written in name order, so equal maps give equal bytes.
const (
	weightsMagic   = "MLWEIGHT"
	weightsVersion = 1
	maxNameLen     = 1 << 12
	maxDims        = 8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriteWeights writes w as a checksummed binary blob, sorted by name.
func WriteWeights(wr io.Writer, w map[string]*tensor.Tensor) error {
	names := make([]string, 0, len(w))
	for name, t := range w {
		if t == nil {
			return fmt.Errorf("nn: write weights: %q is nil", name)
		}
		if len(name) == 0 || len(name) > maxNameLen {
			return fmt.Errorf("nn: write weights: bad name length %d", len(name))
		}
		if len(t.Shape) > maxDims || tensor.Size(t.Shape) != len(t.Data) {
			return fmt.Errorf("nn: write weights: %q has shape %v and %d values", name, t.Shape, len(t.Data))
		}
		names = append(names, name)
	}
	sort.Strings(names)
	h := crc32.New(castagnoli)
	out := io.MultiWriter(wr, h)
	buf := make([]byte, 0, 1<<16)
	buf = append(buf, weightsMagic...)
	buf = binary.LittleEndian.AppendUint32(buf, weightsVersion)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(names)))
	for _, name := range names {
		t := w[name]
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(name)))
		buf = append(buf, name...)
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(t.Shape)))
		for _, d := range t.Shape {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(d))
		}
		for _, v := range t.Data {
			if len(buf)+4 > cap(buf) {
				if _, err := out.Write(buf); err != nil {
					return fmt.Errorf("nn: write weights: %w", err)
				}
				buf = buf[:0]
			}
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	if _, err := out.Write(buf); err != nil {
		return fmt.Errorf("nn: write weights: %w", err)
	}
	if _, err := wr.Write(binary.LittleEndian.AppendUint32(nil, h.Sum32())); err != nil {
		return fmt.Errorf("nn: write weights: %w", err)
	}
	return nil
}

// ReadWeights reads a blob written by WriteWeights. Foreign, truncated or
// damaged data, or an unknown format version, is an error.
func ReadWeights(r io.Reader) (map[string]*tensor.Tensor, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("nn: read weights: %w", err)
	}
	if len(data) < len(weightsMagic) || string(data[:len(weightsMagic)]) != weightsMagic {
		return nil, errors.New("nn: read weights: not an mlabel weights file (bad magic)")
	}
	const header = len(weightsMagic) + 8
	if len(data) < header+4 {
		return nil, errors.New("nn: read weights: file truncated in the header")
	}
	if v := binary.LittleEndian.Uint32(data[len(weightsMagic):]); v != weightsVersion {
		return nil, fmt.Errorf("nn: read weights: format version %d, this build reads version %d", v, weightsVersion)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, errors.New("nn: read weights: checksum mismatch: the file is truncated or damaged")
	}
	d := &decoder{b: body, off: len(weightsMagic) + 4}
	count := d.u32()
	w := make(map[string]*tensor.Tensor)
	for i := 0; i < int(count) && d.err == nil; i++ {
		name, t := d.tensor()
		if d.err != nil {
			break
		}
		if _, dup := w[name]; dup {
			return nil, fmt.Errorf("nn: read weights: duplicate tensor %q", name)
		}
		w[name] = t
	}
	if d.err != nil {
		return nil, fmt.Errorf("nn: read weights: %w", d.err)
	}
	if d.off != len(body) {
		return nil, fmt.Errorf("nn: read weights: %d unexpected bytes after %d tensors", len(body)-d.off, count)
	}
	return w, nil
}

// decoder reads little-endian values from b, remembering the first error.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b)-d.off {
		d.err = fmt.Errorf("record at byte %d runs past the end of the data", d.off)
		return nil
	}
	s := d.b[d.off : d.off+n]
	d.off += n
	return s
}

func (d *decoder) u32() uint32 {
	s := d.take(4)
	if s == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(s)
}

func (d *decoder) tensor() (string, *tensor.Tensor) {
	nameLen := d.u32()
	if d.err == nil && (nameLen == 0 || nameLen > maxNameLen) {
		d.err = fmt.Errorf("bad name length %d at byte %d", nameLen, d.off-4)
	}
	name := string(d.take(int(nameLen)))
	ndim := d.u32()
	if d.err == nil && ndim > maxDims {
		d.err = fmt.Errorf("tensor %q has %d dimensions", name, ndim)
	}
	shape := make([]int, 0, maxDims)
	n := 1
	for k := 0; k < int(ndim) && d.err == nil; k++ {
		dim := int(d.u32())
		shape = append(shape, dim)
		if dim > 0 && n > (len(d.b)-d.off)/4/dim+1 {
			d.err = fmt.Errorf("tensor %q shape %v is larger than the data", name, shape)
		}
		n *= dim
	}
	raw := d.take(4 * n)
	if d.err != nil {
		return "", nil
	}
	t := tensor.New(shape...)
	for i := range t.Data {
		t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return name, t
}
