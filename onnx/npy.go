package onnx

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"codeberg.org/sbinet/npyio"

	"mlabel/tensor"
)

// ReadNPY reads a NumPy .npy file holding a C-order float32 (or float64)
// array.
func ReadNPY(path string) (*tensor.Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("onnx: read npy: %w", err)
	}
	defer f.Close()
	t, err := decodeNPY(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("onnx: read npy %s: %w", path, err)
	}
	return t, nil
}

// decodeNPY reads a .npy array from r, as ReadNPY.
func decodeNPY(r io.Reader) (*tensor.Tensor, error) {
	rd, err := npyio.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("npy header: %w", err)
	}
	hdr := rd.Header.Descr
	if hdr.Fortran {
		return nil, fmt.Errorf("fortran-order arrays are not supported")
	}
	shape := append([]int(nil), hdr.Shape...)
	var data []float32
	switch typ := strings.Trim(hdr.Type, `'"`); typ {
	case "<f4", "|f4", "f4":
		err = rd.Read(&data)
	case "<f8", "f8":
		var d64 []float64
		err = rd.Read(&d64)
		data = make([]float32, len(d64))
		for i, v := range d64 {
			data[i] = float32(v)
		}
	default:
		return nil, fmt.Errorf("array type %q is not little-endian float32 or float64", typ)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("npy data: %w", err)
	}
	t, err := tensor.FromData(data, shape...)
	if err != nil {
		return nil, fmt.Errorf("npy data: %w", err)
	}
	return t, nil
}

// WriteNPY writes t to path as a C-order float32 .npy array of t's shape.
func WriteNPY(path string, t *tensor.Tensor) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("onnx: write npy: %w", err)
	}
	w := bufio.NewWriter(f)
	err = encodeNPY(w, t)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("onnx: write npy %s: %w", path, err)
	}
	return nil
}

// encodeNPY writes t to w as WriteNPY does.
func encodeNPY(w io.Writer, t *tensor.Tensor) error {
	if t == nil || len(t.Data) != tensor.Size(t.Shape) {
		return fmt.Errorf("tensor data does not match its shape")
	}
	if len(t.Shape) == 0 {
		return npyio.Write(w, t.Data[0])
	}
	if tensor.Size(t.Shape) == 0 {
		return fmt.Errorf("empty tensor of shape %v", t.Shape)
	}
	return npyio.Write(w, nested(t.Data, t.Shape).Interface())
}

// nested views data as nested slices ([][]...[]float32) of the given shape,
// sharing its storage, which is how npyio learns an array's shape.
func nested(data []float32, shape []int) reflect.Value {
	if len(shape) == 1 {
		return reflect.ValueOf(data[:shape[0]:shape[0]])
	}
	typ := reflect.TypeOf(data)
	for range shape[1:] {
		typ = reflect.SliceOf(typ)
	}
	out := reflect.MakeSlice(typ, shape[0], shape[0])
	stride := tensor.Size(shape[1:])
	for i := range shape[0] {
		out.Index(i).Set(nested(data[i*stride:(i+1)*stride], shape[1:]))
	}
	return out
}
