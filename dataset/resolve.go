package dataset

import (
	"os"
	"path/filepath"
	"strings"
)

// resolver finds image files from names given with or without extension.
type resolver struct {
	dir     string
	exts    []string
	listing map[string]bool // plain files in dir; nil when unreadable
	none    bool            // find nothing: names are kept as written
}

// noFiles returns a resolver that looks for no file.
func noFiles() *resolver { return &resolver{none: true} }

func newResolver(dir string, exts []string) *resolver {
	r := &resolver{dir: dir, exts: exts}
	if entries, err := os.ReadDir(dir); err == nil {
		r.listing = make(map[string]bool, len(entries))
		for _, e := range entries {
			if !e.IsDir() {
				r.listing[e.Name()] = true
			}
		}
	}
	return r
}

// resolve returns the path of the image called name, trying name as given
// and then with each extension. When nothing exists it returns the path as
// given and false.
func (r *resolver) resolve(name string) (string, bool) {
	if r.none {
		return name, false
	}
	given := name
	if !filepath.IsAbs(name) {
		given = filepath.Join(r.dir, name)
	}
	for _, cand := range append([]string{""}, r.exts...) {
		if r.exists(name+cand, given+cand) {
			return given + cand, true
		}
	}
	return given, false
}

func (r *resolver) exists(name, path string) bool {
	if r.listing != nil && !filepath.IsAbs(name) && !strings.ContainsAny(name, `/\`) {
		return r.listing[name]
	}
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}
