package dataset

import (
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// WriteCSV writes ds as a tags CSV, image_name,tags, with the tags separated
// by ds.TagSep (a space when empty) and an unknown label written ?tag; a
// label that the separator would split, or that would not read back as
// itself, is an error naming it. A cell that starts like a spreadsheet
// formula is written with a leading apostrophe (see CSVField). Each image is named by its
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
		pos := make([]string, len(it.Pos))
		for i, l := range it.Pos {
			pos[i] = ds.Labels[l]
		}
		unk := make([]string, len(it.Unknown))
		for i, l := range it.Unknown {
			unk[i] = ds.Labels[l]
		}
		tags, err := FormatTags(pos, unk, ds.TagSep)
		if err != nil {
			return fmt.Errorf("dataset: write CSV: %s: %w", it.Name, err)
		}
		if err := cw.Write([]string{CSVField(name), CSVField(tags)}); err != nil {
			return fmt.Errorf("dataset: write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("dataset: write CSV: %w", err)
	}
	return nil
}

// FormatTags writes a tags field: the positive tags, then the unknown ones
// written ?tag, separated by sep (a space when empty), so that a CSV read
// with Options.TagSep set to sep gives back the same tags. It fails, naming
// the tag, when the field would not read back as written: a tag that holds
// the separator (any whitespace when sep is empty), that is empty, that
// starts with ? or has spaces at its ends, or tags whose ends form the
// separator when joined.
func FormatTags(pos, unknown []string, sep string) (string, error) {
	o := Options{TagSep: sep}
	for _, t := range slices.Concat(pos, unknown) {
		if p, u := o.splitTags(t); len(u) != 0 || len(p) != 1 || p[0] != t {
			return "", fmt.Errorf("tag %q cannot be written with tag separator %s: it would read back as %q", t, describeSep(sep), slices.Concat(p, u))
		}
	}
	tags := make([]string, 0, len(pos)+len(unknown))
	tags = append(tags, pos...)
	for _, t := range unknown {
		tags = append(tags, "?"+t)
	}
	join := sep
	if join == "" {
		join = " "
	}
	field := strings.Join(tags, join)
	if p, u := o.splitTags(field); !slices.Equal(p, pos) || !slices.Equal(u, unknown) {
		return "", fmt.Errorf("tags %q cannot be written with tag separator %s: they would read back as %q and unknown %q", tags, describeSep(sep), p, u)
	}
	return field, nil
}

// CheckTagSep reports the first label that FormatTags could not write with
// sep, so that a job which writes a tags CSV at its end can refuse its
// vocabulary before the work.
func CheckTagSep(labels []string, sep string) error {
	for _, l := range labels {
		if _, err := FormatTags([]string{l}, nil, sep); err != nil {
			return fmt.Errorf("dataset: %w; read the set with another tag separator", err)
		}
	}
	return nil
}

func describeSep(sep string) string {
	if sep == "" {
		return "whitespace (the default)"
	}
	return fmt.Sprintf("%q", sep)
}
