package onnx

import (
	"path/filepath"
	"testing"

	"mlabel/nn"
)

// TestTinyCNN imports a small CNN exported by PyTorch (see
// testdata/tinycnn.py) and checks the engine reproduces PyTorch's outputs.
func TestTinyCNN(t *testing.T) {
	spec, weights, err := Import(filepath.Join("testdata", "tinycnn.onnx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Nodes) == 0 || len(weights) == 0 {
		t.Fatalf("empty import: %d nodes, %d weights", len(spec.Nodes), len(weights))
	}
	m, err := ReadModelFile(filepath.Join("testdata", "tinycnn.onnx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	x, err := ReadNPY(filepath.Join("testdata", "tinycnn_input.npy"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReadNPY(filepath.Join("testdata", "tinycnn_output.npy"))
	if err != nil {
		t.Fatal(err)
	}
	outs, err := forward(m, x)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, outs[0], want, 1e-4)
	ops := countOps(m.Spec)
	for _, op := range []nn.Op{nn.OpConv2D, nn.OpBatchNorm, nn.OpMaxPool, nn.OpAvgPool, nn.OpConcat, nn.OpDense, nn.OpAdd, nn.OpMul, nn.OpHardSwish} {
		if ops[op] == 0 {
			t.Errorf("no %s node in the import: %v", op, ops)
		}
	}
}
