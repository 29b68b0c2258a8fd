// Package dataset reads labelled image sets for mlabel: a tags CSV
// (image,tags) with a folder of images, or a folder per label. It builds the
// label vocabulary, keeps partial labels (a tag written ?tag is unknown for
// that image, not negative), checks a set for bad input, and splits it with
// iterative stratification.
package dataset

import (
	"fmt"
	"sort"
)

// Dataset is a labelled image set.
type Dataset struct {
	// Source is the CSV file or the root folder the set was read from.
	Source string `json:"source"`
	// Labels is the vocabulary, in output order.
	Labels []string `json:"labels"`
	// Items are the images, in file order.
	Items []Item `json:"items"`
	// TagSep is the separator between tags the set was read with (any
	// whitespace when empty); WriteCSV writes the tags with it, so that a
	// CSV written from the set reads back with the same option.
	TagSep string `json:"tag_sep,omitempty"`
	// Warnings are non-fatal problems found while reading (images with no
	// tags, file names that are not UTF-8). Check reports more.
	Warnings []Problem `json:"warnings,omitempty"`
}

// Item is one image with its labels.
type Item struct {
	// Name is the image as written in the CSV, or its file name in a folder
	// dataset.
	Name string `json:"name"`
	// Path is the resolved file path.
	Path string `json:"path"`
	// Line is the 1-based CSV line of the row, 0 for folder datasets.
	Line int `json:"line,omitempty"`
	// Pos holds the indices of the positive labels, ascending.
	Pos []int `json:"pos"`
	// Unknown holds the indices of the labels whose value is unknown
	// (written ?tag), ascending. They are masked, not negative.
	Unknown []int `json:"unknown,omitempty"`
}

// Where returns "source:line" for a CSV item, or its path otherwise, for
// messages.
func (d *Dataset) Where(it Item) string {
	if it.Line > 0 {
		return fmt.Sprintf("%s:%d", d.Source, it.Line)
	}
	return it.Path
}

// Targets returns the multi-hot target of it over the vocabulary and its
// mask: y[l] is 1 for a positive label and 0 otherwise; mask[l] is 0 for an
// unknown label and 1 otherwise.
func (d *Dataset) Targets(it Item) (y, mask []float32) {
	y = make([]float32, len(d.Labels))
	mask = make([]float32, len(d.Labels))
	d.TargetsInto(it, y, mask)
	return y, mask
}

// TargetsInto writes the target and mask of it into y and mask, which must
// have one element per label. See Targets.
func (d *Dataset) TargetsInto(it Item, y, mask []float32) {
	for i := range y {
		y[i], mask[i] = 0, 1
	}
	for _, l := range it.Pos {
		y[l] = 1
	}
	for _, l := range it.Unknown {
		mask[l] = 0
	}
}

// TagMatrix returns every item's tags as a row of one entry per label: 1
// for a present tag, 0 for an absent one and -1 for an unknown one.
func (d *Dataset) TagMatrix() [][]float64 {
	out := make([][]float64, len(d.Items))
	for i, it := range d.Items {
		row := make([]float64, len(d.Labels))
		for _, l := range it.Pos {
			row[l] = 1
		}
		for _, l := range it.Unknown {
			row[l] = -1
		}
		out[i] = row
	}
	return out
}

// LabelIndex returns a map from label to its index in the vocabulary.
func (d *Dataset) LabelIndex() map[string]int {
	m := make(map[string]int, len(d.Labels))
	for i, l := range d.Labels {
		m[l] = i
	}
	return m
}

// Subset returns a dataset sharing the vocabulary and holding the items at
// the given indices, in that order.
func (d *Dataset) Subset(idx []int) *Dataset {
	s := &Dataset{Source: d.Source, Labels: d.Labels, TagSep: d.TagSep, Items: make([]Item, len(idx))}
	for i, j := range idx {
		s.Items[i] = d.Items[j]
	}
	return s
}

// Counts returns, for each label, the number of images where it is positive.
func (d *Dataset) Counts() []int {
	c := make([]int, len(d.Labels))
	for _, it := range d.Items {
		for _, l := range it.Pos {
			c[l]++
		}
	}
	return c
}

// rawItem is an image with its tags as strings, before the vocabulary is
// known.
type rawItem struct {
	name, path string
	line       int
	where      string // "file:line" or path, for messages
	pos, unk   []string
}

// buildVocab returns the vocabulary: fixed when given, otherwise the sorted
// set of all tags used.
func buildVocab(items []rawItem, fixed []string) ([]string, error) {
	if len(fixed) > 0 {
		seen := map[string]bool{}
		for _, l := range fixed {
			if l == "" || seen[l] {
				return nil, fmt.Errorf("dataset: fixed label list has an empty or repeated label %q", l)
			}
			seen[l] = true
		}
		return append([]string(nil), fixed...), nil
	}
	set := map[string]bool{}
	for _, it := range items {
		for _, t := range it.pos {
			set[t] = true
		}
		for _, t := range it.unk {
			set[t] = true
		}
	}
	labels := make([]string, 0, len(set))
	for l := range set {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	return labels, nil
}

// indexTags maps tag names to sorted, deduplicated indices. Tags missing
// from the vocabulary are returned separately.
func indexTags(tags []string, index map[string]int) (idx []int, unknown []string) {
	seen := map[int]bool{}
	for _, t := range tags {
		i, ok := index[t]
		if !ok {
			unknown = append(unknown, t)
			continue
		}
		if !seen[i] {
			seen[i] = true
			idx = append(idx, i)
		}
	}
	sort.Ints(idx)
	return idx, unknown
}
