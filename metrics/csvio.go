package metrics

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"mlabel/dataset"
	"mlabel/infer"
)

// ScoreTable is a parsed scores file: one score per label per image.
type ScoreTable struct {
	// Labels names the score columns; Images, Values and Lines hold one
	// entry per row of the file.
	Labels []string
	Images []string
	Values [][]float64
	Lines  []int
}

// newCSV returns a CSV reader that tolerates a varying number of fields.
func newCSV(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	return cr
}

// ReadScores parses a scores file with header "image,<label1>,<label2>,..."
// and one score per label on each line, a probability within 0..1, the
// names as dataset.CSVField writes them. name is used in errors.
func ReadScores(r io.Reader, name string) (*ScoreTable, error) {
	cr := newCSV(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", name, err)
	}
	if len(header) < 2 || !strings.EqualFold(header[0], "image") {
		return nil, fmt.Errorf("%s:1: header must be \"image,<label1>,...\"", name)
	}
	t := &ScoreTable{Labels: make([]string, len(header)-1)}
	for j, l := range header[1:] {
		t.Labels[j] = dataset.PlainField(l)
	}
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
			if v < 0 || v > 1 {
				return nil, fmt.Errorf("%s:%d: score %q for label %q is outside 0..1: scores are probabilities, as predict --format scores writes them", name, line, f, t.Labels[j])
			}
			vals[j] = v
		}
		t.Images = append(t.Images, dataset.PlainField(strings.TrimSpace(rec[0])))
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

// match pairs the images of a truth set with the rows of a scores file and
// returns the scored set, in the scores' order. The truth set must have
// been read with the scores' labels as its vocabulary (see LoadFiles).
// Names match as written or, failing that, without their folders and image
// extensions: "a/b/x.jpg", "x.jpg" and "x" are the same image. Every image
// must be matched exactly once; a name that could be either of two images is
// an error naming both. scoresName is used in error messages.
func match(truth *dataset.Dataset, scores *ScoreTable, scoresName string) (*infer.Set, error) {
	if !slices.Equal(truth.Labels, scores.Labels) {
		return nil, fmt.Errorf("metrics: %s has labels %v, %s %v", truth.Source, truth.Labels, scoresName, scores.Labels)
	}
	exact := make(map[string]int, len(truth.Items))
	byKey := make(map[string][]int, len(truth.Items))
	for k, it := range truth.Items {
		if prev, ok := exact[it.Name]; ok {
			return nil, fmt.Errorf("%s: image %q already listed at %s", truth.Where(it), it.Name, truth.Where(truth.Items[prev]))
		}
		exact[it.Name] = k
		key := dataset.ImageKey(it.Name)
		byKey[key] = append(byKey[key], k)
	}
	d := &infer.Set{Labels: scores.Labels, Names: scores.Images, Scores: scores.Values}
	usedBy := make(map[int]int, len(scores.Images)) // truth item -> score row
	for i, img := range scores.Images {
		where := fmt.Sprintf("%s:%d", scoresName, scores.Lines[i])
		k, ok := exact[img]
		if !ok {
			cands := byKey[dataset.ImageKey(img)]
			switch len(cands) {
			case 0:
				return nil, fmt.Errorf("%s: image %q is missing from %s", where, img, truth.Source)
			case 1:
				k = cands[0]
			default:
				a, b := truth.Items[cands[0]], truth.Items[cands[1]]
				return nil, fmt.Errorf("%s: image %q could be %q (%s) or %q (%s)", where, img, a.Name, truth.Where(a), b.Name, truth.Where(b))
			}
		}
		if prev, dup := usedBy[k]; dup {
			it := truth.Items[k]
			return nil, fmt.Errorf("%s: image %q and %q on line %d are both %q (%s)", where, img, scores.Images[prev], scores.Lines[prev], it.Name, truth.Where(it))
		}
		usedBy[k] = i
		y, m := truth.Targets(truth.Items[k])
		t := make([]float64, len(y))
		mk := make([]bool, len(m))
		for j := range y {
			t[j], mk[j] = float64(y[j]), m[j] != 0
		}
		d.Truth = append(d.Truth, t)
		d.Mask = append(d.Mask, mk)
	}
	for k, it := range truth.Items {
		if _, ok := usedBy[k]; !ok {
			return nil, fmt.Errorf("%s: image %q is missing from %s", truth.Where(it), it.Name, scoresName)
		}
	}
	return d, nil
}

// LoadFiles reads a truth CSV and a scores file and matches them (see
// match). The truth CSV is read by the dataset reader, with the same
// columns, header, separators and ?tag rules as a training set, from truth
// (CSV and its reading options; the vocabulary and TagsOnly are set from
// the scores).
func LoadFiles(truth dataset.Options, scoresPath string) (*infer.Set, error) {
	sf, sr, err := dataset.OpenCSV(scoresPath)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer sf.Close()
	scores, err := ReadScores(sr, scoresPath)
	if err != nil {
		return nil, err
	}
	truth.Labels, truth.TagsOnly = scores.Labels, true
	ds, err := dataset.Load(truth)
	if err != nil {
		return nil, err
	}
	return match(ds, scores, scoresPath)
}
