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

// rule is one row of ARCHITECTURE.md's package table: the packages a
// package may import and whether that bounds its whole dependency closure
// ("*only* ... and what they import") or its direct imports.
type rule struct {
	may     []string
	closure bool
	any     bool // "any package above": the command line
}

// allowedImports reads the package table of ARCHITECTURE.md: package names
// (a name ending in /* covers every package under that folder) and the
// rule of each.
func allowedImports(t *testing.T, path string) map[string]rule {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]rule{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(strings.Trim(sc.Text(), "|"), "|")
		if len(cells) != 3 || !strings.Contains(cells[0], "`") {
			continue
		}
		may := strings.TrimSpace(cells[2])
		var r rule
		switch {
		case strings.HasPrefix(may, "any "):
			r.any = true
		default:
			if m, ok := strings.CutPrefix(may, "*only* "); ok {
				may, r.closure = m, true
			}
			may = strings.TrimSuffix(may, " and what they import")
			if may != "nothing" {
				for _, d := range strings.Split(may, ",") {
					r.may = append(r.may, strings.TrimSpace(d))
				}
			}
		}
		for _, p := range strings.Split(cells[0], ",") {
			out[strings.Trim(strings.TrimSpace(p), "`")] = r
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// ruleOf returns the row of the table that covers pkg: its own, or that of
// the nearest folder listed as "folder/*".
func ruleOf(allowed map[string]rule, pkg string) (rule, bool) {
	if r, ok := allowed[pkg]; ok {
		return r, true
	}
	for dir := pkg; strings.Contains(dir, "/"); {
		dir = dir[:strings.LastIndex(dir, "/")]
		if r, ok := allowed[dir+"/*"]; ok {
			return r, true
		}
	}
	return rule{}, false
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

// TestLayering checks the import rules of ARCHITECTURE.md against the
// import graph of every package of the module: each package has a row (its
// own or its folder's), imports only what its row allows, and a row marked
// *only* bounds everything the package links, not just its own imports;
// the prediction side links no training package.
func TestLayering(t *testing.T) {
	graph := moduleImports(t, "..")
	allowed := allowedImports(t, filepath.Join("..", "ARCHITECTURE.md"))
	if len(allowed) < 20 {
		t.Fatalf("read %d packages from ARCHITECTURE.md, want its whole table", len(allowed))
	}
	for pkg := range allowed {
		if _, ok := graph[pkg]; !ok && !strings.HasSuffix(pkg, "/*") {
			t.Errorf("ARCHITECTURE.md lists %s, which has no Go files", pkg)
		}
	}
	for pkg, imports := range graph {
		r, ok := ruleOf(allowed, pkg)
		switch {
		case !ok:
			t.Errorf("%s has no row in ARCHITECTURE.md's package table", pkg)
			continue
		case r.any:
			continue
		}
		for _, d := range imports {
			if !slices.Contains(r.may, d) {
				t.Errorf("%s imports %s; ARCHITECTURE.md allows %v", pkg, d, r.may)
			}
		}
		if !r.closure {
			continue
		}
		reach := map[string]bool{}
		for _, m := range r.may {
			reach[m] = true
			for d := range deps(graph, m) {
				reach[d] = true
			}
		}
		for d := range deps(graph, pkg) {
			if !reach[d] {
				t.Errorf("%s links %s, outside %v and what they import", pkg, d, r.may)
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

// TestReadersLinkNoEngine checks that nothing that reads images, CSVs or
// scores links the engine or the model file: the model file sits on top of
// the packages whose types it stores (imageio, decide, metrics, shift), and
// the scored set (Set) sits below them, so that `go list -deps` of these
// packages holds no nn, gemm or bundle.
func TestReadersLinkNoEngine(t *testing.T) {
	graph := moduleImports(t, "..")
	for _, pkg := range []string{"imageio", "dataset", "metrics", "decide", "shift", "infer"} {
		if _, ok := graph[pkg]; !ok {
			t.Fatalf("no package %s", pkg)
		}
		for d := range deps(graph, pkg) {
			for _, bad := range []string{"nn", "gemm", "bundle"} {
				if d == bad || strings.HasPrefix(d, bad+"/") {
					t.Errorf("%s links %s", pkg, d)
				}
			}
		}
	}
	if d := deps(graph, "bundle"); !d["imageio"] || !d["decide"] || !d["metrics"] || !d["shift"] {
		t.Errorf("bundle does not import the owners of its header's types: it links %v", d)
	}
}
