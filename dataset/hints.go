package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Kinds of the problems that explain others.
const (
	// KindSuspiciousTag is a tag holding a separator (maize, from
	// "maize, water"): the tags field is probably split differently.
	KindSuspiciousTag = "suspicious_tag"
	// KindImagesFolder summarises missing images, with a guess at the
	// folder they are in (Problem.File) when one holds most of them.
	KindImagesFolder = "images_folder"
)

// SeparatorError is a CSV whose rows all have one field while its first
// line holds another separator, which the file is probably written with.
type SeparatorError struct {
	Path string
	// Sep is the separator the file seems to use.
	Sep rune
}

func (e *SeparatorError) Error() string {
	return fmt.Sprintf("dataset: %s: every row has a single field, and the first line holds %q: the fields seem separated by %q", quoteIfOdd(e.Path), e.Sep, e.Sep)
}

// ImagesFolderError is the last line of a load error with missing images:
// how many were found and, when one holds most of the missing ones, the
// folder that seems to hold them.
type ImagesFolderError struct {
	Found, Listed int
	// Dir is the folder that holds most of the missing images.
	Dir string
}

func (e *ImagesFolderError) Error() string {
	if e.Dir == "" {
		return fmt.Sprintf("%d of %d images found", e.Found, e.Listed)
	}
	return fmt.Sprintf("%d of %d images found; they seem to be in %s", e.Found, e.Listed, quoteIfOdd(e.Dir))
}

// separatorCandidates are the field separators a CSV is detected with.
var separatorCandidates = []rune{';', '\t', '|'}

// detectSeparator returns the separator a table read with comma seems to
// use instead, or 0: every row has one field and the first row holds a
// candidate, which splits it into at least two fields.
func detectSeparator(t *table) rune {
	if len(t.rows) == 0 {
		return 0
	}
	for _, r := range t.rows {
		if len(r) != 1 {
			return 0
		}
	}
	best, n := rune(0), 0
	for _, c := range separatorCandidates {
		if k := strings.Count(t.rows[0][0], string(c)); k > n {
			best, n = c, k
		}
	}
	return best
}

// suspicious is a tag holding a separator, with where it first appears and
// how often.
type suspicious struct {
	where, image string
	line, n      int
}

// tagSeparators are the characters that, inside a tag split at whitespace,
// suggest another tag separator.
const tagSeparators = ",;|"

// suspiciousTags reports, once per tag, tags holding a separator when tags
// are split at whitespace: "maize, water" gives the tag "maize,".
func suspiciousTags(raw []rawItem, o Options) []Problem {
	if o.TagSep != "" {
		return nil
	}
	seen := map[string]*suspicious{}
	var order []string
	for _, r := range raw {
		for _, t := range append(append([]string(nil), r.pos...), r.unk...) {
			if !strings.ContainsAny(t, tagSeparators) {
				continue
			}
			s := seen[t]
			if s == nil {
				s = &suspicious{where: r.where, image: r.name, line: r.line}
				seen[t] = s
				order = append(order, t)
			}
			s.n++
		}
	}
	var out []Problem
	for _, t := range order {
		s := seen[t]
		sep := string(t[strings.IndexAny(t, tagSeparators)])
		out = append(out, Problem{Severity: SevWarning, Kind: KindSuspiciousTag, Where: s.where, Line: s.line, Label: t,
			Message: fmt.Sprintf("tag %q holds %q (%d row(s), the first of image %q): tags are split at whitespace, so this is a label of its own; are they %q-separated?", t, sep, s.n, s.image, sep)})
	}
	return out
}

// guessImagesDir returns the folder near the CSV (its folder, that
// folder's parent, and their subfolders two levels down) in which the most
// of names resolve, when that is at least half of them; "" otherwise.
func guessImagesDir(csvPath, tried string, names []string, exts []string) string {
	const sample = 50
	if len(names) > sample {
		names = names[:sample]
	}
	base := filepath.Dir(csvPath)
	cands := map[string]bool{}
	var add func(dir string, depth int)
	add = func(dir string, depth int) {
		dir = filepath.Clean(dir)
		if cands[dir] {
			return
		}
		cands[dir] = true
		if depth == 0 {
			return
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for k, e := range entries {
			if k >= 200 {
				break
			}
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				add(filepath.Join(dir, e.Name()), depth-1)
			}
		}
	}
	add(base, 2)
	add(filepath.Dir(base), 1)
	delete(cands, filepath.Clean(tried))
	dirs := make([]string, 0, len(cands))
	for d := range cands {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	best, bestN := "", 0
	for _, d := range dirs {
		res := newResolver(d, exts)
		n := 0
		for _, name := range names {
			if _, ok := res.resolve(name); ok {
				n++
			}
		}
		if n > bestN {
			best, bestN = d, n
		}
	}
	if 2*bestN < len(names) {
		return ""
	}
	return best
}
