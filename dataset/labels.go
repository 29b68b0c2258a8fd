package dataset

import (
	"fmt"
	"os"
	"strings"
)

// ParseLabels reads a fixed vocabulary for Options.Labels from a --labels
// flag value: the path of a text file with one label per line (blank lines
// and lines starting with # ignored), or else a comma-separated list. The
// order is kept; an empty or repeated label is an error.
func ParseLabels(value string) ([]string, error) {
	var parts []string
	source := "label list"
	if data, err := os.ReadFile(value); err == nil {
		source = quoteIfOdd(value)
		for _, line := range strings.Split(string(data), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				parts = append(parts, line)
			}
		}
	} else {
		for _, p := range strings.Split(value, ",") {
			parts = append(parts, strings.TrimSpace(p))
		}
	}
	seen := map[string]bool{}
	for i, l := range parts {
		if l == "" || seen[l] {
			return nil, fmt.Errorf("dataset: %s: label %d is empty or repeated (%q)", source, i+1, l)
		}
		seen[l] = true
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("dataset: %s: no labels", source)
	}
	return parts, nil
}
