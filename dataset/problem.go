package dataset

import (
	"errors"
	"fmt"
	"strconv"
)

// Severity of a Problem.
const (
	SevError   = "error"
	SevWarning = "warning"
	// SevHint explains other problems; it is neither an error nor a
	// warning.
	SevHint = "hint"
)

// Kinds of Problem.
const (
	KindRaggedRow       = "ragged_row"
	KindEmptyName       = "empty_name"
	KindUnknownLabel    = "unknown_label"
	KindConflict        = "conflicting_tag"
	KindMissing         = "missing_file"
	KindUndecodable     = "undecodable"
	KindTooLarge        = "too_large"
	KindEmptyFile       = "empty_file"
	KindDuplicate       = "duplicate"
	KindDuplicateImage  = "duplicate_content"
	KindNoTags          = "no_tags"
	KindRareLabel       = "rare_label"
	KindNonUTF8Name     = "non_utf8_name"
	KindUnusedLabel     = "unused_label"
	KindNoImages        = "no_images"
	KindUnreadableEntry = "unreadable_entry"
	KindRepeatedTag     = "repeated_tag"
)

// Problem is one finding about a dataset. File names are stored as read; use
// String for display, which quotes names that are not printable UTF-8.
type Problem struct {
	Severity string `json:"severity"`
	Kind     string `json:"kind"`
	// Where is "csv-file:line" for a CSV row, or the file or folder path.
	Where string `json:"where"`
	// Line is the CSV line, 0 when not from a CSV row.
	Line int `json:"line,omitempty"`
	// File is the image file concerned, when there is one.
	File string `json:"file,omitempty"`
	// Label is the label concerned, when there is one.
	Label   string `json:"label,omitempty"`
	Message string `json:"message"`
}

// String formats the problem as "where: severity: message".
func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s", quoteIfOdd(p.Where), p.Severity, p.Message)
}

// quoteIfOdd returns s unchanged when it is printable UTF-8, and Go-quoted
// otherwise, so that messages stay readable and safe to print.
func quoteIfOdd(s string) string {
	if strconv.CanBackquote(s) {
		return s
	}
	return strconv.Quote(s)
}

// errorsOf returns the problems of severity error.
func errorsOf(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if p.Severity == SevError {
			out = append(out, p)
		}
	}
	return out
}

// warningsOf returns the problems of severity warning.
func warningsOf(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if p.Severity == SevWarning {
			out = append(out, p)
		}
	}
	return out
}

// ErrMoreProblems is matched by a load error that lists only the first of
// its problems; Check reports every one.
var ErrMoreProblems = errors.New("dataset: more problems than listed")

// moreProblems is the last line of a load error that leaves problems out.
type moreProblems int

func (n moreProblems) Error() string        { return fmt.Sprintf("... and %d more", int(n)) }
func (n moreProblems) Is(target error) bool { return target == ErrMoreProblems }

// maxListed is how many problems an error message lists before summarising.
const maxListed = 10

// problemsError joins error problems into one error listing the first
// limit of them, or all of them when limit <= 0.
func problemsError(source string, ps []Problem, limit int) error {
	errs := []error{fmt.Errorf("dataset: %s: %d error(s)", quoteIfOdd(source), len(ps))}
	for i, p := range ps {
		if limit > 0 && i == limit {
			errs = append(errs, moreProblems(len(ps)-limit))
			break
		}
		errs = append(errs, errors.New(p.String()))
	}
	return errors.Join(errs...)
}
