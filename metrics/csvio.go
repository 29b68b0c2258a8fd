package metrics

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// TruthRow is one image of a truth file: its positive and unknown tags.
type TruthRow struct {
	// Image names the image; Tags and Unknown list its positive and
	// unknown labels; Line is its line in the file.
	Image   string
	Tags    []string
	Unknown []string
	Line    int
}

// ScoreTable is a parsed scores file: one score per label per image.
type ScoreTable struct {
	// Labels names the score columns; Images, Values and Lines hold one
	// entry per row of the file.
	Labels []string
	Images []string
	Values [][]float64
	Lines  []int
}

// Dataset is truth and scores matched by image name, in the scores' order.
type Dataset struct {
	// Labels names the columns; Images the rows; Truth, Scores and Mask
	// are indexed [sample][label].
	Labels []string
	Images []string
	Truth  [][]float64
	Scores [][]float64
	Mask   [][]bool
}

// newCSV returns a CSV reader that tolerates a varying number of fields.
func newCSV(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	return cr
}

// ReadTruth parses a truth file of lines "image,tags": tags are separated by
// spaces and "?tag" marks a tag as unknown. A header "image,tags" is
// optional. name is used in error messages.
func ReadTruth(r io.Reader, name string) ([]TruthRow, error) {
	cr := newCSV(r)
	var rows []TruthRow
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if first && len(rec) == 2 && strings.EqualFold(rec[0], "image") && strings.EqualFold(rec[1], "tags") {
			continue
		}
		if len(rec) != 2 || strings.TrimSpace(rec[0]) == "" {
			return nil, fmt.Errorf("%s:%d: want \"image,tags\", got %d fields", name, line, len(rec))
		}
		row := TruthRow{Image: strings.TrimSpace(rec[0]), Line: line}
		for _, tag := range strings.Fields(rec[1]) {
			if u, ok := strings.CutPrefix(tag, "?"); ok {
				row.Unknown = append(row.Unknown, u)
			} else {
				row.Tags = append(row.Tags, tag)
			}
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no images", name)
	}
	return rows, nil
}

// ReadScores parses a scores file with header "image,<label1>,<label2>,..."
// and one finite score per label on each line. name is used in errors.
func ReadScores(r io.Reader, name string) (*ScoreTable, error) {
	cr := newCSV(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", name, err)
	}
	if len(header) < 2 || !strings.EqualFold(header[0], "image") {
		return nil, fmt.Errorf("%s:1: header must be \"image,<label1>,...\"", name)
	}
	t := &ScoreTable{Labels: header[1:]}
	for j, l := range t.Labels {
		if strings.TrimSpace(l) == "" {
			return nil, fmt.Errorf("%s:1: label %d has an empty name", name, j+1)
		}
	}
	if err := uniqueNames(t.Labels, name+":1: label"); err != nil {
		return nil, err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, fmt.Errorf("%s:%d: %d fields, header has %d", name, line, len(rec), len(header))
		}
		vals := make([]float64, len(t.Labels))
		for j, f := range rec[1:] {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s:%d: score %q for label %q is not a finite number", name, line, f, t.Labels[j])
			}
			vals[j] = v
		}
		t.Images = append(t.Images, strings.TrimSpace(rec[0]))
		t.Values = append(t.Values, vals)
		t.Lines = append(t.Lines, line)
	}
	if len(t.Images) == 0 {
		return nil, fmt.Errorf("%s: no images", name)
	}
	return t, nil
}

// uniqueNames reports the first repeated name.
func uniqueNames(names []string, what string) error {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return fmt.Errorf("%s %q appears twice", what, n)
		}
		seen[n] = true
	}
	return nil
}

// Match pairs truth rows with score rows by image name. Every image must be
// in both files once, and every tag must be one of the scores' labels.
// truthName and scoresName are used in error messages.
func Match(truth []TruthRow, truthName string, scores *ScoreTable, scoresName string) (*Dataset, error) {
	col := make(map[string]int, len(scores.Labels))
	for j, l := range scores.Labels {
		col[l] = j
	}
	byImage := make(map[string]TruthRow, len(truth))
	for _, row := range truth {
		if prev, ok := byImage[row.Image]; ok {
			return nil, fmt.Errorf("%s:%d: image %q already listed on line %d", truthName, row.Line, row.Image, prev.Line)
		}
		byImage[row.Image] = row
	}
	d := &Dataset{Labels: scores.Labels, Images: scores.Images, Scores: scores.Values}
	seen := make(map[string]bool, len(scores.Images))
	for i, img := range scores.Images {
		if seen[img] {
			return nil, fmt.Errorf("%s:%d: image %q appears twice", scoresName, scores.Lines[i], img)
		}
		seen[img] = true
		row, ok := byImage[img]
		if !ok {
			return nil, fmt.Errorf("%s:%d: image %q is missing from %s", scoresName, scores.Lines[i], img, truthName)
		}
		t := make([]float64, len(col))
		m := make([]bool, len(col))
		for j := range m {
			m[j] = true
		}
		if err := setTags(row, truthName, col, t, m); err != nil {
			return nil, err
		}
		d.Truth = append(d.Truth, t)
		d.Mask = append(d.Mask, m)
	}
	for _, row := range truth {
		if !seen[row.Image] {
			return nil, fmt.Errorf("%s:%d: image %q is missing from %s", truthName, row.Line, row.Image, scoresName)
		}
	}
	return d, nil
}

// setTags fills one truth row and mask row from a truth file row.
func setTags(row TruthRow, truthName string, col map[string]int, t []float64, m []bool) error {
	for _, tag := range row.Tags {
		j, ok := col[tag]
		if !ok {
			return fmt.Errorf("%s:%d: unknown label %q", truthName, row.Line, tag)
		}
		t[j] = 1
	}
	for _, tag := range row.Unknown {
		j, ok := col[tag]
		if !ok {
			return fmt.Errorf("%s:%d: unknown label %q", truthName, row.Line, tag)
		}
		if t[j] == 1 {
			return fmt.Errorf("%s:%d: label %q is both a tag and unknown", truthName, row.Line, tag)
		}
		m[j] = false
	}
	return nil
}

// LoadFiles reads a truth file and a scores file and matches them.
func LoadFiles(truthPath, scoresPath string) (*Dataset, error) {
	tf, err := os.Open(truthPath)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer tf.Close()
	truth, err := ReadTruth(tf, truthPath)
	if err != nil {
		return nil, err
	}
	sf, err := os.Open(scoresPath)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer sf.Close()
	scores, err := ReadScores(sf, scoresPath)
	if err != nil {
		return nil, err
	}
	return Match(truth, truthPath, scores, scoresPath)
}
