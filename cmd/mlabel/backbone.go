package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"mlabel/bundle"
	"mlabel/darknet"
	"mlabel/nn"
	"mlabel/pretrained"
)

func init() { commands = append(commands, newBackboneCmd) }

func newBackboneCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "backbone",
		Short: "List the pretrained networks a model can start from",
		Args:  wrapArgs(cobra.NoArgs),
	}
	c.AddCommand(newBackboneListCmd())
	return c
}

func newBackboneListCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list",
		Short: "List the pretrained starting points, where their files are and where each can be cut",
		Long: `List names each pretrained network train can start from (--backbone), where
its files lie on this machine (in the Go module cache, $(go env GOMODCACHE)),
the command that imports it as a bundle, and the nodes it can be cut at
(--backbone-at) with the feature map each gives at the network's input size.
A network not yet downloaded is listed with the go mod download command that
fetches it.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			starts := listStarts(pretrained.ModuleCache())
			if asJSON {
				return json.NewEncoder(c.OutOrStdout()).Encode(starts)
			}
			printStarts(c.OutOrStdout(), starts)
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the list as JSON")
	return c
}

// startInfo is one starting point as backbone list shows it.
type startInfo struct {
	Name      string        `json:"name"`
	About     string        `json:"about"`
	Format    string        `json:"format"`
	Module    string        `json:"module"`
	Files     []string      `json:"files"`
	Found     bool          `json:"found"`
	Best      string        `json:"best_cut,omitempty"`
	CutPoints []nn.CutPoint `json:"cut_points,omitempty"`
	Problem   string        `json:"problem,omitempty"`
}

// listStarts locates each starting point in the module cache cache and,
// when its files are there, reads its cut points.
func listStarts(cache string) []startInfo {
	var out []startInfo
	for _, s := range pretrained.Starts() {
		files, found := s.Locate(cache)
		info := startInfo{Name: s.Name, About: s.About, Format: s.Format, Module: s.Module, Files: files, Found: found, Best: s.Cut}
		if found {
			if cps, err := darknetCutPoints(files[0]); err != nil {
				info.Problem = err.Error()
			} else {
				info.CutPoints = cps
			}
		}
		out = append(out, info)
	}
	return out
}

// darknetCutPoints reads the cut points of the network a Darknet cfg
// describes.
func darknetCutPoints(cfg string) ([]nn.CutPoint, error) {
	f, err := os.Open(cfg)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	spec, _, _, err := darknet.Read(f, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg, err)
	}
	return nn.CutPoints(spec)
}

// printStarts prints the starting points for a person.
func printStarts(w io.Writer, starts []startInfo) {
	for i, s := range starts {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s: %s\n", s.Name, s.About)
		if !s.Found {
			fmt.Fprintf(w, "  not in the Go module cache yet; fetch it with: go mod download %s\n", s.Module)
			fmt.Fprintf(w, "  then its files are: %s\n", strings.Join(s.Files, "\n                     "))
			continue
		}
		fmt.Fprintf(w, "  files: %s\n", strings.Join(s.Files, "\n         "))
		quoted := make([]string, len(s.Files))
		for k, f := range s.Files {
			quoted[k] = shellQuote(f)
		}
		fmt.Fprintf(w, "  import: %s import %s %s --out %s.mlb\n", self, s.Format, strings.Join(quoted, " "), s.Name)
		if s.Problem != "" {
			fmt.Fprintf(w, "  cannot read its layers: %s\n", s.Problem)
			continue
		}
		printCuts(w, s.CutPoints, s.Best, "best in the transfer benchmark")
		if s.Best != "" {
			fmt.Fprintf(w, "  train: %s train ... --backbone %s.mlb --backbone-at %s --freeze-backbone\n", self, s.Name, s.Best)
		}
	}
}

// printCuts prints cut points, several to a line, with note by the one
// named mark.
func printCuts(w io.Writer, cps []nn.CutPoint, mark, note string) {
	fmt.Fprintln(w, "  cut points (--backbone-at), with the feature map each gives at the network's input size (H×W×C):")
	var line string
	for i, cp := range cps {
		item := fmt.Sprintf("%s %s", cp.Name, shapeText(cp.Shape))
		if cp.Name == mark {
			item += " (" + note + ")"
		}
		if i < len(cps)-1 {
			item += ","
		}
		if line != "" && len([]rune(line))+len([]rune(item)) > 96 {
			fmt.Fprintln(w, "    "+line)
			line = ""
		}
		line = strings.TrimSpace(line + " " + item)
	}
	fmt.Fprintln(w, "    "+line)
}

// shapeText writes a shape as H×W×C.
func shapeText(sh []int) string {
	parts := make([]string, len(sh))
	for i, d := range sh {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "×")
}

// printBundleCuts prints where a backbone or detector bundle can be cut.
func printBundleCuts(w io.Writer, b *bundle.Bundle) {
	if b.Kind != bundle.KindBackbone && b.Kind != bundle.KindDetector {
		return
	}
	cps, err := nn.CutPoints(b.Spec)
	if err != nil {
		fmt.Fprintf(w, "cut points: %v\n", err)
		return
	}
	def := ""
	if at, err := nn.LastFeatureMap(b.Spec); err == nil {
		def = at
	}
	printCuts(w, cps, def, "the default")
}
