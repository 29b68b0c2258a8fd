// Command mlabel trains, tunes, evaluates and serves multi-label image
// classifiers on a CPU, offline, as one binary.
//
// Exit codes: 0 on success, 1 on a runtime failure, 2 on a usage error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// usageError marks errors in how the command was called; they exit with 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usage error with a formatted message.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and returns the process exit code.
func run(args []string) int {
	return exitCode(execute(newRootCmd(), args), os.Stderr)
}

// execute runs the command line args on root.
func execute(root *cobra.Command, args []string) error {
	root.SetArgs(joinBoolArgs(root, args))
	return root.Execute()
}

// exitCode prints err, if any, to w and returns the exit code it calls for.
func exitCode(err error, w io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(w, "mlabel:", err)
	for _, h := range hintsFor(err) {
		fmt.Fprintln(w, "mlabel: hint:", h)
	}
	var ue usageError
	if errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command") {
		return 2
	}
	return 1
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "mlabel",
		Short:         "Multi-label image classification on a CPU",
		Long:          "mlabel trains multi-label image classifiers (one sigmoid per label), fits per-class decision thresholds on held-out data, evaluates them honestly and predicts, offline, as one binary.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%s: %w (see '%s --help')", c.CommandPath(), err, c.CommandPath())}
	})
	for _, add := range commands {
		root.AddCommand(add())
	}
	return root
}

// commands lists the constructors of the top-level subcommands; each file
// that defines a command adds itself here in an init function.
var commands []func() *cobra.Command

// exactArgs, minArgs and noArgs wrap cobra's argument checks so that their
// failures are usage errors.
func wrapArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := check(c, args); err != nil {
			return usageError{fmt.Errorf("%s: %w", c.CommandPath(), err)}
		}
		return nil
	}
}
