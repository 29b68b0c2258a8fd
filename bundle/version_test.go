package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"
)

// decodeJSON decodes data into a generic value, for comparing encodings
// whatever their field order and spacing.
func decodeJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// A bundle written by the version-1 code (testdata/v1/gen.go) reads with
// every section of its header as that code wrote it, and writes again as
// version 2 with the same sections.
func TestReadVersion1(t *testing.T) {
	data, err := os.ReadFile("testdata/v1/v1.mlb")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/v1/v1.header.json")
	if err != nil {
		t.Fatal(err)
	}
	if v := binary.LittleEndian.Uint32(data[8:12]); v != 1 {
		t.Fatalf("fixture is of format version %d, want 1", v)
	}
	b, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if b.FormatVersion != 1 {
		t.Errorf("format version %d, want 1", b.FormatVersion)
	}
	for _, missing := range []bool{b.Rules == nil, b.Rules.Calibration == nil, b.Rules.Structure == nil, b.Metrics == nil,
		len(b.Metrics.PerLabel) == 0, b.Reference == nil, len(b.Recalibrations) == 0, b.Split == nil, len(b.Preprocess.Mean) == 0} {
		if missing {
			t.Fatalf("fixture header lacks a section: %+v", b.Header)
		}
	}
	got, err := json.Marshal(&b.Header)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := decodeJSON(t, got), decodeJSON(t, want); !reflect.DeepEqual(g, w) {
		t.Errorf("decoded header differs from the one version 1 wrote:\n got %s\nwant %s", got, want)
	}
	if _, err := b.InferenceModel(); err != nil {
		t.Fatal(err)
	}

	// Written again, it is a version-2 bundle with the same header.
	again, err := Read(encode(t, b))
	if err != nil {
		t.Fatal(err)
	}
	if again.FormatVersion != FormatVersion {
		t.Errorf("rewritten as format version %d, want %d", again.FormatVersion, FormatVersion)
	}
	again.FormatVersion = b.FormatVersion
	if !reflect.DeepEqual(again.Header, b.Header) {
		t.Errorf("header changed on rewriting:\n got %+v\nwant %+v", again.Header, b.Header)
	}
}

// A header whose format_version disagrees with the file's is refused.
func TestHeaderVersionMismatch(t *testing.T) {
	data := encode(t, testBundle(t))
	i := bytes.Index(data, []byte(`"format_version":2`))
	if i < 0 {
		t.Fatal("no format_version in the header")
	}
	data = slices.Clone(data)
	data[i+len(`"format_version":`)] = '1'
	body := data[:len(data)-32]
	sum := sha256.Sum256(body)
	copy(data[len(data)-32:], sum[:])
	_, err := Read(data)
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("header says format version 1, the file 2")) {
		t.Fatalf("error %v, want one about the mismatched versions", err)
	}
}

// The header's sections survive a round trip.
func TestSectionsRoundTrip(t *testing.T) {
	ap := 0.75
	b := testBundle(t)
	b.Rules.Calibration = &Calibration{Method: "platt", A: []float64{1, 2, 3}, B: []float64{0, 0.1, 0.2}}
	b.Rules.Structure = &Structure{Exclusive: [][]string{{"a", "b"}}, Excludes: []Exclusion{{If: "c", Not: []string{"a"}}}, Implies: []Implication{{If: "a", Then: "c"}}}
	b.Rules.Intervals = []Interval{{Low: 0, High: 0.2}, {Low: 0.4, High: 0.6}, {Low: 0.8, High: 1}}
	b.Preprocess.Bands = []int{4, 3, 2}
	b.Preprocess.BandStats = []BandStat{{Low: 0, High: 1, Mean: 0.5, Std: 0.2}, {Low: 0, High: 2, Mean: 1, Std: 0.3}, {Low: 1, High: 3, Mean: 2, Std: 0.4}}
	b.Metrics = &Metrics{Labels: b.Labels, Samples: 10, F2Samples: 0.6, MAPMacro: &ap,
		PerLabel: map[string]LabelMetrics{"a": {Support: 3, AP: &ap, Confusion: Confusion{TP: 2, FN: 1, TN: 7}}}}
	b.Reference = &Reference{Images: 40, Calibration: b.Rules.Calibration, Prevalence: []float64{0.5, 0.4, 0.1},
		Positive: []float64{0.5, 0.4, 0.1}, Thresholds: []float64{0.1, 0.5, 0.9}, TPR: []float64{1, 0.9, 0.8}, FPR: []float64{0.1, 0.2, 0.3},
		Scores: [][]float64{{0, 1}, {0, 1}, {0, 1}}}
	b.Recalibrations = []Recalibration{{Created: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Batch: Batch{Source: "new", Images: 120, SHA256: "ab"},
		Labels: b.Labels, Train: []float64{0.5, 0.5, 0.5}, Estimated: []float64{0.6, 0.5, 0.1}, Old: []float64{0.1, 0.5, 0.9}, New: []float64{0.05, 0.5, 0.95}}}
	b.Tiles = &Tiles{Grid: 3, Overlap: 0.25, Images: 40, Rules: &Rules{Kind: "per_class", Labels: 3, Global: 0.4, PerClass: []float64{0.3, 0.6, 0.8}}}
	got, err := Read(encode(t, b))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"preprocess", got.Preprocess, b.Preprocess},
		{"rules", got.Rules, b.Rules},
		{"metrics", got.Metrics, b.Metrics},
		{"reference", got.Reference, b.Reference},
		{"recalibrations", got.Recalibrations, b.Recalibrations},
		{"tiles", got.Tiles, b.Tiles},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s changed:\n got %+v\nwant %+v", c.name, c.got, c.want)
		}
	}
}
