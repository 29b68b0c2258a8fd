package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Column names recognised when Options does not name the columns.
var (
	imageColumnNames = []string{"image", "image_name", "image_id", "file", "filename", "file_name", "path", "id", "name"}
	tagsColumnNames  = []string{"tags", "labels", "label", "tag", "classes"}
)

// table is a CSV file's rows with their line numbers.
type table struct {
	rows  [][]string
	lines []int
}

// readTable reads every row of a CSV file.
func readTable(path string, comma rune) (*table, error) {
	f, lr, err := OpenCSV(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(lr)
	if comma != 0 {
		r.Comma = comma
	}
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	t := &table{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("dataset: %s: %w", quoteIfOdd(path), err)
		}
		line, _ := r.FieldPos(0)
		if len(t.rows) == 0 && len(rec) > 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	return t, nil
}

// columnIndex returns the index of the first of names found in header,
// compared case-insensitively, or -1.
func columnIndex(header []string, names ...string) int {
	for _, n := range names {
		for i, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), n) {
				return i
			}
		}
	}
	return -1
}

// hasHeader decides whether the first row is a header.
func hasHeader(t *table, o Options, res *resolver) bool {
	switch o.Header {
	case HeaderYes:
		return true
	case HeaderNo:
		return false
	}
	if len(t.rows) == 0 {
		return false
	}
	first := t.rows[0]
	names := append([]string{o.ImageColumn, o.TagsColumn}, append(imageColumnNames, tagsColumnNames...)...)
	for _, n := range names {
		if n != "" && columnIndex(first, n) >= 0 {
			if _, ok := res.resolve(first[0]); !ok {
				return true
			}
		}
	}
	// No known column name: a header is a first row that names no image
	// while the second row does.
	if len(t.rows) < 2 {
		return false
	}
	_, firstOK := res.resolve(first[0])
	_, secondOK := res.resolve(t.rows[1][0])
	return !firstOK && secondOK
}

// columns returns the image and tags column indices and the row count every
// row must have.
func columns(t *table, o Options, header bool) (img, tags, width int, err error) {
	if !header {
		return 0, 1, max(commonWidth(t.rows), 2), nil
	}
	if len(t.rows) == 0 {
		return 0, 0, 0, fmt.Errorf("dataset: %s: the file is empty: no header row", quoteIfOdd(o.CSV))
	}
	h := t.rows[0]
	find := func(given string, common []string, fallback int) (int, error) {
		if given != "" {
			if i := columnIndex(h, given); i >= 0 {
				return i, nil
			}
			return -1, fmt.Errorf("dataset: %s:%d: no column %q in header %q", quoteIfOdd(o.CSV), t.lines[0], given, h)
		}
		if i := columnIndex(h, common...); i >= 0 {
			return i, nil
		}
		return fallback, nil
	}
	if img, err = find(o.ImageColumn, imageColumnNames, 0); err != nil {
		return 0, 0, 0, err
	}
	if tags, err = find(o.TagsColumn, tagsColumnNames, 1); err != nil {
		return 0, 0, 0, err
	}
	if img == tags || max(img, tags) >= len(h) {
		return 0, 0, 0, fmt.Errorf("dataset: %s:%d: header %q needs an image column and a tags column", quoteIfOdd(o.CSV), t.lines[0], h)
	}
	return img, tags, len(h), nil
}

// readCSV reads the rows of a tags CSV into raw items, with the problems
// found in individual rows.
func readCSV(o Options) ([]rawItem, []Problem, error) {
	t, err := readTable(o.CSV, o.Comma)
	if err != nil {
		return nil, nil, err
	}
	if o.Comma == 0 || o.Comma == ',' {
		if sep := detectSeparator(t); sep != 0 {
			return nil, nil, &SeparatorError{Path: o.CSV, Sep: sep}
		}
	}
	dir := o.Images
	if dir == "" {
		dir = filepath.Dir(o.CSV)
	}
	res := noFiles()
	if !o.TagsOnly {
		res = newResolver(dir, o.extensions())
	}
	header := hasHeader(t, o, res)
	imgCol, tagsCol, width, err := columns(t, o, header)
	if err != nil {
		return nil, nil, err
	}
	start := 0
	if header {
		start = 1
	}
	var items []rawItem
	var probs []Problem
	var missing []string
	for r := start; r < len(t.rows); r++ {
		row, line := t.rows[r], t.lines[r]
		where := fmt.Sprintf("%s:%d", o.CSV, line)
		problem := func(sev, kind, file, msg string) {
			probs = append(probs, Problem{Severity: sev, Kind: kind, Where: where, Line: line, File: file, Message: msg})
		}
		if len(row) != width {
			problem(SevError, KindRaggedRow, "", fmt.Sprintf("row has %d field(s), expected %d: %q", len(row), width, row))
			continue
		}
		name := PlainField(strings.TrimSpace(row[imgCol]))
		if name == "" {
			problem(SevError, KindEmptyName, "", "empty image name")
			continue
		}
		path, ok := res.resolve(name)
		if !utf8.ValidString(name) {
			problem(SevWarning, KindNonUTF8Name, path, fmt.Sprintf("image name %q is not valid UTF-8", name))
		}
		if !ok && !o.TagsOnly {
			problem(SevError, KindMissing, path, fmt.Sprintf("image %q not found in %q (tried as given and with the usual image extensions)", name, dir))
			missing = append(missing, name)
		}
		pos, unk := o.splitTags(PlainField(strings.TrimSpace(row[tagsCol])))
		items = append(items, rawItem{name: name, path: path, line: line, where: where, pos: pos, unk: unk})
	}
	if len(missing) > 0 {
		h := &ImagesFolderError{Found: len(items) - len(missing), Listed: len(items), Dir: guessImagesDir(o.CSV, dir, missing, o.extensions())}
		msg := fmt.Sprintf("%d of %d images found in %q", h.Found, h.Listed, dir)
		if h.Dir != "" {
			msg += fmt.Sprintf("; they seem to be in %q", h.Dir)
		}
		probs = append(probs, Problem{Severity: SevHint, Kind: KindImagesFolder, Where: o.CSV, File: h.Dir, Message: msg})
	}
	return items, probs, nil
}

// commonWidth returns the most common number of fields per row, the
// smallest on ties.
func commonWidth(rows [][]string) int {
	count := map[int]int{}
	best := 0
	for _, r := range rows {
		count[len(r)]++
	}
	for w, n := range count {
		if n > count[best] || (n == count[best] && w < best) {
			best = w
		}
	}
	return best
}
