package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"maps"
	"math"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/metrics"
	"mlabel/shift"
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

// goldenHeader reads a fixture bundle of format version v and the header
// the code that wrote it encoded, checks that the bundle reads with that
// header, section by section, and that written again it is a bundle of the
// current version with the same header.
func goldenHeader(t *testing.T, base string, v int) *Bundle {
	t.Helper()
	data, err := os.ReadFile(base + ".mlb")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(base + ".header.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := binary.LittleEndian.Uint32(data[8:12]); got != uint32(v) {
		t.Fatalf("fixture is of format version %d, want %d", got, v)
	}
	b, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if b.FormatVersion != v {
		t.Errorf("format version %d, want %d", b.FormatVersion, v)
	}
	got, err := json.Marshal(&b.Header)
	if err != nil {
		t.Fatal(err)
	}
	g, w := decodeJSON(t, got).(map[string]any), decodeJSON(t, want).(map[string]any)
	g["format_version"], w["format_version"] = nil, nil
	for _, k := range slices.Sorted(maps.Keys(w)) {
		if !reflect.DeepEqual(g[k], w[k]) {
			t.Errorf("section %q decodes and encodes as\n%v\nwant, as version %d wrote it,\n%v", k, g[k], v, w[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(g)) {
		if _, ok := w[k]; !ok {
			t.Errorf("section %q appears that version %d did not write: %v", k, v, g[k])
		}
	}
	if _, err := b.InferenceModel(); err != nil {
		t.Fatal(err)
	}

	again, err := Read(encode(t, b))
	if err != nil {
		t.Fatal(err)
	}
	if again.FormatVersion != FormatVersion {
		t.Errorf("rewritten as format version %d, want %d", again.FormatVersion, FormatVersion)
	}
	again.FormatVersion = b.FormatVersion
	if !reflect.DeepEqual(nanless(again.Header), nanless(b.Header)) {
		t.Errorf("header changed on rewriting:\n got %+v\nwant %+v", again.Header, b.Header)
	}
	return b
}

// nanless returns h with a segmenter's undefined IoUs (NaN) as -1, so
// that DeepEqual compares them.
func nanless(h Header) Header {
	if h.Segment != nil {
		s := *h.Segment
		s.IoU = slices.Clone(s.IoU)
		for j, v := range s.IoU {
			if math.IsNaN(v) {
				s.IoU[j] = -1
			}
		}
		if math.IsNaN(s.MIoU) {
			s.MIoU = -1
		}
		h.Segment = &s
	}
	return h
}

// A bundle written by the version-1 code (testdata/v1/gen.go) reads with
// every section of its header as that code wrote it, into the owners'
// types, and writes again as the current version with the same sections.
func TestReadVersion1(t *testing.T) {
	b := goldenHeader(t, "testdata/v1/v1", 1)
	checkClassifierFixture(t, b, classifierFixture{
		created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), objective: "f_beta", kept: nil,
	})
	if b.Tiles != nil || b.Segment != nil {
		t.Errorf("version 1 wrote no tiles or pixel figures, read %+v and %+v", b.Tiles, b.Segment)
	}
}

// A classifier written by the version-2 code (testdata/v2/gen.go) reads
// with every section as it wrote it, the tiled rules among them.
func TestReadVersion2(t *testing.T) {
	b := goldenHeader(t, "testdata/v2/v2", 2)
	checkClassifierFixture(t, b, classifierFixture{
		created: time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC), objective: decide.SamplesF, kept: []string{"", shift.KeptUnlearned, ""},
	})
	tl := b.Tiles
	if tl == nil || tl.Grid != 3 || tl.Overlap != 0.25 || tl.Images != 40 || tl.Rules == nil ||
		tl.Rules.Kind != decide.PerClass || !slices.Equal(tl.Rules.PerClass, []float64{0.55, 0.6, 0.7}) {
		t.Errorf("tiles %+v", tl)
	}
	if err := tl.Rules.Check(len(b.Labels)); err != nil {
		t.Errorf("tiled rules: %v", err)
	}
}

// A segmenter written by the version-2 code reads with its pixel figures,
// the undefined IoU as NaN.
func TestReadVersion2Segmenter(t *testing.T) {
	b := goldenHeader(t, "testdata/v2/v2-segmenter", 2)
	s := b.Segment
	if b.Kind != KindSegmenter || s == nil || s.PixelThreshold != 0.5 || !slices.Equal(s.Labels, []string{"field", "road"}) ||
		len(s.IoU) != 2 || s.IoU[0] != 0.75 || !math.IsNaN(s.IoU[1]) || s.MIoU != 0.75 {
		t.Errorf("kind %s, segment %+v", b.Kind, s)
	}
	if b.Preprocess.Size != 8 || b.History[0].ValMIoU != 0.75 || !slices.Equal(b.Rules.PerClass, []float64{0.1, 0.02}) {
		t.Errorf("preprocess %+v, history %+v, rules %+v", b.Preprocess, b.History, b.Rules)
	}
}

// classifierFixture is what differs between the classifier fixtures of
// the format versions.
type classifierFixture struct {
	created   time.Time
	objective decide.Objective
	kept      []string
}

// checkClassifierFixture checks the decoded values of the sections the
// classifier fixtures' generators filled alike.
func checkClassifierFixture(t *testing.T, b *Bundle, want classifierFixture) {
	t.Helper()
	labels := []string{"clear", "haze", "water"}
	thr := []float64{0.4, 0.5, 0.6}
	if !b.Created.Equal(want.created) || b.Kind != KindClassifier || b.Arch != "small" || !slices.Equal(b.Labels, labels) || b.View != "overhead" {
		t.Errorf("created %v, kind %s, arch %s, labels %v, view %s", b.Created, b.Kind, b.Arch, b.Labels, b.View)
	}
	if p := b.Preprocess; p.Size != 16 || p.MaxPixels != 1<<20 || p.Mode != imageio.DefaultPreprocess(16).Mode || p.Std[2] != imageio.DefaultPreprocess(16).Std[2] {
		t.Errorf("preprocess %+v", p)
	}
	r := b.Rules
	if r == nil || r.Kind != decide.PerClass || r.Objective != want.objective || r.Beta != 2 || r.ZeroDivision != 1 || r.Labels != 3 ||
		!slices.Equal(r.Names, labels) || r.Global != 0.45 || !slices.Equal(r.PerClass, thr) ||
		len(r.Intervals) != 3 || r.Intervals[1] != (decide.Interval{Low: 0.4, High: 0.6}) ||
		!slices.Equal(r.Shrunk, []bool{false, true, false}) || !slices.Equal(r.Positives, []int{20, 3, 20}) {
		t.Fatalf("rules %+v", r)
	}
	if c := r.Calibration; c == nil || c.Method != decide.Platt || len(c.A) != 3 || len(c.B) != 3 {
		t.Errorf("calibration %+v", c)
	}
	if s := r.Structure; s == nil || len(s.AtMostOne) != 1 || s.Implies[0] != (decide.Implication{If: "water", Then: "clear"}) ||
		s.Excludes[0].If != "haze" || !slices.Equal(s.Excludes[0].Not, []string{"water"}) {
		t.Errorf("structure %+v", s)
	}
	if err := r.Check(3); err != nil {
		t.Errorf("rules: %v", err)
	}
	m := b.Metrics
	if m == nil || m.Samples != 40 || !slices.Equal(m.Labels, labels) || m.MAPMacro == nil || len(m.PerLabel) != 3 {
		t.Fatalf("metrics %+v", m)
	}
	if l := m.PerLabel["haze"]; l.Support != 20 || l.Known != 40 || l.Threshold != 0.5 || l.Confusion.TP+l.Confusion.FN != 20 {
		t.Errorf("metrics of haze %+v", l)
	}
	if ref := b.Reference; ref == nil || ref.Images != 40 || !slices.Equal(ref.Thresholds, thr) || ref.Calibration == nil {
		t.Errorf("reference %+v", ref)
	} else if err := ref.Check(3); err != nil {
		t.Errorf("reference: %v", err)
	}
	if len(b.Recalibrations) != 1 {
		t.Fatalf("recalibrations %+v", b.Recalibrations)
	}
	rec := b.Recalibrations[0]
	if !rec.Created.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) || rec.Batch != (shift.Batch{Source: "new", Images: 120, Skipped: 2, SHA256: "ab"}) ||
		!slices.Equal(rec.Labels, labels) || !slices.Equal(rec.Estimated, []float64{0.6, 0.5, 0.1}) || !slices.Equal(rec.High, []float64{0.65, 0.55, 0.15}) ||
		!slices.Equal(rec.Old, thr) || !slices.Equal(rec.New, []float64{0.35, 0.5, 0.65}) || !slices.Equal(rec.Kept, want.kept) {
		t.Errorf("recalibration %+v", rec)
	}
	if len(b.History) != 2 || b.History[1] != (Epoch{Epoch: 2, TrainLoss: 0.5, LR: 0.001, Seconds: 1.25, Unvalidated: true}) {
		t.Errorf("history %+v", b.History)
	}
	if s := b.Split; s == nil || s.Train[0] != (SplitImage{Name: "a.jpg", SHA256: "00ff"}) || s.Test[0].SHA256 != "ab12" {
		t.Errorf("split %+v", s)
	}
	if string(b.Config) != `{"arch":"small","epochs":2}` || string(b.Extra) != `{"note":"extra"}` {
		t.Errorf("config %s, extra %s", b.Config, b.Extra)
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
	b.Rules.Calibration = &decide.Calibration{Method: decide.Platt, A: []float64{1, 2, 3}, B: []float64{0, 0.1, 0.2}}
	b.Rules.Structure = &decide.Structure{Exclusive: [][]string{{"a", "b"}}, Excludes: []decide.Exclusion{{If: "c", Not: []string{"a"}}}, Implies: []decide.Implication{{If: "a", Then: "c"}}}
	b.Rules.Intervals = []decide.Interval{{Low: 0, High: 0.2}, {Low: 0.4, High: 0.6}, {Low: 0.8, High: 1}}
	b.Preprocess.Bands = []int{4, 3, 2}
	b.Preprocess.BandStats = []imageio.BandStat{{Low: 0, High: 1, Mean: 0.5, Std: 0.2}, {Low: 0, High: 2, Mean: 1, Std: 0.3}, {Low: 1, High: 3, Mean: 2, Std: 0.4}}
	b.Metrics = &metrics.Summary{Labels: b.Labels, Samples: 10, F2Samples: 0.6, MAPMacro: &ap,
		PerLabel: map[string]metrics.LabelSummary{"a": {Support: 3, AP: &ap, Confusion: metrics.Counts{TP: 2, FN: 1, TN: 7}}}}
	b.Reference = &shift.Reference{Images: 40, Calibration: b.Rules.Calibration, Prevalence: []float64{0.5, 0.4, 0.1},
		Positive: []float64{0.5, 0.4, 0.1}, Thresholds: []float64{0.1, 0.5, 0.9}, TPR: []float64{1, 0.9, 0.8}, FPR: []float64{0.1, 0.2, 0.3},
		Scores: [][]float64{{0, 1}, {0, 1}, {0, 1}}}
	b.Recalibrations = []shift.Record{{Created: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Batch: shift.Batch{Source: "new", Images: 120, SHA256: "ab"},
		Labels: b.Labels, Train: []float64{0.5, 0.5, 0.5}, Estimated: []float64{0.6, 0.5, 0.1}, Old: []float64{0.1, 0.5, 0.9}, New: []float64{0.05, 0.5, 0.95}}}
	b.Tiles = &decide.Tiled{Grid: 3, Overlap: 0.25, Images: 40, Rules: &decide.Rules{Kind: decide.PerClass, Labels: 3, Global: 0.4, PerClass: []float64{0.3, 0.6, 0.8}}}
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
