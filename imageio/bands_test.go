package imageio

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestChannelsAndValidate(t *testing.T) {
	ok := BandStat{Low: 0, High: 100, Mean: 0.5, Std: 0.2}
	base := DefaultPreprocess(8)
	for _, tc := range []struct {
		name     string
		bands    []int
		stats    []BandStat
		channels int
		err      string
	}{
		{"rgb", nil, nil, 3, ""},
		{"two bands", []int{4, 1}, []BandStat{ok, ok}, 2, ""},
		{"five bands", []int{1, 2, 3, 4, 5}, []BandStat{ok, ok, ok, ok, ok}, 5, ""},
		{"band zero", []int{0}, []BandStat{ok}, 1, "numbered from 1"},
		{"no stats", []int{1, 2}, nil, 2, "statistics for 0"},
		{"flat stat", []int{1}, []BandStat{{Low: 5, High: 5, Std: 1}}, 1, "high > low"},
		{"zero std", []int{1}, []BandStat{{Low: 0, High: 5}}, 1, "std > 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			p.Bands, p.BandStats = tc.bands, tc.stats
			if got := p.Channels(); got != tc.channels {
				t.Errorf("Channels() = %d, want %d", got, tc.channels)
			}
			err := p.Validate()
			if tc.err == "" && err != nil {
				t.Fatal(err)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("error %v, want %q", err, tc.err)
			}
		})
	}
}

func TestPreprocessJSONCompatible(t *testing.T) {
	// A bundle written before bands existed reads as RGB.
	old := `{"size":32,"mode":"crop","mean":[0.5,0.5,0.5],"std":[0.25,0.25,0.25]}`
	var p Preprocess
	if err := json.Unmarshal([]byte(old), &p); err != nil {
		t.Fatal(err)
	}
	if p.Channels() != 3 || p.Bands != nil || p.Validate() != nil {
		t.Fatalf("old preprocess read as %+v", p)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != old {
		t.Errorf("RGB preprocess re-encodes as %s, want %s", b, old)
	}
	p.Bands = []int{3, 2, 1}
	p.BandStats = []BandStat{{0, 10, 0.5, 0.1}, {1, 11, 0.4, 0.2}, {2, 12, 0.3, 0.3}}
	if b, err = json.Marshal(p); err != nil {
		t.Fatal(err)
	}
	var q Preprocess
	if err := json.Unmarshal(b, &q); err != nil || !reflect.DeepEqual(p, q) {
		t.Fatalf("round trip %s: %v %+v", b, err, q)
	}
}

func TestBandStatisticsAndPixels(t *testing.T) {
	path := filepath.Join("testdata", "bands5_strip_deflate.tif")
	r, err := DecodeRasterFile(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	bands := []int{5, 2, 4}
	st, err := BandStatistics([]string{path, path}, bands, 0)
	if err != nil {
		t.Fatal(err)
	}
	for c, b := range bands {
		var v []float32
		for i := 0; i < r.W*r.H; i++ {
			v = append(v, r.Pix[i*r.Bands+b-1])
		}
		lo, hi := minMax(v)
		s := st[c]
		if !(s.Low >= lo && s.Low < s.High && s.High <= hi) {
			t.Errorf("band %d: low %g high %g outside the values %g..%g", b, s.Low, s.High, lo, hi)
		}
		if s.Mean <= 0.2 || s.Mean >= 0.8 || s.Std <= 0.05 || s.Std >= 0.5 {
			t.Errorf("band %d: mean %g std %g of scaled values are implausible", b, s.Mean, s.Std)
		}
	}
	p := DefaultPreprocess(r.W) // squash at full width keeps every column
	p.Mode, p.Size = ModeSquash, 12
	p.Bands, p.BandStats = bands, st
	pix, err := p.LoadPixels(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(pix) != 12*12*3 {
		t.Fatalf("%d values, want %d", len(pix), 12*12*3)
	}
	// Each channel follows its band: compare with the band scaled by hand,
	// resampled at the centre of each output pixel.
	for c, b := range bands {
		var worst float64
		for y := 0; y < 12; y++ {
			for x := 0; x < 12; x++ {
				sx, sy := (x*r.W+r.W/2)/12, (y*r.H+r.H/2)/12
				want := float64(scale8(r.At(sx, sy, b-1), st[c]))
				worst = max(worst, math.Abs(float64(pix[(y*12+x)*3+c])-want))
			}
		}
		if worst > 40 {
			t.Errorf("channel %d (band %d): differs from the band by up to %g levels", c, b, worst)
		}
	}
	x, err := p.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range x {
		c := i % 3
		want := (float32(pix[i])/255 - st[c].Mean) / st[c].Std
		if math.Abs(float64(v-want)) > 1e-4 {
			t.Fatalf("value %d = %g, want %g", i, v, want)
		}
	}
	p.Bands = []int{6, 1, 2}
	if _, err := p.LoadPixels(path); err == nil || !strings.Contains(err.Error(), "band 6") {
		t.Errorf("band 6 of 5: %v", err)
	}
	if _, err := BandStatistics([]string{path}, []int{9}, 0); err == nil || !strings.Contains(err.Error(), "band 9") {
		t.Errorf("statistics of band 9 of 5: %v", err)
	}
}

func TestWithBandStats(t *testing.T) {
	path := filepath.Join("testdata", "rgb.jpg")
	rgb := DefaultPreprocess(8)
	if q, err := rgb.WithBandStats([]string{path}); err != nil || !reflect.DeepEqual(q, rgb) {
		t.Fatalf("RGB preprocess changed: %v %+v", err, q)
	}
	p := rgb
	p.Bands = []int{3, 2, 1}
	q, err := p.WithBandStats([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.BandStats) != 3 || q.Validate() != nil {
		t.Fatalf("statistics %+v", q.BandStats)
	}
	// An ordinary image gives 3 RGB bands: the JPEG's values are 8-bit.
	for _, s := range q.BandStats {
		if s.Low < 0 || s.High > 255 {
			t.Errorf("statistics %+v outside 0..255", s)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if x, err := q.Input(path, data); err != nil || len(x) != 8*8*3 {
		t.Errorf("Input with bands: %d values, %v; want %d", len(x), err, 8*8*3)
	}
	q.Bands, q.BandStats = []int{4}, q.BandStats[:1]
	if _, err := q.Input(path, data); err == nil || !strings.Contains(err.Error(), "band 4 requested") {
		t.Errorf("Input of band 4 of an RGB image: %v, want a clear error", err)
	}
}

// mustRaster decodes path as a raster.
func mustRaster(t *testing.T, path string) *Raster {
	t.Helper()
	r, err := DecodeRasterFile(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func minMax(v []float32) (lo, hi float32) {
	lo, hi = v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}
