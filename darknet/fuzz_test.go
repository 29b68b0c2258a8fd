package darknet

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzRead checks that reading any cfg and weights never panics, and that
// an accepted model's spec validates and, with weights, holds them all.
func FuzzRead(f *testing.F) {
	f.Add(tinyCfg, tinyWeights(0))
	f.Add(tinyCfg, tinyWeights(-3))
	f.Add(strings.Replace(tinyCfg, "filters=4\nsize=3", "filters=99999999999\nsize=3", 1), tinyWeights(0))
	f.Add("[net]\nwidth=1\nheight=1\nchannels=1\n[convolutional]\nfilters=1\n", []byte{})
	f.Fuzz(func(t *testing.T, cfg string, weights []byte) {
		spec, w, _, err := Read(strings.NewReader(cfg), bytes.NewReader(weights))
		if err != nil {
			return
		}
		if err := spec.Validate(); err != nil {
			t.Fatalf("spec does not validate: %v", err)
		}
		if w == nil {
			t.Fatal("no weights read")
		}
	})
}
