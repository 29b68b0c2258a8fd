package dataset

import (
	"errors"
	"fmt"
	"strings"
)

// Load reads the dataset described by o. Any error-level problem (a ragged
// row, a missing image, a duplicate row, a label outside a fixed
// vocabulary, ...) fails the load with a message naming the file and line of
// each. Warnings are kept in Dataset.Warnings.
func Load(o Options) (*Dataset, error) {
	ds, probs, err := read(o)
	if err != nil {
		return nil, err
	}
	if errs := errorsOf(probs); len(errs) > 0 {
		err := problemsError(ds.Source, errs, maxListed)
		for _, p := range probs {
			if p.Kind == KindImagesFolder {
				err = errors.Join(err, imagesFolderError(p, probs, len(ds.Items)))
			}
		}
		return nil, err
	}
	ds.Warnings = warningsOf(probs)
	return ds, nil
}

// read parses the dataset, keeping the valid items and every problem found.
// The error is reserved for failures that stop reading altogether.
func read(o Options) (*Dataset, []Problem, error) {
	if err := o.validate(); err != nil {
		return nil, nil, err
	}
	var raw []rawItem
	var probs []Problem
	var err error
	source := o.CSV
	if o.CSV != "" {
		raw, probs, err = readCSV(o)
		if err == nil {
			probs = append(probs, suspiciousTags(raw, o)...)
		}
	} else {
		source = o.Folders
		raw, probs, err = readFolders(o)
	}
	if err != nil {
		return nil, nil, err
	}
	labels, err := buildVocab(raw, o.Labels)
	if err != nil {
		return nil, nil, err
	}
	if len(labels) > o.maxLabels() {
		return nil, nil, fmt.Errorf("dataset: %s has %d labels, over the limit of %d (--max-labels): is the tag separator right?", source, len(labels), o.maxLabels())
	}
	ds := &Dataset{Source: source, Labels: labels, TagSep: o.TagSep}
	index := ds.LabelIndex()
	first := map[string]string{}
	for _, r := range raw {
		problem := func(sev, kind, label, msg string) {
			probs = append(probs, Problem{Severity: sev, Kind: kind, Where: r.where, Line: r.line, File: r.path, Label: label, Message: msg})
		}
		pos, badPos := indexTags(r.pos, index)
		unk, badUnk := indexTags(r.unk, index)
		for _, t := range append(badPos, badUnk...) {
			problem(SevError, KindUnknownLabel, t, fmt.Sprintf("label %q of image %q is not in the vocabulary (%s)", t, r.name, summarise(labels)))
		}
		for _, t := range repeated(r.pos, r.unk) {
			problem(SevWarning, KindRepeatedTag, t, fmt.Sprintf("tag %q is repeated in the row of image %q; it counts once", t, r.name))
		}
		for _, l := range intersect(pos, unk) {
			problem(SevError, KindConflict, labels[l], fmt.Sprintf("label %q is given both as positive and as unknown (?%s)", labels[l], labels[l]))
		}
		if prev, dup := first[r.path]; dup {
			problem(SevError, KindDuplicate, "", fmt.Sprintf("image %q is listed again; first listed at %s", r.name, quoteIfOdd(prev)))
			continue
		}
		first[r.path] = r.where
		if len(r.pos) == 0 && len(r.unk) == 0 {
			problem(SevWarning, KindNoTags, "", fmt.Sprintf("image %q has no tags (it is a negative for every label)", r.name))
		}
		ds.Items = append(ds.Items, Item{Name: r.name, Path: r.path, Line: r.line, Pos: pos, Unknown: unk})
	}
	if len(raw) == 0 {
		probs = append(probs, Problem{Severity: SevError, Kind: KindNoImages, Where: source, Message: "no images found"})
	}
	return ds, probs, nil
}

// repeated returns, in order of first repetition, the tags written more
// than once in one of the lists (a positive and an unknown tag of the same
// name are a conflict, reported apart).
func repeated(lists ...[]string) []string {
	var out []string
	for _, tags := range lists {
		count := map[string]int{}
		for _, t := range tags {
			if count[t]++; count[t] == 2 {
				out = append(out, t)
			}
		}
	}
	return out
}

// summarise lists up to 8 labels for messages.
func summarise(labels []string) string {
	if len(labels) <= 8 {
		return fmt.Sprintf("%d labels: %s", len(labels), strings.Join(labels, ", "))
	}
	return fmt.Sprintf("%d labels: %s, ...", len(labels), strings.Join(labels[:8], ", "))
}

// intersect returns the values present in both ascending slices.
func intersect(a, b []int) []int {
	var out []int
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// imagesFolderError is the ImagesFolderError of a KindImagesFolder hint
// about the n listed images, counting the missing ones among probs.
func imagesFolderError(hint Problem, probs []Problem, n int) error {
	missing := 0
	for _, p := range probs {
		if p.Kind == KindMissing {
			missing++
		}
	}
	return &ImagesFolderError{Found: max(0, n-missing), Listed: n, Dir: hint.File}
}
