package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// nextArgBool annotates the bool flags registered with boolFlag.
const nextArgBool = "mlabel-bool-next-arg"

// boolValue is a bool flag value that also accepts yes and no.
type boolValue bool

func (b *boolValue) Set(s string) error {
	v, ok := parseBoolWord(s)
	if !ok {
		return fmt.Errorf("want true, false, yes or no, got %q", s)
	}
	*b = boolValue(v)
	return nil
}

func (b *boolValue) String() string   { return strconv.FormatBool(bool(*b)) }
func (b *boolValue) Type() string     { return "bool" }
func (b *boolValue) IsBoolFlag() bool { return true }

// parseBoolWord reads true, false, yes, no (any case) and the forms
// strconv.ParseBool accepts.
func parseBoolWord(s string) (v, ok bool) {
	switch strings.ToLower(s) {
	case "yes", "y", "on":
		return true, true
	case "no", "n", "off":
		return false, true
	}
	v, err := strconv.ParseBool(s)
	return v, err == nil
}

// boolFlag registers a bool flag that is set by --name alone (true), by
// --name=V, and by --name V where V is true, false, yes or no as the next
// argument (see joinBoolArgs).
func boolFlag(fs *pflag.FlagSet, p *bool, name string, value bool, usage string) {
	*p = value
	f := fs.VarPF((*boolValue)(p), name, "", usage)
	f.NoOptDefVal = "true"
	f.Annotations = map[string][]string{nextArgBool: {"true"}}
}

// joinBoolArgs rewrites "--name V" as "--name=V" when --name is a flag of
// the command args run that was registered with boolFlag and V reads as a
// bool: pflag never gives a bool flag the next argument, so "--dihedral
// false" would otherwise mean true followed by a stray argument.
func joinBoolArgs(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == nil {
		return args
	}
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		name, ok := strings.CutPrefix(a, "--")
		if ok && !strings.Contains(name, "=") && i+1 < len(args) {
			f := cmd.Flags().Lookup(name)
			if f == nil {
				f = cmd.InheritedFlags().Lookup(name)
			}
			if _, word := parseBoolWord(args[i+1]); f != nil && f.Annotations[nextArgBool] != nil && word {
				out = append(out, a+"="+args[i+1])
				i++
				continue
			}
		}
		out = append(out, a)
	}
	return out
}
