package decide

import (
	"bytes"
	"strings"
	"testing"
)

func TestRulesJSONRoundTrip(t *testing.T) {
	s := randomSplit(5, 40, 3, true)
	o := DefaultOptions()
	o.Bootstrap = 20
	r, err := FitPerClass(s, o)
	if err != nil {
		t.Fatal(err)
	}
	r.Names = []string{"a", "b", "c"}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"kind": "per_class"`, `"global_threshold"`, `"intervals"`, `"shrunk"`} {
		if !strings.Contains(buf.String(), key) {
			t.Errorf("JSON lacks %s:\n%s", key, buf.String())
		}
	}
	back, err := readRules(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	a, b := r.Apply(s.Scores), back.Apply(s.Scores)
	for i := range a {
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				t.Fatalf("decision %d,%d changed after the round trip", i, j)
			}
		}
	}
	th, err := ParseThresholds(buf.Bytes(), r.Names)
	if err != nil {
		t.Fatal(err)
	}
	for j := range th {
		if th[j] != r.PerClass[j] {
			t.Errorf("thresholds %v, want %v", th, r.PerClass)
		}
	}
}

func TestParseThresholds(t *testing.T) {
	labels := []string{"cat", "dog"}
	tests := []struct {
		name    string
		in      string
		want    []float64
		wantErr string
	}{
		{"map", `{"dog": 0.3, "cat": 0.7}`, []float64{0.7, 0.3}, ""},
		{"global rule", `{"kind": "global", "n_labels": 2, "global_threshold": 0.4}`, []float64{0.4, 0.4}, ""},
		{"missing label", `{"cat": 0.7}`, nil, `no threshold for label "dog"`},
		{"extra label", `{"cat": 0.7, "dog": 0.1, "bird": 0.2}`, nil, `unknown label "bird"`},
		{"top-k rule", `{"kind": "top_k", "n_labels": 2, "k": 1}`, nil, "no fixed thresholds"},
		{"wrong label count", `{"kind": "global", "n_labels": 3}`, nil, "3 labels"},
		{"bad kind", `{"kind": "magic", "n_labels": 2}`, nil, "unknown rule kind"},
		{"not json", `0.5,0.5`, nil, "thresholds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseThresholds([]byte(tc.in), labels)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for j := range tc.want {
				if got[j] != tc.want[j] {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// A rule read from a file says how many labels it is for; a count no label
// vocabulary has is refused before anything is sized by it.
func TestReadRulesRefusesLabelCounts(t *testing.T) {
	for _, tc := range []struct {
		json, msg string
	}{
		{`{"kind":"fixed","n_labels":35184372088832,"global":0.5}`, "want 1 to"},
		{`{"kind":"global","n_labels":0,"global":0.5}`, "want 1 to"},
		{`{"kind":"fixed","n_labels":-3,"global":0.5}`, "want 1 to"},
	} {
		r, err := readRules(strings.NewReader(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: rule %v, error %v; want %q", tc.json, r, err, tc.msg)
		}
	}
	if _, err := readRules(strings.NewReader(`{"kind":"fixed","n_labels":3,"global":0.5}`)); err != nil {
		t.Errorf("a rule for 3 labels: %v", err)
	}
}
