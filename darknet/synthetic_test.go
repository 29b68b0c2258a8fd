package darknet

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/nn"
)

// tinyCfg exercises every supported section on an 8x8x2 input.
const tinyCfg = `[net]
width=8
height=8
channels=2

# layer 0: 4 filters, batch norm, leaky
[convolutional]
batch_normalize=1
filters=4
size=3
stride=1
pad=1
activation=leaky

# layer 1: keeps 8x8
[maxpool]
size=2
stride=1

# layer 2: grouped 1x1 with bias, linear
[convolutional]
filters=4
size=1
groups=2
activation=linear

# layer 3
[shortcut]
from=-3
activation=leaky

# layer 4: 8x8 -> 4x4
[maxpool]
size=2
stride=2

# layer 5
[upsample]
stride=2

# layer 6: 4 + 4 channels
[route]
layers=-1, 0

# layer 7: 2 anchors * (5 + 2 classes)
[convolutional]
filters=14
size=1
activation=linear

# layer 8
[yolo]
mask=1,2
anchors=1,2, 3,4, 5,6
classes=2
num=3

# layer 9: forwards layer 6
[route]
layers=6
`

// tinyWeights returns a weights file for tinyCfg whose values count up
// from 1, so each parameter's position can be checked.
func tinyWeights(extra int) []byte {
	var buf bytes.Buffer
	binary.Write(&buf, binary.LittleEndian, []int32{0, 2, 5})
	binary.Write(&buf, binary.LittleEndian, int64(12345))
	n := 4 + 3*4 + 4*2*9 + 4 + 4*2 + 14 + 14*8 + extra
	for i := range n {
		binary.Write(&buf, binary.LittleEndian, float32(i+1))
	}
	return buf.Bytes()
}

func TestReadTinyCfg(t *testing.T) {
	spec, w, meta, err := Read(strings.NewReader(tinyCfg), bytes.NewReader(tinyWeights(0)))
	if err != nil {
		t.Fatal(err)
	}
	if meta.Major != 0 || meta.Minor != 2 || meta.Revision != 5 || meta.Seen != 12345 {
		t.Errorf("header %+v", meta)
	}
	wantLayers := []string{"leaky_0", "maxpool_1", "conv_2", "add_3", "maxpool_4", "upsample_5", "route_6", "conv_7", "conv_7", "route_6"}
	if strings.Join(meta.Layers, " ") != strings.Join(wantLayers, " ") {
		t.Errorf("layers %v, want %v", meta.Layers, wantLayers)
	}
	if len(spec.Outputs) != 1 || spec.Outputs[0] != "conv_7" {
		t.Errorf("outputs %v", spec.Outputs)
	}
	h := meta.Heads[0]
	if h.Kind != "yolo" || h.Layer != 8 || h.GridH != 8 || h.GridW != 8 || h.Classes != 2 ||
		len(h.Anchors) != 2 || h.Anchors[0] != [2]float64{3, 4} || h.Anchors[1] != [2]float64{5, 6} {
		t.Errorf("head %+v", h)
	}
	nodes := map[string]nn.Node{}
	for _, n := range spec.Nodes {
		nodes[n.Name] = n
	}
	tests := []struct {
		node string
		ok   func(nn.Node) bool
	}{
		{"conv_0", func(n nn.Node) bool {
			return !n.Attrs.Bias && n.Attrs.Pad == [4]int{1, 1, 1, 1} && n.Attrs.Filters == 4
		}},
		{"bn_0", func(n nn.Node) bool { return n.Attrs.Eps == bnEps }},
		{"leaky_0", func(n nn.Node) bool { return n.Op == nn.OpLeakyReLU && n.Attrs.Alpha == 0.1 }},
		{"maxpool_1", func(n nn.Node) bool { return n.Attrs.Pad == [4]int{0, 0, 1, 1} && n.Attrs.Stride == [2]int{1, 1} }},
		{"conv_2", func(n nn.Node) bool { return n.Attrs.Bias && n.Attrs.Groups == 2 && n.Attrs.Act == "" }},
		{"add_3", func(n nn.Node) bool {
			return n.Op == nn.OpAdd && n.Attrs.Act == nn.OpLeakyReLU && n.Inputs[0] == "conv_2" && n.Inputs[1] == "leaky_0"
		}},
		{"maxpool_4", func(n nn.Node) bool { return n.Attrs.Kernel == [2]int{2, 2} && n.Attrs.Stride == [2]int{2, 2} }},
		{"upsample_5", func(n nn.Node) bool { return n.Attrs.Scale == 2 }},
		{"route_6", func(n nn.Node) bool { return n.Op == nn.OpConcat && len(n.Inputs) == 2 && n.Inputs[1] == "leaky_0" }},
	}
	for _, tc := range tests {
		if n, ok := nodes[tc.node]; !ok || !tc.ok(n) {
			t.Errorf("node %s: %+v", tc.node, n)
		}
	}

	// Values count up from 1 in file order.
	bnBias := w["bn_0.beta"].Data
	if bnBias[0] != 1 || w["bn_0.gamma"].Data[0] != 5 || w["bn_0.running_mean"].Data[3] != 12 {
		t.Errorf("bn_0 beta %v gamma %v mean %v", bnBias, w["bn_0.gamma"].Data, w["bn_0.running_mean"].Data)
	}
	// Darknet divides by sqrt(var)+1e-6; the engine by sqrt(var'+eps).
	for k, v := range w["bn_0.running_var"].Data {
		orig := float64(13 + k)
		got := math.Sqrt(float64(v) + bnEps)
		if want := math.Sqrt(orig) + 1e-6; math.Abs(got-want) > 1e-6*want {
			t.Errorf("running_var[%d] gives sd %g, want %g", k, got, want)
		}
	}
	// conv_0 weight: OIHW value index ((o*2+i)*3+y)*3+x, after 16 values.
	cw := w["conv_0.weight"]
	if s := cw.Shape; len(s) != 4 || s[0] != 3 || s[1] != 3 || s[2] != 2 || s[3] != 4 {
		t.Fatalf("conv_0.weight shape %v", s)
	}
	for _, p := range [][4]int{{0, 0, 0, 0}, {2, 1, 1, 3}, {1, 1, 0, 2}} {
		o, i, y, x := p[0], p[1], p[2], p[3]
		want := float32(16 + ((o*2+i)*3+y)*3 + x + 1)
		if got := cw.Data[((y*3+x)*2+i)*4+o]; got != want {
			t.Errorf("conv_0.weight[o=%d i=%d y=%d x=%d] = %g, want %g", o, i, y, x, got, want)
		}
	}
	if s := w["conv_2.weight"].Shape; s[2] != 2 || s[3] != 4 {
		t.Errorf("grouped weight shape %v, want [1 1 2 4]", s)
	}
	if got := w["conv_7.bias"].Data[0]; got != 16+72+4+8+1 {
		t.Errorf("conv_7.bias[0] = %g", got)
	}
	if len(w) != 9 {
		t.Errorf("%d weight tensors, want 9", len(w))
	}
}

func TestReadCfgOnly(t *testing.T) {
	spec, w, meta, err := Read(strings.NewReader(tinyCfg), nil)
	if err != nil || w != nil || len(spec.Nodes) != 11 || meta.Width != 8 {
		t.Errorf("spec %d nodes, weights %v, meta %+v, err %v", len(spec.Nodes), w, meta, err)
	}
}

func TestReadErrors(t *testing.T) {
	edit := func(old, new string) string { return strings.Replace(tinyCfg, old, new, 1) }
	tests := []struct {
		name    string
		cfg     string
		weights []byte
		want    string
	}{
		{"unknown section", edit("[upsample]", "[softmax]"), nil, `[softmax] at line 38: unsupported layer type`},
		{"activation", edit("activation=leaky\n\n# layer 1", "activation=mish\n\n# layer 1"), nil, `line 13 (activation): unsupported activation "mish"`},
		{"option", edit("size=1\ngroups=2", "size=1\ndilation=2"), nil, `line 24 (dilation): unsupported value "2"`},
		{"forbidden option", edit("size=2\nstride=1", "size=2\nstride=1\nstride_x=2"), nil, "(stride_x): option is not supported"},
		{"route ahead", edit("layers=-1, 0", "layers=-1, 7"), nil, "not an earlier layer"},
		{"route to head", edit("layers=6\n", "layers=8\n"), nil, "detection layer 8"},
		{"head channels", edit("filters=14", "filters=12"), nil, "need 14"},
		{"anchors", edit("anchors=1,2, 3,4, 5,6", "anchors=1,2, 3,4"), nil, "num=3"},
		{"no net", "[convolutional]\nfilters=1\n", nil, "[net]"},
		{"option first", "width=3\n[net]\n", nil, "line 1: option"},
		{"not a number", edit("filters=4\nsize=3", "filters=four\nsize=3"), nil, `line 9 (filters): not an integer`},
		{"shortcut shapes", edit("filters=4\nsize=1", "filters=6\nsize=1"), nil, "differ"},
		{"short weights", tinyCfg, tinyWeights(-3), "values short for weights"},
		{"long weights", tinyCfg, tinyWeights(2), "8 bytes beyond"},
		{"no header", tinyCfg, []byte{1, 2}, "weights header"},
		{"huge filters", edit("filters=4\nsize=3", "filters=99999999999\nsize=3"), tinyWeights(0), "biases: the cfg declares 99999999999 values, over the limit"},
		{"large filters, short stream", edit("filters=4\nsize=3", "filters=536870912\nsize=3"), tinyWeights(0), "values short for biases"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.weights == nil {
				_, _, _, err = Read(strings.NewReader(tc.cfg), nil)
			} else {
				_, _, _, err = Read(strings.NewReader(tc.cfg), bytes.NewReader(tc.weights))
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// Import knows the weights file's size: a cfg that declares more than the
// file holds is refused before its arrays are read.
func TestImportChecksFileSize(t *testing.T) {
	dir := t.TempDir()
	cfg, weights := filepath.Join(dir, "m.cfg"), filepath.Join(dir, "m.weights")
	huge := strings.Replace(tinyCfg, "filters=4\nsize=3", "filters=4\nsize=3000", 1)
	huge = strings.Replace(huge, "width=8\nheight=8", "width=40000\nheight=40000", 1)
	if err := os.WriteFile(cfg, []byte(huge), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(weights, tinyWeights(0), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, _, err := Import(cfg, weights)
	want := "the cfg declares 72000000 values for weights"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
}
