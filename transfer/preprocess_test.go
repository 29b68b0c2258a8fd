package transfer

import (
	"path/filepath"
	"reflect"
	"testing"

	"mlabel/bundle"
	"mlabel/imageio"
	"mlabel/tensor"
)

func TestBackbonePreprocess(t *testing.T) {
	dir := t.TempDir()
	spec, err := HeadSpec(2, 1)
	if err != nil {
		t.Fatal(err)
	}
	w := map[string]*tensor.Tensor{"head.weight": tensor.New(2, 1), "head.bias": tensor.New(1)}
	darknet := imageio.Preprocess{Size: 416, Mode: imageio.ModeSquash, Std: [3]float32{1, 1, 1}}
	save := func(name string, p imageio.Preprocess) string {
		path := filepath.Join(dir, name)
		b := &bundle.Bundle{Header: bundle.Header{Kind: bundle.KindBackbone, Spec: spec, Preprocess: p}, Weights: w}
		if err := b.Save(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name string
		path string
		size int
		want imageio.Preprocess
		ok   bool
	}{
		{"darknet", save("darknet.mlb", darknet), 128, imageio.Preprocess{Size: 128, Mode: imageio.ModeSquash, Std: [3]float32{1, 1, 1}}, true},
		{"imagenet", save("imagenet.mlb", imageio.DefaultPreprocess(224)), 96, imageio.DefaultPreprocess(96), true},
		{"bad size", filepath.Join(dir, "darknet.mlb"), 0, imageio.Preprocess{}, false},
		{"missing", filepath.Join(dir, "none.mlb"), 64, imageio.Preprocess{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BackbonePreprocess(tc.path, tc.size)
			if (err == nil) != tc.ok || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, %v; want %+v (ok %v)", got, err, tc.want, tc.ok)
			}
		})
	}
}
