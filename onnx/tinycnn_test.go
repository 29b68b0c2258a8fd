package onnx

import (
	"path/filepath"
	"testing"

	"mlabel/nn"
)

// TestTinyCNN imports a small CNN exported by PyTorch at two opsets (see
// testdata/tinycnn.py) and checks the engine reproduces PyTorch's outputs.
func TestTinyCNN(t *testing.T) {
	x, err := ReadNPY(filepath.Join("testdata", "tinycnn_input.npy"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReadNPY(filepath.Join("testdata", "tinycnn_output.npy"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"tinycnn.onnx", "tinycnn_opset9.onnx"} {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join("testdata", file)
			spec, weights, err := Import(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			m, err := ReadModelFile(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(spec.Nodes) != len(m.Spec.Nodes) || len(weights) != len(m.Weights) {
				t.Errorf("Import and ReadModelFile disagree: %d/%d nodes, %d/%d weights",
					len(spec.Nodes), len(m.Spec.Nodes), len(weights), len(m.Weights))
			}
			outs, err := forward(m, x)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, outs[0], want, 1e-4)
			ops := countOps(m.Spec)
			for _, op := range []nn.Op{nn.OpConv2D, nn.OpBatchNorm, nn.OpMaxPool, nn.OpAvgPool, nn.OpConcat,
				nn.OpDense, nn.OpAdd, nn.OpMul, nn.OpHardSwish, nn.OpReLU6} {
				if ops[op] == 0 {
					t.Errorf("no %s node in the import: %v", op, ops)
				}
			}
		})
	}
}
