package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// self is how to run this binary again, in the commands mlabel prints for
// its user to copy (see commandName).
var self = commandName(os.Args[0], exec.LookPath)

// commandName is the command that runs the binary started as arg0 again:
// under go run, whose binary is a temporary build, "go run ./cmd/mlabel";
// the base name when lookPath finds this binary under it; otherwise arg0,
// the path it was run by.
func commandName(arg0 string, lookPath func(string) (string, error)) string {
	if isGoRunBuild(arg0) {
		return "go run ./cmd/mlabel"
	}
	base := filepath.Base(arg0)
	if found, err := lookPath(base); err == nil && (base == arg0 || sameFile(found, arg0)) {
		return base
	}
	return shellQuote(arg0)
}

// isGoRunBuild reports whether path is a binary go run built: NAME in an
// exe folder of a go-build temporary folder.
func isGoRunBuild(path string) bool {
	p := filepath.ToSlash(path)
	return strings.Contains(p, "/go-build") && filepath.Base(filepath.Dir(path)) == "exe"
}

// sameFile reports whether the paths a and b name the same file.
func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}
