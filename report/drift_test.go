package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestWriteDrift(t *testing.T) {
	q := make([]float64, 11)
	for i := range q {
		q[i] = float64(i) / 10
	}
	d := Drift{Title: "drift <check>", ValImages: 500, BatchImages: 3, Labels: []DriftLabel{
		{Name: "haze", Validation: q, Batch: []float64{0.1, 0.2, 0.3}, Train: 0.1, Estimated: 0.3, Low: 0.25, High: 0.35, KS: 0.4, Critical: 0.1},
		{Name: "cloudy", Validation: q, Batch: []float64{0.5, 0.5, 0.5}, Train: 0.2, Estimated: 0.2, Low: 0.15, High: 0.25, KS: 0.5, Critical: 0.1,
			Warning: "scores moved without the prevalence"},
	}}
	var buf bytes.Buffer
	if err := WriteDrift(&buf, d); err != nil {
		t.Fatal(err)
	}
	doc := buf.String()
	for _, want := range []string{"drift &lt;check&gt;", "500 validation images against 3 new images",
		"<li>cloudy: scores moved without the prevalence</li>", "<td>haze</td><td>0.100</td><td>0.300</td><td>[0.250, 0.350]</td><td>0.400</td>"} {
		if !strings.Contains(doc, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := strings.Count(doc, `src="data:image/png;base64,`); n != 2 {
		t.Errorf("%d plots, want 2", n)
	}
	for _, bad := range []Drift{{}, {Labels: []DriftLabel{{Name: "x", Validation: q}}}} {
		if err := WriteDrift(&buf, bad); err == nil {
			t.Errorf("WriteDrift(%+v): no error", bad)
		}
	}
}
