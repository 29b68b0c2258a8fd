package synth

import (
	"slices"
	"testing"
)

func TestVocabulary(t *testing.T) {
	labels := Labels()
	seen := map[string]bool{}
	for _, l := range labels {
		if seen[l] {
			t.Errorf("label %q listed twice", l)
		}
		seen[l] = true
	}
	tests := []struct {
		name string
		got  []string
	}{
		{"weather", WeatherLabels()},
		{"rare", rareLabels()},
	}
	for _, tc := range tests {
		for _, l := range tc.got {
			if !seen[l] {
				t.Errorf("%s label %q is not in the vocabulary", tc.name, l)
			}
		}
	}
	for _, r := range Rules() {
		if !seen[r.If] || !seen[r.Then] {
			t.Errorf("rule %v names a label outside the vocabulary", r)
		}
	}
	if got := WeatherLabels(); !slices.Equal(got, []string{"clear", "haze", "partly_cloudy", "cloudy"}) {
		t.Errorf("weather labels = %v", got)
	}
	labels[0] = "changed"
	if Labels()[0] == "changed" {
		t.Error("Labels returns the package's own slice")
	}
}
