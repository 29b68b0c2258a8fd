// Package cli holds what mlabel's programs share on their command lines:
// usage errors and the exit codes errors call for, and the root command's
// settings.
//
// Exit codes: 0 on success, 1 on a runtime failure, 2 on a usage error.
package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// UsageError marks an error in how a program was called; it exits with 2.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Usagef returns a usage error with a formatted message.
func Usagef(format string, args ...any) error {
	return UsageError{fmt.Errorf(format, args...)}
}

// isUsage reports whether err is a usage error: a UsageError in its chain,
// or cobra's unknown command.
func isUsage(err error) bool {
	var ue UsageError
	return errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command")
}

// ExitCode prints err, if any, to w as "prog: err", then each of hints'
// hints for it as "prog: hint: hint" (hints may be nil), and returns the
// exit code it calls for: 0 without an error, 2 for a usage error, 1
// otherwise.
func ExitCode(prog string, err error, hints func(error) []string, w io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(w, prog+":", err)
	if hints != nil {
		for _, h := range hints(err) {
			fmt.Fprintln(w, prog+": hint:", h)
		}
	}
	if isUsage(err) {
		return 2
	}
	return 1
}

// NewRoot returns a program's root command: it prints neither its usage
// nor its errors (ExitCode prints them), and a flag error is a usage
// error that names the command and its help.
func NewRoot(use, short string) *cobra.Command {
	root := &cobra.Command{
		Use:           use,
		Short:         short,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return UsageError{fmt.Errorf("%s: %w (see '%s --help')", c.CommandPath(), err, c.CommandPath())}
	})
	return root
}
