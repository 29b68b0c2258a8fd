package transfer

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/arch"
	"mlabel/augment"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/loader"
	"mlabel/nn"
	"mlabel/synth"
	"mlabel/tensor"
)

const size = 24

// fixture returns a few demo images and a small random classifier for them
// with a new head on its last feature map.
func fixture(t *testing.T) (*dataset.Dataset, *nn.Model, loader.Config) {
	t.Helper()
	dir := t.TempDir()
	csv, err := synth.Generate(synth.Options{Dir: dir, Count: 11, Size: size, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := dataset.Load(dataset.Options{CSV: csv, Images: filepath.Join(dir, synth.ImagesDir), Labels: synth.Labels()})
	if err != nil {
		t.Fatal(err)
	}
	small, err := arch.Build("small", size, 3, 5, arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	at, err := nn.LastFeatureMap(small)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := arch.Head(small, at, len(ds.Labels))
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	return ds, m, loader.Config{Preprocess: imageio.DefaultPreprocess(size), BatchSize: 4, Workers: 1, Shuffle: true, DropLast: true}
}

func TestExtract(t *testing.T) {
	ds, m, cfg := fixture(t)
	pool, err := PoolNode(m.Spec())
	if err != nil {
		t.Fatal(err)
	}
	f, err := Extract(context.Background(), m, pool, ds, cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != len(ds.Items) || len(f.Views) != 2 || f.Y.Shape[1] != len(ds.Labels) {
		t.Fatalf("%d images, %d views, %v targets; want %d images (none dropped), 2 views, %d labels", f.Len(), len(f.Views), f.Y.Shape, len(ds.Items), len(ds.Labels))
	}
	// Every row is the image's own pooled features, whatever the batching.
	for i, it := range ds.Items {
		x, err := cfg.Preprocess.Load(it.Path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Forward(mustTensor(t, x, 1, size, size, 3), false); err != nil {
			t.Fatal(err)
		}
		want := m.Activation(pool).Data
		d := f.Dim()
		for v := range f.Views {
			for j, got := range f.Views[v].Data[i*d : (i+1)*d] {
				if diff := got - want[j]; diff > 1e-5 || diff < -1e-5 {
					t.Fatalf("image %d view %d feature %d: %v, alone %v", i, v, j, got, want[j])
				}
			}
		}
		if f.Names[i] != it.Name {
			t.Errorf("row %d is %q, want %q", i, f.Names[i], it.Name)
		}
	}
	// With augmentation the views differ.
	aug := augment.Default()
	cfg.Augment = &aug
	f, err = Extract(context.Background(), m, pool, ds, cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(f.Views[0].Data, f.Views[1].Data) {
		t.Error("two augmented views gave the same features")
	}
}

func TestExtractErrors(t *testing.T) {
	ds, m, cfg := fixture(t)
	tests := []struct {
		name, node string
		views      int
		want       string
	}{
		{"no views", "head_pool", 0, "0 views"},
		{"feature map", "input", 1, "no pooled"},
		{"unknown node", "nowhere", 1, "no pooled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Extract(context.Background(), m, tc.node, ds, cfg, tc.views)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v; want one saying %q", err, tc.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Extract(ctx, m, "head_pool", ds, cfg, 1); err == nil {
		t.Error("a cancelled extraction succeeded")
	}
}

func TestPoolNode(t *testing.T) {
	head, _ := HeadSpec(3, 2)
	noHead := head.Clone()
	noHead.Nodes[2].Name = "fc"
	noHead.Outputs = []string{"fc"}
	tests := []struct {
		name string
		spec *nn.Spec
		want string
	}{
		{"head", head, "features_pool"},
		{"no head", noHead, ""},
	}
	for _, tc := range tests {
		got, err := PoolNode(tc.spec)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("%s: PoolNode = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestHeadSpec(t *testing.T) {
	tests := []struct {
		dim, labels int
		ok          bool
	}{
		{16, 3, true},
		{0, 3, false},
		{16, 0, false},
	}
	for _, tc := range tests {
		s, err := HeadSpec(tc.dim, tc.labels)
		if (err == nil) != tc.ok {
			t.Fatalf("HeadSpec(%d, %d): %v", tc.dim, tc.labels, err)
		}
		if !tc.ok {
			continue
		}
		m, err := nn.Build(s, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		w := m.Weights()
		if len(w) != 2 || w["head.weight"] == nil || w["head.bias"] == nil {
			t.Errorf("head parameters %v; want head.weight and head.bias", len(w))
		}
	}
}

func TestBatch(t *testing.T) {
	f := &Features{
		Views: []*tensor.Tensor{
			mustTensor(t, []float32{1, 2, 3, 4, 5, 6}, 3, 2),
			mustTensor(t, []float32{-1, -2, -3, -4, -5, -6}, 3, 2),
		},
		Y:     mustTensor(t, []float32{1, 0, 0, 1, 1, 1}, 3, 2),
		Mask:  mustTensor(t, []float32{1, 1, 1, 0, 1, 1}, 3, 2),
		Names: []string{"a", "b", "c"},
	}
	tests := []struct {
		name       string
		idx, views []int
		x, y, mask []float32
		wantErr    bool
	}{
		{"gather", []int{2, 0}, []int{1, 0}, []float32{-5, -6, 1, 2}, []float32{1, 1, 1, 0}, []float32{1, 1, 1, 1}, false},
		{"one", []int{1}, []int{1}, []float32{-3, -4}, []float32{0, 1}, []float32{1, 0}, false},
		{"lengths differ", []int{0, 1}, []int{0}, nil, nil, nil, true},
		{"image out of range", []int{3}, []int{0}, nil, nil, nil, true},
		{"view out of range", []int{0}, []int{2}, nil, nil, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, y, mask, err := f.Batch(tc.idx, tc.views, nil, nil, nil)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if !slices.Equal(x.Shape, []int{len(tc.idx), 1, 1, 2}) || !slices.Equal(x.Data, tc.x) || !slices.Equal(y.Data, tc.y) || !slices.Equal(mask.Data, tc.mask) {
				t.Errorf("x %v %v, y %v, mask %v; want %v, %v, %v", x.Shape, x.Data, y.Data, mask.Data, tc.x, tc.y, tc.mask)
			}
		})
	}
}

func TestWeightsFor(t *testing.T) {
	spec, _ := HeadSpec(2, 1)
	w := map[string]*tensor.Tensor{
		"head.weight":          tensor.New(2, 1),
		"head.bias":            tensor.New(1),
		"layer1.0.conv.weight": tensor.New(1),
		"noparam":              tensor.New(1),
	}
	got := WeightsFor(spec, w)
	if len(got) != 2 || got["head.weight"] != w["head.weight"] || got["head.bias"] != w["head.bias"] {
		t.Errorf("WeightsFor kept %v; want head.weight and head.bias only", got)
	}
}

// mustTensor wraps data in a tensor of the given shape.
func mustTensor(t *testing.T, data []float32, shape ...int) *tensor.Tensor {
	t.Helper()
	x, err := tensor.FromData(data, shape...)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestRows(t *testing.T) {
	f := &Features{
		Views: []*tensor.Tensor{
			mustTensor(t, []float32{1, 2, 3, 4, 5, 6}, 3, 2),
			mustTensor(t, []float32{-1, -2, -3, -4, -5, -6}, 3, 2),
		},
		Y:     mustTensor(t, []float32{1, 0, 0, 1, 1, 1}, 3, 2),
		Mask:  mustTensor(t, []float32{1, 1, 1, 0, 1, 1}, 3, 2),
		Names: []string{"a", "b", "c"},
	}
	tests := []struct {
		name    string
		idx     []int
		v0, v1  []float32
		y, mask []float32
		names   []string
		wantErr bool
	}{
		{"reorder", []int{2, 0}, []float32{5, 6, 1, 2}, []float32{-5, -6, -1, -2}, []float32{1, 1, 1, 0}, []float32{1, 1, 1, 1}, []string{"c", "a"}, false},
		{"none", []int{}, []float32{}, []float32{}, []float32{}, []float32{}, []string{}, false},
		{"out of range", []int{3}, nil, nil, nil, nil, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := f.Rows(tc.idx)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if len(r.Views) != 2 || !slices.Equal(r.Views[0].Data, tc.v0) || !slices.Equal(r.Views[1].Data, tc.v1) ||
				!slices.Equal(r.Y.Data, tc.y) || !slices.Equal(r.Mask.Data, tc.mask) || !slices.Equal(r.Names, tc.names) {
				t.Errorf("rows %v: views %v %v, y %v, mask %v, names %v", tc.idx, r.Views[0].Data, r.Views[1].Data, r.Y.Data, r.Mask.Data, r.Names)
			}
		})
	}
}
