package debpkg

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMissing runs a test that calls Missing in a child process, with and
// without CI=true: it skips naming the package, or fails naming it.
func TestMissing(t *testing.T) {
	if os.Getenv("DEBPKG_TEST_CHILD") == "1" {
		Missing(t, "some-package", errors.New("not found"))
		t.Fatal("Missing returned")
	}
	tests := []struct {
		ci       string
		wantFail bool
		want     string
	}{
		{"", false, "--- SKIP"},
		{"false", false, "--- SKIP"},
		{"true", true, "--- FAIL"},
	}
	for _, tc := range tests {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestMissing$", "-test.v")
			cmd.Env = append(os.Environ(), "DEBPKG_TEST_CHILD=1", "CI="+tc.ci)
			out, err := cmd.CombinedOutput()
			if (err != nil) != tc.wantFail {
				t.Errorf("child exit error %v, want failure %v:\n%s", err, tc.wantFail, out)
			}
			if s := string(out); !strings.Contains(s, tc.want) || !strings.Contains(s, "some-package") || strings.Contains(s, "Missing returned") {
				t.Errorf("child output does not show %q naming some-package:\n%s", tc.want, s)
			}
		})
	}
}
