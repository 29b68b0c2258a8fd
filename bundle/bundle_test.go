package bundle

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"mlabel/arch"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/nn"
)

func testBundle(t testing.TB) *Bundle {
	t.Helper()
	spec, err := arch.Build("small", 32, 3, 3, arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	return &Bundle{
		Header: Header{
			Kind: KindClassifier, Arch: "small", Spec: spec, Labels: []string{"a", "b", "c"},
			Preprocess: imageio.Preprocess{Size: 32, Mode: "crop", Mean: [3]float32{0.485, 0.456, 0.406}, Std: [3]float32{0.229, 0.224, 0.225}},
			Rules:      &decide.Rules{Kind: decide.PerClass, Labels: 3, Global: 0.4, PerClass: []float64{0.1, 0.5, 0.9}},
			History:    []Epoch{{Epoch: 1, TrainLoss: 0.5}},
		},
		Weights: m.Weights(),
	}
}

func encode(t testing.TB, b *Bundle) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	b := testBundle(t)
	path := filepath.Join(t.TempDir(), "m.mlb")
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.FormatVersion != FormatVersion || got.Kind != KindClassifier || !slices.Equal(got.Labels, b.Labels) {
		t.Fatalf("header changed: %+v", got.Header)
	}
	if !reflect.DeepEqual(got.Rules, b.Rules) || !reflect.DeepEqual(got.Preprocess, b.Preprocess) {
		t.Fatalf("rules %+v, preprocess %+v; want %+v, %+v", got.Rules, got.Preprocess, b.Rules, b.Preprocess)
	}
	for k, v := range b.Weights {
		if !slices.Equal(got.Weights[k].Data, v.Data) {
			t.Fatalf("weight %s changed", k)
		}
	}
	if _, err := got.Model(); err != nil {
		t.Fatal(err)
	}
	if _, err := got.InferenceModel(); err != nil {
		t.Fatal(err)
	}
}

func TestBadFiles(t *testing.T) {
	good := encode(t, testBundle(t))
	otherVersion := slices.Clone(good)
	binary.LittleEndian.PutUint32(otherVersion[8:12], FormatVersion+1)
	versionZero := slices.Clone(good)
	binary.LittleEndian.PutUint32(versionZero[8:12], 0)
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"foreign", []byte("PK\x03\x04 a zip file, not a bundle, padded to be long enough to read"), "wrong magic"},
		{"newer version", otherVersion, "format version 3, this mlabel reads versions 1 to 2"},
		{"version 0", versionZero, "format version 0"},
		{"truncated", good[:len(good)-100], "truncated"},
		{"truncated header", good[:40], ""},
		{"damaged", flipped, "checksum"},
		{"padded", append(slices.Clone(good), 0), "truncated or padded"},
	}
	for _, tc := range tests {
		_, err := Read(tc.data)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !errors.Is(err, ErrFormat) || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
			t.Errorf("%s: error %q, want ErrFormat mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestKindRoundTrip(t *testing.T) {
	tests := []struct {
		kind Kind
		json string // as the header spells it
	}{
		{KindClassifier, `"kind":"classifier"`},
		{KindBackbone, `"kind":"backbone"`},
		{KindDetector, `"kind":"detector"`},
		{KindCheckpoint, `"kind":"checkpoint"`},
		{"mystery", `"kind":"mystery"`}, // kept, for its users to name
	}
	for _, tc := range tests {
		t.Run(string(tc.kind), func(t *testing.T) {
			b := testBundle(t)
			b.Kind = tc.kind
			data := encode(t, b)
			if !bytes.Contains(data, []byte(tc.json)) {
				t.Errorf("header does not hold %s", tc.json)
			}
			got, err := Read(data)
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != tc.kind {
				t.Errorf("kind %q read back as %q", tc.kind, got.Kind)
			}
		})
	}
}
