// Package debpkg applies the project's rule for tests that need a Debian
// package: where the package is missing, the test skips and names it; under
// CI=true, where the test script installs every such package, it fails
// instead.
package debpkg

import (
	"os"
	"testing"
)

// CI reports whether the tests run under CI=true.
func CI() bool { return os.Getenv("CI") == "true" }

// Missing ends the test for want of Debian's package pkg, why being what
// showed it missing: a skip naming the package, or a failure under CI=true.
func Missing(t testing.TB, pkg string, why error) {
	t.Helper()
	if CI() {
		t.Fatalf("Debian's %s is missing (%v); under CI=true the test script installs it", pkg, why)
	}
	t.Skipf("Debian's %s is missing (%v): install it to run this test (./test.sh does)", pkg, why)
}
