package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"mlabel/onnx/onnxpb"
)

// konst is a constant tensor known at import time: an initializer, the value
// of a Constant node, or a folded shape computation. Values are held as
// float64, which represents every float32 and every int64 that a shape
// computation produces exactly.
type konst struct {
	dims  []int
	data  []float64
	isInt bool
}

// maxElems bounds the size of a tensor read from a file.
const maxElems = 1 << 31

// maxFolded bounds the size of a constant computed at import (by
// ConstantOfShape or a broadcast), which no bytes of the file back: 2^26
// values, 512 MiB as float64.
const maxFolded = 1 << 26

// maxRank bounds the dimensions of a tensor read from a file.
const maxRank = 16

// batchDim stands for the batch size in folded shapes when the model leaves
// it symbolic.
const batchDim = -(1 << 40)

func (k *konst) size() int { return len(k.data) }

// scalar reports the single value of a constant with one element.
func (k *konst) scalar() (float64, bool) {
	if len(k.data) != 1 {
		return 0, false
	}
	return k.data[0], true
}

// ints returns the values as ints.
func (k *konst) ints() []int {
	out := make([]int, len(k.data))
	for i, v := range k.data {
		out[i] = int(v)
	}
	return out
}

// float32s returns the values as float32.
func (k *konst) float32s() []float32 {
	out := make([]float32, len(k.data))
	for i, v := range k.data {
		out[i] = float32(v)
	}
	return out
}

// Tensor element types of onnx.proto's TensorProto.DataType.
const (
	dtFloat  = 1
	dtUint8  = 2
	dtInt8   = 3
	dtInt32  = 6
	dtInt64  = 7
	dtBool   = 9
	dtDouble = 11
)

// konstFromProto decodes a TensorProto holding float, double or integer data.
func konstFromProto(t *onnxpb.TensorProto) (*konst, error) {
	if t.GetDataLocation() == onnxpb.TensorProto_EXTERNAL {
		return nil, fmt.Errorf("tensor %q: external data is not supported", t.GetName())
	}
	if len(t.GetDims()) > maxRank {
		return nil, fmt.Errorf("tensor %q: %d dimensions, at most %d are supported", t.GetName(), len(t.GetDims()), maxRank)
	}
	dims := make([]int, len(t.GetDims()))
	for i, d := range t.GetDims() {
		if d < 0 {
			return nil, fmt.Errorf("tensor %q: negative dimension %d", t.GetName(), d)
		}
		if d > maxElems {
			return nil, fmt.Errorf("tensor %q: shape %v is too large", t.GetName(), t.GetDims())
		}
		dims[i] = int(d)
	}
	n := prod(dims)
	if n > maxElems {
		return nil, fmt.Errorf("tensor %q: shape %v is too large", t.GetName(), t.GetDims())
	}
	size := map[int32]int{dtFloat: 4, dtDouble: 8, dtInt64: 8, dtInt32: 4, dtInt8: 1, dtUint8: 1, dtBool: 1}[t.GetDataType()]
	if raw := len(t.GetRawData()); raw > 0 && raw/max(size, 1) < n {
		return nil, fmt.Errorf("tensor %q: shape %v needs %d values, its raw data holds %d bytes", t.GetName(), dims, n, raw)
	}
	if avail := len(t.GetRawData()) + len(t.GetFloatData()) + len(t.GetDoubleData()) + len(t.GetInt64Data()) + len(t.GetInt32Data()); avail < n {
		return nil, fmt.Errorf("tensor %q: shape %v needs %d values, it holds at most %d", t.GetName(), dims, n, avail)
	}
	k := &konst{dims: dims, data: make([]float64, n)}
	raw := t.GetRawData()
	var err error
	switch dt := t.GetDataType(); dt {
	case dtFloat:
		err = fill(k.data, raw, 4, t.GetFloatData(), func(b []byte) float64 {
			return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
		})
	case dtDouble:
		err = fill(k.data, raw, 8, t.GetDoubleData(), func(b []byte) float64 {
			return math.Float64frombits(binary.LittleEndian.Uint64(b))
		})
	case dtInt64:
		k.isInt = true
		err = fill(k.data, raw, 8, t.GetInt64Data(), func(b []byte) float64 {
			return float64(int64(binary.LittleEndian.Uint64(b)))
		})
	case dtInt32, dtInt8, dtUint8, dtBool:
		k.isInt = true
		size := map[int32]int{dtInt32: 4, dtInt8: 1, dtUint8: 1, dtBool: 1}[dt]
		err = fill(k.data, raw, size, t.GetInt32Data(), func(b []byte) float64 {
			switch dt {
			case dtInt32:
				return float64(int32(binary.LittleEndian.Uint32(b)))
			case dtInt8:
				return float64(int8(b[0]))
			}
			return float64(b[0])
		})
	default:
		return nil, fmt.Errorf("tensor %q: data type %s is not supported", t.GetName(), onnxpb.TensorProto_DataType(dt))
	}
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", t.GetName(), err)
	}
	return k, nil
}

// fill copies n values into dst from raw little-endian bytes when present,
// and from the typed repeated field otherwise.
func fill[T float32 | float64 | int32 | int64](dst []float64, raw []byte, size int, typed []T, dec func([]byte) float64) error {
	if len(raw) > 0 {
		if len(raw) != size*len(dst) {
			return fmt.Errorf("raw data has %d bytes, want %d", len(raw), size*len(dst))
		}
		for i := range dst {
			dst[i] = dec(raw[i*size : (i+1)*size])
		}
		return nil
	}
	if len(typed) != len(dst) {
		return fmt.Errorf("has %d values, want %d", len(typed), len(dst))
	}
	for i, v := range typed {
		dst[i] = float64(v)
	}
	return nil
}

// strides returns row-major strides of dims.
func strides(dims []int) []int {
	s := make([]int, len(dims))
	acc := 1
	for i := len(dims) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= dims[i]
	}
	return s
}

// broadcastShape returns the NumPy broadcast of two shapes.
func broadcastShape(a, b []int) ([]int, error) {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range n {
		da, db := dimFromRight(a, n-1-i), dimFromRight(b, n-1-i)
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	if prod(out) > maxFolded {
		return nil, fmt.Errorf("shapes %v and %v broadcast to %v, over the limit of %d values", a, b, out, maxFolded)
	}
	return out, nil
}

// dimFromRight returns dims[len-1-j], or 1 beyond the rank.
func dimFromRight(dims []int, j int) int {
	if j < len(dims) {
		return dims[len(dims)-1-j]
	}
	return 1
}

// broadcastTo expands k to shape out, which must be a broadcast of k.dims.
func (k *konst) broadcastTo(out []int) *konst {
	res := &konst{dims: append([]int(nil), out...), isInt: k.isInt, data: make([]float64, prod(out))}
	ks := strides(k.dims)
	off := len(out) - len(k.dims)
	idx := make([]int, len(out))
	for i := range res.data {
		src := 0
		for ax := range k.dims {
			if k.dims[ax] != 1 {
				src += idx[ax+off] * ks[ax]
			}
		}
		res.data[i] = k.data[src]
		for ax := len(out) - 1; ax >= 0; ax-- {
			idx[ax]++
			if idx[ax] < out[ax] {
				break
			}
			idx[ax] = 0
		}
	}
	return res
}

// binaryKonst applies f elementwise with broadcasting.
func binaryKonst(a, b *konst, f func(x, y float64) float64) (*konst, error) {
	shape, err := broadcastShape(a.dims, b.dims)
	if err != nil {
		return nil, err
	}
	x, y := a.broadcastTo(shape), b.broadcastTo(shape)
	for i := range x.data {
		x.data[i] = f(x.data[i], y.data[i])
	}
	x.isInt = a.isInt && b.isInt
	return x, nil
}

// transposeKonst permutes the axes of k: out axis i is k's axis perm[i].
func transposeKonst(k *konst, perm []int) *konst {
	dims := make([]int, len(perm))
	for i, p := range perm {
		dims[i] = k.dims[p]
	}
	res := &konst{dims: dims, isInt: k.isInt, data: make([]float64, len(k.data))}
	ks := strides(k.dims)
	idx := make([]int, len(dims))
	for i := range res.data {
		src := 0
		for ax, p := range perm {
			src += idx[ax] * ks[p]
		}
		res.data[i] = k.data[src]
		for ax := len(dims) - 1; ax >= 0; ax-- {
			idx[ax]++
			if idx[ax] < dims[ax] {
				break
			}
			idx[ax] = 0
		}
	}
	return res
}

// prod returns the product of dims.
// prod returns the product of dims (negative for a shape holding the
// symbolic batch size). It saturates at ±math.MaxInt instead of
// overflowing, so a crafted shape can never pass for a small one.
func prod(dims []int) int {
	if slices.Contains(dims, 0) {
		return 0
	}
	n, neg := 1, false
	for _, d := range dims {
		if d < 0 {
			neg, d = !neg, -d
		}
		if d < 0 || n > math.MaxInt/d {
			n = math.MaxInt
			continue
		}
		n *= d
	}
	if neg {
		return -n
	}
	return n
}

// normAxis maps a possibly negative axis into [0, rank).
func normAxis(axis, rank int) (int, error) {
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		return 0, fmt.Errorf("axis %d out of range for rank %d", axis, rank)
	}
	return axis, nil
}
