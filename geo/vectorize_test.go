package geo

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// grid parses rows of '#' (value 1) and '.' (0).
func grid(rows ...string) ([]uint8, int, int) {
	var pix []uint8
	for _, r := range rows {
		for _, c := range r {
			pix = append(pix, map[bool]uint8{true: 1}[c == '#'])
		}
	}
	return pix, len(rows[0]), len(rows)
}

func TestVectorize(t *testing.T) {
	for _, c := range []struct {
		name  string
		rows  []string
		areas []float64 // each polygon's, in scan order of its first pixel
		holes []int
		verts []int // each outer ring's vertices, closed
	}{
		{"one pixel", []string{"...", ".#.", "..."}, []float64{1}, []int{0}, []int{5}},
		{"square with a hole", []string{"###", "#.#", "###"}, []float64{8}, []int{1}, []int{5}},
		{"corner touch", []string{"#.", ".#"}, []float64{1, 1}, []int{0, 0}, []int{5, 5}},
		{"L", []string{"#..", "#..", "###"}, []float64{5}, []int{0}, []int{7}},
		{"two holes", []string{"#####", "#.#.#", "#####"}, []float64{13}, []int{2}, []int{5}},
		{"hole touching the outside at a corner", []string{"###.", "#.#.", "##.#", "...."}, []float64{7, 1}, []int{1, 0}, []int{7, 5}},
		{"diagonal arms", []string{"##.", "#.#", ".##"}, []float64{3, 3}, []int{0, 0}, []int{7, 7}},
	} {
		pix, w, h := grid(c.rows...)
		polys, err := Vectorize(pix, w, h, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(polys) != len(c.areas) {
			t.Errorf("%s: %d polygons, want %d: %v", c.name, len(polys), len(c.areas), polys)
			continue
		}
		for i, p := range polys {
			if a := PolygonArea(p); a != c.areas[i] || len(p)-1 != c.holes[i] || len(p[0]) != c.verts[i] {
				t.Errorf("%s: polygon %d has area %g, %d holes, %d vertices; want %g, %d, %d: %v", c.name, i, a, len(p)-1, len(p[0]), c.areas[i], c.holes[i], c.verts[i], p)
			}
		}
	}
}

// The polygons of random masks cover exactly their pixels, whatever
// touches at a corner, and every ring is closed.
func TestVectorizeRandomAreas(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		w, h := 1+rng.IntN(12), 1+rng.IntN(12)
		pix := make([]uint8, w*h)
		n := 0
		for i := range pix {
			if rng.IntN(2) == 0 {
				pix[i] = 1
				n++
			}
		}
		polys, err := Vectorize(pix, w, h, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		total := 0.0
		for _, p := range polys {
			total += PolygonArea(p)
			for _, r := range p {
				if r[0] != r[len(r)-1] || len(r) < 5 {
					t.Fatalf("trial %d: ring %v not closed", trial, r)
				}
			}
		}
		if total != float64(n) {
			var b strings.Builder
			for y := range h {
				for x := range w {
					b.WriteByte(".#"[pix[y*w+x]])
				}
				b.WriteByte('\n')
			}
			t.Fatalf("trial %d: polygons cover %g pixels, the mask %d:\n%s", trial, total, n, b.String())
		}
	}
}

// Simplifying keeps a large region's area to within its boundary's
// length times the tolerance, and drops nothing that has area.
func TestVectorizeSimplify(t *testing.T) {
	w, h := 40, 40
	pix := make([]uint8, w*h)
	for y := range h {
		for x := range w {
			if dx, dy := x-20, y-20; dx*dx+dy*dy < 15*15 {
				pix[y*w+x] = 1
			}
		}
	}
	exact, _ := Vectorize(pix, w, h, 1, 0)
	simple, _ := Vectorize(pix, w, h, 1, 1)
	if len(exact) != 1 || len(simple) != 1 {
		t.Fatalf("%d and %d polygons, want 1", len(exact), len(simple))
	}
	if len(simple[0][0]) >= len(exact[0][0]) {
		t.Errorf("simplified ring has %d vertices, the exact one %d", len(simple[0][0]), len(exact[0][0]))
	}
	if a, b := PolygonArea(exact[0]), PolygonArea(simple[0]); b < 0.9*a || b > 1.1*a {
		t.Errorf("simplified area %g, exact %g", b, a)
	}
}

// blobs is a mask of overlapping disks, some of them cleared again (holes
// and bays), with a little noise.
func blobs(rng *rand.Rand) ([]uint8, int, int) {
	w, h := 30+rng.IntN(50), 30+rng.IntN(50)
	pix := make([]uint8, w*h)
	for k := range 12 {
		cx, cy, r := rng.IntN(w), rng.IntN(h), 2+rng.IntN(12)
		v := uint8(1)
		if k%3 == 2 {
			v = 0
		}
		for y := range h {
			for x := range w {
				if (x-cx)*(x-cx)+(y-cy)*(y-cy) < r*r {
					pix[y*w+x] = v
				}
			}
		}
	}
	for range w * h / 30 {
		pix[rng.IntN(w*h)] ^= 1
	}
	return pix, w, h
}

// GEOS, through ogrinfo, finds every polygon of random masks valid (OGC
// simple features) and of the area of its pixels.
func TestVectorizeValidOGR(t *testing.T) { testVectorizeValidOGR(t, 0) }

func TestVectorizeSimplifiedValidOGR(t *testing.T) { testVectorizeValidOGR(t, 1) }

func testVectorizeValidOGR(t *testing.T, tol float64) {
	ogrinfo := needTool(t, "ogrinfo", "gdal-bin")
	rng := rand.New(rand.NewPCG(5, 6))
	type feature struct {
		Type       string         `json:"type"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	var fs []feature
	total := 0.0
	for trial := range 60 {
		w, h := 4+rng.IntN(20), 4+rng.IntN(20)
		pix := make([]uint8, w*h)
		for i := range pix {
			pix[i] = uint8(rng.IntN(2))
		}
		if trial%2 == 1 {
			pix, w, h = blobs(rng)
		}
		polys, err := Vectorize(pix, w, h, 1, tol)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range polys {
			total += PolygonArea(p)
			fs = append(fs, feature{"Feature", map[string]any{"type": "Polygon", "coordinates": p}, map[string]any{}})
		}
	}
	path := filepath.Join(t.TempDir(), "polys.geojson")
	data, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": fs})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ogrinfo, "-ro", "-q", "-dialect", "SQLite", "-sql",
		"SELECT COUNT(*) AS n, SUM(ST_IsValid(geometry)) AS valid, SUM(ST_Area(geometry)) AS area FROM polys", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	for _, want := range []string{fmt.Sprintf("n (Integer) = %d", len(fs)), fmt.Sprintf("valid (Integer) = %d", len(fs)), fmt.Sprintf("area (Real) = %g", total)} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ogrinfo lacks %q:\n%s", want, out)
		}
	}
}

func TestSimple(t *testing.T) {
	sq := [][2]float64{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}
	for _, c := range []struct {
		name string
		p    Polygon
		want bool
	}{
		{"square", Polygon{sq}, true},
		{"square with a hole", Polygon{sq, {{1, 1}, {1, 2}, {2, 2}, {2, 1}, {1, 1}}}, true},
		{"bow tie", Polygon{{{0, 0}, {4, 4}, {4, 0}, {0, 4}, {0, 0}}}, false},
		{"hole crossing the shell", Polygon{sq, {{3, 1}, {3, 2}, {5, 2}, {5, 1}, {3, 1}}}, false},
		{"hole touching the shell", Polygon{sq, {{0, 1}, {1, 2}, {1, 1}, {0, 1}}}, false},
		{"folding back", Polygon{{{0, 0}, {4, 0}, {2, 0}, {2, 3}, {0, 0}}}, false},
	} {
		if got := simple(c.p); got != c.want {
			t.Errorf("%s: simple = %v, want %v", c.name, got, c.want)
		}
	}
}
