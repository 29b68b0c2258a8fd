package main

import (
	"strings"
	"testing"
)

// train --help shows the defaults the code uses: --view auto, and no
// default of its own for --dihedral, which only overrides --view.
func TestTrainHelpDefaults(t *testing.T) {
	code, out, stderr := runCLI(t, "train", "--help")
	if code != 0 {
		t.Fatalf("train --help: exit %d: %s", code, stderr)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.HasPrefix(f[0], "--") {
			lines[f[0]] = l
		}
	}
	tests := []struct {
		flag, want, wantNot string
	}{
		{"--view", `(default "auto")`, ""},
		{"--dihedral", "--view decides", "(default"},
	}
	for _, tc := range tests {
		l, ok := lines[tc.flag]
		if !ok {
			t.Errorf("no %s in train --help:\n%s", tc.flag, out)
			continue
		}
		if !strings.Contains(l, tc.want) || tc.wantNot != "" && strings.Contains(l, tc.wantNot) {
			t.Errorf("%s line %q: want %q in it and not %q", tc.flag, l, tc.want, tc.wantNot)
		}
	}
}

// audit --help shows its own default for the fold models' epochs, which
// the audit trains with when --epochs is not given.
func TestAuditHelpEpochs(t *testing.T) {
	code, out, stderr := runCLI(t, "audit", "--help")
	if code != 0 {
		t.Fatalf("audit --help: exit %d: %s", code, stderr)
	}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == "--epochs" {
			if want := "(default 20)"; !strings.Contains(l, want) {
				t.Errorf("--epochs line %q: want %q", l, want)
			}
			return
		}
	}
	t.Errorf("no --epochs in audit --help:\n%s", out)
}
