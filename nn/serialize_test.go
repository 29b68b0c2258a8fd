package nn

import (
	"bytes"
	"strings"
	"testing"

	"mlabel/tensor"
)

func sampleWeights() map[string]*tensor.Tensor {
	a, _ := tensor.FromData([]float32{1, -2.5, 3, 4, 5, 6}, 1, 2, 1, 3)
	b, _ := tensor.FromData([]float32{0.125}, 1)
	return map[string]*tensor.Tensor{"conv.weight": a, "bn.gamma": b, "empty": tensor.New(0)}
}

func TestWeightsRoundTrip(t *testing.T) {
	var buf, again bytes.Buffer
	if err := WriteWeights(&buf, sampleWeights()); err != nil {
		t.Fatal(err)
	}
	got, err := ReadWeights(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range sampleWeights() {
		g, ok := got[name]
		if !ok || !tensor.SameShape(g.Shape, want.Shape) {
			t.Fatalf("%s: got %v", name, g)
		}
		for i := range want.Data {
			if g.Data[i] != want.Data[i] {
				t.Errorf("%s[%d] = %v, want %v", name, i, g.Data[i], want.Data[i])
			}
		}
	}
	if err := WriteWeights(&again, got); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Errorf("writing the same weights twice gave different bytes (err %v)", err)
	}
}

func TestReadWeightsRejects(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteWeights(&buf, sampleWeights()); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 0x10; return b }
	newer := bytes.Clone(good)
	newer[8] = 2
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "bad magic"},
		{"foreign", []byte("PK\x03\x04 this is a zip file, not weights"), "bad magic"},
		{"header only", good[:12], "truncated"},
		{"truncated", good[:len(good)-9], "checksum"},
		{"damaged data", flip(len(good) - 10), "checksum"},
		{"damaged checksum", flip(len(good) - 1), "checksum"},
		{"newer version", newer, "version 2"},
		{"trailing bytes", append(bytes.Clone(good), 0), "checksum"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadWeights(bytes.NewReader(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}
