package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// An error prints with the program's name and its hints, and calls for
// exit code 2 when it is a usage error, wrapped or not, and 1 otherwise.
func TestExitCode(t *testing.T) {
	hints := func(err error) []string {
		if strings.Contains(err.Error(), "hinted") {
			return []string{"try this", "or that"}
		}
		return nil
	}
	for _, tc := range []struct {
		name  string
		err   error
		hints func(error) []string
		code  int
		out   string
	}{
		{"none", nil, hints, 0, ""},
		{"runtime", errors.New("disk full"), hints, 1, "prog: disk full\n"},
		{"usage", Usagef("--n must be positive, got %d", -1), hints, 2, "prog: --n must be positive, got -1\n"},
		{"wrapped usage", fmt.Errorf("reading: %w", UsageError{Err: errors.New("bad")}), nil, 2, "prog: reading: bad\n"},
		{"unknown command", errors.New(`unknown command "x" for "prog"`), nil, 2, "prog: unknown command \"x\" for \"prog\"\n"},
		{"hints", errors.New("hinted failure"), hints, 1, "prog: hinted failure\nprog: hint: try this\nprog: hint: or that\n"},
		{"no hint function", errors.New("hinted failure"), nil, 1, "prog: hinted failure\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w bytes.Buffer
			if code := ExitCode("prog", tc.err, tc.hints, &w); code != tc.code {
				t.Errorf("exit code %d, want %d", code, tc.code)
			}
			if w.String() != tc.out {
				t.Errorf("output %q, want %q", w.String(), tc.out)
			}
		})
	}
}

// A root command prints nothing itself, and a bad flag of a subcommand is
// a usage error that names the command and its help.
func TestNewRoot(t *testing.T) {
	root := NewRoot("prog", "does things")
	var n int
	sub := &cobra.Command{Use: "sub", RunE: func(*cobra.Command, []string) error { return nil }}
	sub.Flags().IntVar(&n, "n", 0, "a number")
	root.AddCommand(sub)
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sub", "--n", "3"}, 0, ""},
		{[]string{"sub", "--bogus"}, 2, "prog sub: unknown flag: --bogus (see 'prog sub --help')"},
		{[]string{"sub", "--n", "x"}, 2, "(see 'prog sub --help')"},
		{[]string{"other"}, 2, "unknown command"},
	} {
		out.Reset()
		root.SetArgs(tc.args)
		err := root.Execute()
		if out.Len() != 0 {
			t.Errorf("%v: the command printed %q", tc.args, out.String())
		}
		var w bytes.Buffer
		if code := ExitCode("prog", err, nil, &w); code != tc.code || !strings.Contains(w.String(), tc.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tc.args, code, w.String(), tc.code, tc.want)
		}
	}
}
