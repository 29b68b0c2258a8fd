// Package pretrained lists the pretrained networks a model can start from
// and finds their files where they lie on this machine: the COCO-trained
// tiny YOLO detectors shipped in the examples of the Go module
// gorgonia.org/gorgonia v0.9.18, which "go mod download" puts in the Go
// module cache. The module's code is never imported.
package pretrained

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"unicode"
)

// Start is a pretrained network to start from.
type Start struct {
	// Name is its short name, the bundle's name once imported.
	Name string
	// About says what it was trained for.
	About string
	// Format is the importer that reads it: "darknet" (a .cfg and a
	// .weights file).
	Format string
	// Module is the module@version holding its files.
	Module string
	// Files are the paths of its files inside the module, in the order
	// the importer takes them.
	Files []string
	// Cut is the cut point that did best in the project's transfer
	// benchmark, or "" when none was measured.
	Cut string
}

// Gorgonia is the module whose examples hold the tiny YOLO models.
const Gorgonia = "gorgonia.org/gorgonia@v0.9.18"

// Starts returns the known starting points.
func Starts() []Start {
	return []Start{
		{
			Name: "yolov3-tiny", About: "tiny YOLOv3 detector trained on COCO (80 classes), 416 px input",
			Format: "darknet", Module: Gorgonia, Cut: "leaky_12",
			Files: []string{"examples/tiny-yolo-v3-coco/data/yolov3-tiny.cfg", "examples/tiny-yolo-v3-coco/data/yolov3-tiny.weights"},
		},
		{
			Name: "yolov2-tiny", About: "tiny YOLOv2 detector trained on COCO (80 classes), 416 px input",
			Format: "darknet", Module: Gorgonia,
			Files: []string{"examples/tiny-yolo-v2-coco/model/yolov2-tiny.cfg", "examples/tiny-yolo-v2-coco/model/yolov2-tiny.weights"},
		},
	}
}

// ModuleCache returns the Go module cache: $GOMODCACHE, else what "go env
// GOMODCACHE" says, else the first $GOPATH entry's pkg/mod, else
// ~/go/pkg/mod. It returns "" when none can be told.
func ModuleCache() string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if c := strings.TrimSpace(string(out)); c != "" {
			return c
		}
	}
	if p := filepath.SplitList(os.Getenv("GOPATH")); len(p) > 0 && p[0] != "" {
		return filepath.Join(p[0], "pkg", "mod")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}

// moduleDir returns where module (path@version) lies in the module cache
// cache, its path escaped as the go command escapes it: each upper-case
// letter as "!" and its lower case.
func moduleDir(cache, module string) string {
	var b strings.Builder
	for _, r := range module {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return filepath.Join(cache, filepath.FromSlash(b.String()))
}

// Locate returns the paths of s's files under the module cache cache, and
// whether they are all there.
func (s Start) Locate(cache string) ([]string, bool) {
	dir := moduleDir(cache, s.Module)
	paths := make([]string, len(s.Files))
	found := true
	for i, f := range s.Files {
		paths[i] = filepath.Join(dir, filepath.FromSlash(f))
		if st, err := os.Stat(paths[i]); err != nil || st.IsDir() {
			found = false
		}
	}
	return paths, found
}
