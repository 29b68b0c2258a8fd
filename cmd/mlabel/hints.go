package main

import (
	"errors"
	"fmt"

	"mlabel/dataset"
	"mlabel/predict"
	"mlabel/shift"
)

// hints are the commands to suggest after an error: a package's error says
// what is wrong, and the command line says which mlabel command helps.
var hints = []struct {
	err  error
	hint string
}{
	{predict.ErrNotClassifier, "train a classifier with mlabel train"},
	{dataset.ErrMoreProblems, "mlabel data check lists every problem"},
	{shift.ErrNoReference, "a model trained with mlabel train stores its validation reference"},
}

// hintsFor returns the hints that apply to err.
func hintsFor(err error) []string {
	var out []string
	for _, h := range hints {
		if errors.Is(err, h.err) {
			out = append(out, h.hint)
		}
	}
	var se *dataset.SeparatorError
	if errors.As(err, &se) {
		out = append(out, sepHint(se.Sep))
	}
	var fe *dataset.ImagesFolderError
	if errors.As(err, &fe) && fe.Dir != "" {
		out = append(out, imagesHint(fe.Dir))
	}
	return out
}

// sepHint suggests the --sep flag for a separator.
func sepHint(sep rune) string {
	if sep == '\t' {
		return "give --sep tab"
	}
	return fmt.Sprintf("give --sep '%c'", sep)
}

// imagesHint suggests the --images flag for a folder.
func imagesHint(dir string) string {
	return "did you mean --images " + shellQuote(dir) + "?"
}
