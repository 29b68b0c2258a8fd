package main

import (
	"errors"

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
	return out
}
