package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each command names its main output --out; the old names still work,
// warn, and are left out of the help.
func TestOutFlagAndOldNames(t *testing.T) {
	dir := t.TempDir()
	model := trainQuick(t, dir)
	csvPath, images := demoData(t)
	tiny := filepath.Join(dir, "tiny.mlb")
	if code, _, stderr := runCLI(t, "import", "onnx", tinyCNN, "--out", tiny); code != 0 {
		t.Fatalf("import onnx: %s", stderr)
	}
	forward := []string{"forward", "--model", tiny, "--input", "../../onnx/testdata/tinycnn_input.npy"}
	eval := []string{"eval", "--model", model, "--csv", csvPath, "--images", images}
	lrFind := []string{"lr-find", "--csv", csvPath, "--images", images, "--arch", "small", "--width", "4", "--size", "32", "--batch", "16", "--steps", "4"}
	tests := []struct {
		name string
		args []string
		old  string
	}{
		{"forward", forward, "output"},
		{"eval", eval, "save"},
		{"lr-find", lrFind, "plot"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, flag := range []string{"out", tc.old} {
				path := filepath.Join(dir, tc.name+"-"+flag+".out")
				code, _, stderr := runCLI(t, append(tc.args, "--"+flag, path)...)
				if code != 0 {
					t.Fatalf("--%s: exit %d: %s", flag, code, stderr)
				}
				if st, err := os.Stat(path); err != nil || st.Size() == 0 {
					t.Errorf("--%s did not write %s: %v", flag, path, err)
				}
				warned := strings.Contains(stderr, "--"+tc.old+" is the old name of --out")
				if warned != (flag == tc.old) {
					t.Errorf("--%s: deprecation warning %v, stderr %q", flag, warned, stderr)
				}
			}
			_, help, _ := runCLI(t, tc.name, "--help")
			if !strings.Contains(help, "--out ") || strings.Contains(help, "--"+tc.old+" ") {
				t.Errorf("help should list --out and not --%s:\n%s", tc.old, help)
			}
		})
	}
}
