package decide

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// ParseThresholds reads thresholds for the given labels from JSON: either a
// rule written by WriteJSON (its Thresholds) or an object mapping every
// label name to its threshold.
func ParseThresholds(data []byte, labels []string) ([]float64, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("decide: thresholds: %w", err)
	}
	if _, ok := probe["kind"]; ok {
		r, err := readRules(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		if err := r.Check(len(labels)); err != nil {
			return nil, err
		}
		t := r.Thresholds()
		if t == nil {
			return nil, fmt.Errorf("decide: a %s rule has no fixed thresholds", r.Kind)
		}
		return t, nil
	}
	var byName map[string]float64
	if err := json.Unmarshal(data, &byName); err != nil {
		return nil, fmt.Errorf("decide: thresholds must map label names to numbers: %w", err)
	}
	out := make([]float64, len(labels))
	for j, l := range labels {
		v, ok := byName[l]
		if !ok {
			return nil, fmt.Errorf("decide: no threshold for label %q", l)
		}
		out[j] = v
	}
	if len(byName) != len(labels) {
		for name := range byName {
			if !slices.Contains(labels, name) {
				return nil, fmt.Errorf("decide: threshold for unknown label %q", name)
			}
		}
	}
	return out, nil
}
