package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// outFlag registers --out, c's main output path, and the names it had
// before as hidden aliases that still work and warn on stderr that --out
// replaces them (stdout stays clean for --json).
func outFlag(c *cobra.Command, p *string, value, usage string, old ...string) {
	fs := c.Flags()
	fs.StringVar(p, "out", value, usage)
	for _, name := range old {
		fs.Var(&oldName{out: fs.Lookup("out").Value, c: c, name: name}, name, usage)
		fs.MarkHidden(name)
	}
}

// oldName is a deprecated name of a flag's value.
type oldName struct {
	out  pflag.Value
	c    *cobra.Command
	name string
}

func (o *oldName) Set(s string) error {
	fmt.Fprintf(o.c.ErrOrStderr(), "warning: --%s is the old name of --out and will go away\n", o.name)
	return o.out.Set(s)
}

func (o *oldName) String() string { return o.out.String() }
func (o *oldName) Type() string   { return o.out.Type() }
