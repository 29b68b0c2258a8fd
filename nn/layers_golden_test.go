package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/tensor"
)

// golden is one PyTorch reference case written by testdata/gen_layers.py.
type golden struct {
	Node    Node `json:"node"`
	Train   bool `json:"train"`
	tensors map[string]*tensor.Tensor
}

// readGolden parses a golden file (format described in gen_layers.py).
func readGolden(path string) (*golden, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r := bytes.NewReader(raw)
	magic := make([]byte, 4)
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != "MLG1" {
		return nil, fmt.Errorf("%s: bad magic", path)
	}
	var n uint32
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, err
	}
	meta := make([]byte, n)
	if _, err := io.ReadFull(r, meta); err != nil {
		return nil, err
	}
	g := &golden{tensors: map[string]*tensor.Tensor{}}
	if err := json.Unmarshal(meta, g); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, err
	}
	for i := 0; i < int(n); i++ {
		var nl uint16
		if err := binary.Read(r, binary.LittleEndian, &nl); err != nil {
			return nil, err
		}
		name := make([]byte, nl)
		if _, err := io.ReadFull(r, name); err != nil {
			return nil, err
		}
		var rank uint8
		if err := binary.Read(r, binary.LittleEndian, &rank); err != nil {
			return nil, err
		}
		dims := make([]uint32, rank)
		if err := binary.Read(r, binary.LittleEndian, dims); err != nil {
			return nil, err
		}
		shape := make([]int, rank)
		for j, d := range dims {
			shape[j] = int(d)
		}
		t := tensor.New(shape...)
		if err := binary.Read(r, binary.LittleEndian, t.Data); err != nil {
			return nil, fmt.Errorf("%s: tensor %s: %w", path, name, err)
		}
		g.tensors[string(name)] = t
	}
	return g, nil
}

// closeTo reports the first element of got that differs from want by more
// than 1e-4 relative, with an absolute floor of 1e-5 of want's largest
// magnitude.
func closeTo(got, want *tensor.Tensor) error {
	if !tensor.SameShape(got.Shape, want.Shape) {
		return fmt.Errorf("shape %v, want %v", got.Shape, want.Shape)
	}
	var scale float64
	for _, v := range want.Data {
		scale = max(scale, math.Abs(float64(v)))
	}
	for i, w := range want.Data {
		d := math.Abs(float64(got.Data[i]) - float64(w))
		if d > 1e-4*math.Abs(float64(w))+1e-5*scale || math.IsNaN(float64(got.Data[i])) {
			return fmt.Errorf("[%d] = %.7g, want %.7g", i, got.Data[i], w)
		}
	}
	return nil
}

// paramSuffix returns the part of a parameter name after "<node>.".
func paramSuffix(p *Param) string {
	return p.Name[strings.LastIndex(p.Name, ".")+1:]
}

func TestLayersMatchPyTorch(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "layers", "*.bin"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".bin"), func(t *testing.T) {
			g, err := readGolden(f)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, g)
		})
	}
}

// checkGolden runs one golden case: forward, backward, parameter gradients
// and updated buffers.
func checkGolden(t *testing.T, g *golden) {
	var in, gin []*tensor.Tensor
	var shapes [][]int
	for i := 0; ; i++ {
		x, ok := g.tensors[fmt.Sprintf("in%d", i)]
		if !ok {
			break
		}
		in = append(in, x)
		shapes = append(shapes, x.Shape)
		gin = append(gin, tensor.New(x.Shape...))
	}
	l, err := newLayer(g.Node, shapes, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range l.Params() {
		v, ok := g.tensors["param/"+paramSuffix(p)]
		if !ok {
			t.Fatalf("golden lacks parameter %s", p.Name)
		}
		if !tensor.SameShape(v.Shape, p.Value.Shape) {
			t.Fatalf("%s: shape %v, golden %v", p.Name, p.Value.Shape, v.Shape)
		}
		copy(p.Value.Data, v.Data)
	}
	want := g.tensors["out"]
	out := tensor.New(want.Shape...)
	if err := l.Forward(in, out, g.Train); err != nil {
		t.Fatal(err)
	}
	if err := closeTo(out, want); err != nil {
		t.Errorf("output: %v", err)
	}
	for _, g := range gin {
		fillNaN(g) // Backward must overwrite input gradients
	}
	if err := l.Backward(in, out, g.tensors["gradout"], gin); err != nil {
		t.Fatal(err)
	}
	for i, gi := range gin {
		if err := closeTo(gi, g.tensors[fmt.Sprintf("gradin%d", i)]); err != nil {
			t.Errorf("input %d gradient: %v", i, err)
		}
	}
	for _, p := range l.Params() {
		name := paramSuffix(p)
		if p.Grad != nil {
			if err := closeTo(p.Grad, g.tensors["grad/"+name]); err != nil {
				t.Errorf("%s gradient: %v", p.Name, err)
			}
		} else if after, ok := g.tensors["after/"+name]; ok {
			if err := closeTo(p.Value, after); err != nil {
				t.Errorf("%s after forward: %v", p.Name, err)
			}
		}
	}
}
