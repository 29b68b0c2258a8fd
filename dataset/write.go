package dataset

import (
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// WriteCSV writes ds as a tags CSV, image_name,tags, with the tags separated
// by spaces and an unknown label written ?tag. Each image is named by its
// path relative to dir (absolute when there is no relative path), so that
// Load reads the same images back with dir as the images folder; dir is
// meant to be the folder the CSV is written to, Load's default.
func WriteCSV(w io.Writer, ds *Dataset, dir string) error {
	base, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"image_name", "tags"}); err != nil {
		return fmt.Errorf("dataset: write CSV: %w", err)
	}
	for _, it := range ds.Items {
		name, err := filepath.Abs(it.Path)
		if err != nil {
			return fmt.Errorf("dataset: %w", err)
		}
		if rel, err := filepath.Rel(base, name); err == nil {
			name = rel
		}
		tags := make([]string, 0, len(it.Pos)+len(it.Unknown))
		for _, l := range it.Pos {
			tags = append(tags, ds.Labels[l])
		}
		for _, l := range it.Unknown {
			tags = append(tags, "?"+ds.Labels[l])
		}
		if err := cw.Write([]string{name, strings.Join(tags, " ")}); err != nil {
			return fmt.Errorf("dataset: write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("dataset: write CSV: %w", err)
	}
	return nil
}
