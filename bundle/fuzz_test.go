package bundle

import (
	"bytes"
	"testing"
)

// FuzzRead checks that Read never panics, and that a bundle it accepts
// builds its network or refuses with an error, and encodes again to a
// bundle that reads back with the same labels.
func FuzzRead(f *testing.F) {
	good := encode(f, testBundle(f))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("MLABELB\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Read(data)
		if err != nil {
			return
		}
		b.InferenceModel() // an error is fine, a panic is not
		var buf bytes.Buffer
		if err := b.Write(&buf); err != nil {
			return
		}
		again, err := Read(buf.Bytes())
		if err != nil {
			t.Fatalf("a bundle read from valid bytes does not read back: %v", err)
		}
		if len(again.Labels) != len(b.Labels) || len(again.Weights) != len(b.Weights) {
			t.Fatalf("round trip changed %d labels/%d weights to %d/%d", len(b.Labels), len(b.Weights), len(again.Labels), len(again.Weights))
		}
	})
}
