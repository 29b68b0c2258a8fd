package dataset

import "strings"

// formulaStarts are the first characters that make a spreadsheet read a
// CSV cell as a formula.
const formulaStarts = "=+-@\t\r"

// CSVField returns s as mlabel writes it into a CSV cell: with a leading
// apostrophe when it starts like a formula (=, +, -, @, tab or carriage
// return), so that a spreadsheet opening the file shows the text instead
// of running it. PlainField undoes it; mlabel's CSV readers apply
// PlainField to every name and tags field, so what it writes reads back.
func CSVField(s string) string {
	if s != "" && strings.ContainsRune(formulaStarts, rune(s[0])) {
		return "'" + s
	}
	return s
}

// PlainField returns a cell written by CSVField as it was: without the
// apostrophe before a formula's first character. Any other cell is left
// as it is.
func PlainField(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.ContainsRune(formulaStarts, rune(s[1])) {
		return s[1:]
	}
	return s
}
