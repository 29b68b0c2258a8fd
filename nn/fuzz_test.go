package nn

import (
	"bytes"
	"testing"

	"mlabel/tensor"
)

// FuzzReadWeights checks that ReadWeights never panics and that what it
// accepts writes back to the same bytes.
func FuzzReadWeights(f *testing.F) {
	var buf bytes.Buffer
	w := map[string]*tensor.Tensor{"a.weight": tensor.New(2, 3), "b.bias": tensor.New(4), "c": tensor.New()}
	w["a.weight"].Data[1] = 1.5
	if err := WriteWeights(&buf, w); err != nil {
		f.Fatal(err)
	}
	good := buf.Bytes()
	f.Add(good)
	f.Add(good[:len(good)-4])
	f.Add([]byte("MLWEIGHT\x01\x00\x00\x00\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := ReadWeights(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteWeights(&out, w); err != nil {
			t.Fatalf("accepted weights do not write: %v", err)
		}
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("weights read from %d bytes write back as %d different bytes", len(data), out.Len())
		}
	})
}
