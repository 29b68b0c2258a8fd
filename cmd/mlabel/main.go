// Command mlabel trains, tunes, evaluates and serves multi-label image
// classifiers on a CPU, offline, as one binary.
//
// Exit codes: 0 on success, 1 on a runtime failure, 2 on a usage error.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"mlabel/cmd/internal/cli"
)

// usageError marks errors in how the command was called; they exit with 2.
type usageError = cli.UsageError

// usagef returns a usage error with a formatted message.
func usagef(format string, args ...any) error {
	return cli.Usagef(format, args...)
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

// exitCode prints err, if any, to w with its hints and returns the exit
// code it calls for.
func exitCode(err error, w io.Writer) int {
	return cli.ExitCode("mlabel", err, hintsFor, w)
}

func newRootCmd() *cobra.Command {
	root := cli.NewRoot("mlabel", "Multi-label image classification on a CPU")
	root.Long = "mlabel trains multi-label image classifiers (one sigmoid per label), fits per-class decision thresholds on held-out data, evaluates them honestly and predicts, offline, as one binary."
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
			return usageError{Err: fmt.Errorf("%s: %w", c.CommandPath(), err)}
		}
		return nil
	}
}
