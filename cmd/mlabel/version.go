package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"mlabel/gemm"
)

func init() { commands = append(commands, newVersionCmd) }

func newVersionCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "version",
		Short: "Print the version and the matrix-multiply backend in use",
		Args:  wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			initErr := gemm.Init()
			v := map[string]any{
				"version": moduleVersion(),
				"go":      runtime.Version(),
				"os_arch": runtime.GOOS + "/" + runtime.GOARCH,
				"cpus":    runtime.NumCPU(),
				"gemm":    gemm.Backend(),
				"detail":  gemm.Describe(),
			}
			if initErr != nil {
				v["gemm_error"] = initErr.Error()
			}
			if asJSON {
				return json.NewEncoder(c.OutOrStdout()).Encode(v)
			}
			out := c.OutOrStdout()
			fmt.Fprintf(out, "mlabel %s (%s, %s, %d CPUs)\n", v["version"], v["go"], v["os_arch"], v["cpus"])
			fmt.Fprintf(out, "gemm: %s\n", gemm.Describe())
			if initErr != nil {
				fmt.Fprintf(out, "gemm warning: %v\n", initErr)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return c
}

// moduleVersion returns the version recorded in the build information.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
	}
	return "dev"
}
