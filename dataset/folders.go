package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// readFolders reads a folder-per-label dataset: root/<label>/<image>. An
// image file name present in several label folders gets all those labels.
func readFolders(o Options) ([]rawItem, []Problem, error) {
	entries, err := os.ReadDir(o.Folders)
	if err != nil {
		return nil, nil, fmt.Errorf("dataset: %w", err)
	}
	exts := o.extensions()
	var probs []Problem
	byName := map[string]int{}
	var items []rawItem
	for _, e := range entries {
		label := e.Name()
		if !e.IsDir() || strings.HasPrefix(label, ".") {
			continue
		}
		dir := filepath.Join(o.Folders, label)
		if !utf8.ValidString(label) {
			probs = append(probs, Problem{Severity: SevWarning, Kind: KindNonUTF8Name, Where: dir, Label: label,
				Message: fmt.Sprintf("label folder name %q is not valid UTF-8", label)})
		}
		files, err := os.ReadDir(dir)
		if err != nil {
			probs = append(probs, Problem{Severity: SevError, Kind: KindUnreadableEntry, Where: dir,
				Message: fmt.Sprintf("cannot list label folder: %v", err)})
			continue
		}
		for _, f := range files {
			name := f.Name()
			if f.IsDir() || strings.HasPrefix(name, ".") || !slices.Contains(exts, filepath.Ext(name)) {
				continue
			}
			i, seen := byName[name]
			if !seen {
				path := filepath.Join(dir, name)
				i = len(items)
				byName[name] = i
				items = append(items, rawItem{name: name, path: path, where: path})
				if !utf8.ValidString(name) {
					probs = append(probs, Problem{Severity: SevWarning, Kind: KindNonUTF8Name, Where: path, File: path,
						Message: fmt.Sprintf("image file name %q is not valid UTF-8", name)})
				}
			}
			items[i].pos = append(items[i].pos, label)
		}
	}
	return items, probs, nil
}
