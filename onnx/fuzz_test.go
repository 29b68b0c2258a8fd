package onnx

import (
	"bytes"
	"os"
	"testing"
)

// FuzzImport checks that importing any bytes as an ONNX model never panics,
// and that an accepted model's spec validates.
func FuzzImport(f *testing.F) {
	for _, name := range []string{"testdata/tinycnn.onnx", "testdata/tinycnn_opset9.onnx"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, _, err := ImportReader(bytes.NewReader(data), Options{})
		if err != nil {
			return
		}
		if err := spec.Validate(); err != nil {
			t.Fatalf("imported spec does not validate: %v", err)
		}
	})
}
