package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestBoolFlagTakesNextArgument(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    bool
		rest    []string // positional arguments left
		wantErr string
	}{
		{[]string{"x"}, true, nil, ""}, // the default
		{[]string{"x", "--dihedral"}, true, nil, ""},
		{[]string{"x", "--dihedral", "false"}, false, nil, ""},
		{[]string{"x", "--dihedral", "no"}, false, nil, ""},
		{[]string{"x", "--dihedral", "NO", "img.jpg"}, false, []string{"img.jpg"}, ""},
		{[]string{"x", "--dihedral", "yes"}, true, nil, ""},
		{[]string{"x", "--dihedral=false"}, false, nil, ""},
		{[]string{"x", "--dihedral=no"}, false, nil, ""},
		{[]string{"x", "--dihedral", "img.jpg"}, true, []string{"img.jpg"}, ""},
		{[]string{"x", "--dihedral", "--quiet", "false"}, true, []string{"false"}, ""}, // --quiet is a plain bool flag
		{[]string{"x", "--", "--dihedral", "false"}, true, []string{"--dihedral", "false"}, ""},
		{[]string{"x", "--dihedral=maybe"}, true, nil, "true, false, yes or no"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var got, quiet bool
			var rest []string
			root := &cobra.Command{Use: "r", SilenceErrors: true, SilenceUsage: true}
			x := &cobra.Command{Use: "x", RunE: func(c *cobra.Command, args []string) error { rest = args; return nil }}
			boolFlag(x.Flags(), &got, "dihedral", true, "")
			x.Flags().BoolVar(&quiet, "quiet", false, "")
			root.AddCommand(x)
			err := execute(root, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || !slices.Equal(rest, tc.rest) {
				t.Errorf("dihedral %v, arguments %q; want %v and %q", got, rest, tc.want, tc.rest)
			}
		})
	}
}

// train --dihedral false turns the augmentation off in the bundle's
// configuration; --dihedral alone turns it on.
func TestTrainDihedralFlag(t *testing.T) {
	csvPath, images := demoData(t)
	for _, tc := range []struct {
		flag []string
		want bool
	}{
		{[]string{"--dihedral", "false"}, false},
		{[]string{"--dihedral"}, true},
	} {
		model := t.TempDir() + "/m.mlb"
		args := append([]string{"train", "--csv", csvPath, "--images", images, "--out", model}, tc.flag...)
		args = append(args, quickTrainArgs...)
		args = append(args, "--epochs", "1")
		if code, _, stderr := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.flag, code, stderr)
		}
		code, out, stderr := runCLI(t, "inspect", "--json", model)
		if code != 0 {
			t.Fatalf("inspect: exit %d: %s", code, stderr)
		}
		if want := `"dihedral":` + map[bool]string{true: "true", false: "false"}[tc.want]; !strings.Contains(out, want) {
			t.Errorf("%v: bundle config lacks %s", tc.flag, want)
		}
	}
}
