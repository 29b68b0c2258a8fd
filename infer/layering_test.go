package infer

import (
	"bufio"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// moduleImports returns, for every package of the module rooted at root,
// the mlabel packages its non-test files import.
func moduleImports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(rel)
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		for _, im := range f.Imports {
			p, err := strconv.Unquote(im.Path.Value)
			if err != nil {
				return err
			}
			if dep, ok := strings.CutPrefix(p, "mlabel/"); ok && !slices.Contains(out[pkg], dep) {
				out[pkg] = append(out[pkg], dep)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// allowedImports reads the package table of ARCHITECTURE.md: package names
// and the packages each may import. A package that may import any package is
// left out.
func allowedImports(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(strings.Trim(sc.Text(), "|"), "|")
		if len(cells) != 3 || !strings.Contains(cells[0], "`") {
			continue
		}
		may := strings.TrimSpace(cells[2])
		if strings.HasPrefix(may, "any ") {
			continue
		}
		may = strings.TrimPrefix(may, "*only* ")
		may = strings.TrimSuffix(may, " and what they import")
		var deps []string
		if may != "nothing" {
			for _, d := range strings.Split(may, ",") {
				deps = append(deps, strings.TrimSpace(d))
			}
		}
		for _, p := range strings.Split(cells[0], ",") {
			out[strings.Trim(strings.TrimSpace(p), "`")] = deps
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// deps returns every mlabel package pkg depends on, directly or not.
func deps(graph map[string][]string, pkg string) map[string]bool {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(p string) {
		for _, d := range graph[p] {
			if !seen[d] {
				seen[d] = true
				visit(d)
			}
		}
	}
	visit(pkg)
	return seen
}

// TestLayering checks the import rules of ARCHITECTURE.md against the code:
// every package listed there imports only what its row allows, and the
// prediction side links no training package.
func TestLayering(t *testing.T) {
	graph := moduleImports(t, "..")
	allowed := allowedImports(t, filepath.Join("..", "ARCHITECTURE.md"))
	if len(allowed) < 20 {
		t.Fatalf("read %d packages from ARCHITECTURE.md, want its whole table", len(allowed))
	}
	for pkg, may := range allowed {
		imports, ok := graph[pkg]
		if !ok {
			t.Errorf("ARCHITECTURE.md lists %s, which has no Go files", pkg)
			continue
		}
		for _, d := range imports {
			if !slices.Contains(may, d) {
				t.Errorf("%s imports %s; ARCHITECTURE.md allows %v", pkg, d, may)
			}
		}
	}
	trainSide := []string{"train", "optim", "loss", "workflow", "compare", "transfer", "loader"}
	for _, pkg := range []string{"infer", "predict", "serve"} {
		d := deps(graph, pkg)
		for _, bad := range trainSide {
			if d[bad] {
				t.Errorf("%s depends on %s", pkg, bad)
			}
		}
	}
}
