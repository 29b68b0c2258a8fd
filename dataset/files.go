package dataset

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ImageFiles expands paths into image files for prediction: a file is kept
// as given; a folder contributes the image files found under it
// (recursively, by extension, skipping hidden entries), in lexical order.
// exts are the accepted extensions; DefaultExtensions when nil.
func ImageFiles(paths []string, exts []string) ([]string, error) {
	if exts == nil {
		exts = DefaultExtensions
	}
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			hidden := path != p && strings.HasPrefix(d.Name(), ".")
			switch {
			case d.IsDir() && hidden:
				return filepath.SkipDir
			case !d.IsDir() && !hidden && slices.Contains(exts, filepath.Ext(path)):
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("dataset: listing %s: %w", quoteIfOdd(p), err)
		}
	}
	return out, nil
}

// Unlabelled returns a dataset of the given image files with no tags over
// the vocabulary labels, for batching images at prediction time.
func Unlabelled(files []string, labels []string) *Dataset {
	ds := &Dataset{Source: "command line", Labels: labels, Items: make([]Item, len(files))}
	for i, f := range files {
		ds.Items[i] = Item{Name: f, Path: f}
	}
	return ds
}
