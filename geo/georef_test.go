package geo

import (
	"bufio"
	"errors"
	"image"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// goldenRows reads a testdata file made by testdata/make.sh: rows of a
// file name and numbers.
func goldenRows(t *testing.T, name string) map[string][][]float64 {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][][]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 2 {
			t.Fatalf("%s: short line %q", name, sc.Text())
		}
		var row []float64
		for _, s := range fs[1:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			row = append(row, v)
		}
		out[fs[0]] = append(out[fs[0]], row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s is empty", name)
	}
	return out
}

func readGeoref(t *testing.T, name string) *Georef {
	t.Helper()
	g, err := ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestGeoTransformMatchesGDAL checks the CRS and transform read from each
// fixture against GDAL's.
func TestGeoTransformMatchesGDAL(t *testing.T) {
	for name, rows := range goldenRows(t, "geotransform.txt") {
		g := readGeoref(t, name)
		want := rows[0]
		if int(g.CRS) != int(want[0]) {
			t.Errorf("%s: CRS %v, want EPSG:%g", name, g.CRS, want[0])
		}
		for i, v := range g.Transform {
			if math.Abs(v-want[1+i]) > 1e-9*math.Max(1, math.Abs(v)) {
				t.Errorf("%s: transform %v, want %v", name, g.Transform, want[1:])
				break
			}
		}
		if g.Width != 64 || g.Height != 48 {
			t.Errorf("%s: size %dx%d, want 64x48", name, g.Width, g.Height)
		}
	}
	if !readGeoref(t, "point.tif").PixelIsPoint {
		t.Error("point.tif: PixelIsPoint not read")
	}
}

// TestGeoLonLatMatchesGDAL checks pixel → lon/lat against gdaltransform's
// outputs, within 1e-7 degrees.
func TestGeoLonLatMatchesGDAL(t *testing.T) {
	for name, rows := range goldenRows(t, "golden.txt") {
		g := readGeoref(t, name)
		for _, r := range rows {
			lon, lat := g.LonLat(r[0], r[1])
			if math.Abs(lon-r[2]) > 1e-7 || math.Abs(lat-r[3]) > 1e-7 {
				t.Errorf("%s (%g, %g): %.10f %.10f, gdaltransform %.10f %.10f", name, r[0], r[1], lon, lat, r[2], r[3])
			}
		}
	}
}

// TestGeoCRSMatchesGDAL checks CRS coordinates → lon/lat against
// gdaltransform's, within 1e-7 degrees, across and beyond UTM zones north
// and south (the antimeridian's zones 1 and 60 among them) and in Web
// Mercator.
func TestGeoCRSMatchesGDAL(t *testing.T) {
	n := 0
	for code, rows := range goldenRows(t, "crs.txt") {
		c, err := strconv.Atoi(code)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			lon, lat := CRS(c).ToLonLat(r[0], r[1])
			dl := math.Abs(lon - r[2])
			if math.Abs(lat) < 89.9 {
				dl = math.Min(dl, math.Abs(dl-360)) // the antimeridian
			} else {
				dl = 0 // any longitude at the pole
			}
			if dl > 1e-7 || math.Abs(lat-r[3]) > 1e-7 {
				t.Errorf("EPSG:%d (%g, %g): %.10f %.10f, gdaltransform %.10f %.10f", c, r[0], r[1], lon, lat, r[2], r[3])
			}
			n++
		}
	}
	if n < 40 {
		t.Errorf("%d points, want crs.txt's 40", n)
	}
}

// TestGeoLonLatLiveGDAL runs gdaltransform, where installed, on points
// of every fixture not in the golden file.
func TestGeoLonLatLiveGDAL(t *testing.T) {
	bin := needTool(t, "gdaltransform", "gdal-bin")
	for _, name := range []string{"utm37n.tif", "utm36s.tif", "point.tif", "wgs84.tif", "merc.tif", "rotated.tif"} {
		g := readGeoref(t, name)
		pts := [][2]float64{{1, 1}, {31.5, 17.25}, {50, 40}, {-200, 900}}
		var in strings.Builder
		for _, p := range pts {
			in.WriteString(strconv.FormatFloat(p[0], 'g', -1, 64) + " " + strconv.FormatFloat(p[1], 'g', -1, 64) + "\n")
		}
		cmd := exec.Command(bin, "-t_srs", "OGC:CRS84", filepath.Join("testdata", name))
		cmd.Stdin = strings.NewReader(in.String())
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("gdaltransform %s: %v", name, err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != len(pts) {
			t.Fatalf("gdaltransform %s: %d lines for %d points", name, len(lines), len(pts))
		}
		for i, l := range lines {
			fs := strings.Fields(l)
			wl, _ := strconv.ParseFloat(fs[0], 64)
			wp, _ := strconv.ParseFloat(fs[1], 64)
			lon, lat := g.LonLat(pts[i][0], pts[i][1])
			if math.Abs(lon-wl) > 1e-7 || math.Abs(lat-wp) > 1e-7 {
				t.Errorf("%s %v: %.10f %.10f, gdaltransform %.10f %.10f", name, pts[i], lon, lat, wl, wp)
			}
		}
	}
}

// needTool returns the path of a program from a Debian package, skipping
// the test when it is missing, or failing it under CI=true.
func needTool(t *testing.T, tool, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: install the Debian package %s", tool, pkg)
		}
		t.Skipf("%s is missing: install the Debian package %s", tool, pkg)
	}
	return p
}

// TestGeoAreaMatchesOGR checks each footprint's area against ogrinfo's,
// within 0.1%.
func TestGeoAreaMatchesOGR(t *testing.T) {
	for name, rows := range goldenRows(t, "area.txt") {
		g := readGeoref(t, name)
		got, want := g.RectArea(g.Bounds()), rows[0][0]
		if math.Abs(got-want) > 1e-3*want {
			t.Errorf("%s: area %.3f m², ogrinfo %.3f", name, got, want)
		}
	}
}

func TestGeoUnionArea(t *testing.T) {
	g := readGeoref(t, "utm37n.tif") // 10 m pixels
	for _, c := range []struct {
		rects []image.Rectangle
		want  float64
	}{
		{nil, 0},
		{[]image.Rectangle{image.Rect(0, 0, 10, 10)}, 100 * 100},
		{[]image.Rectangle{image.Rect(0, 0, 10, 10), image.Rect(5, 5, 15, 15)}, (200 - 25) * 100},
		{[]image.Rectangle{image.Rect(0, 0, 10, 10), image.Rect(2, 2, 4, 4)}, 100 * 100},
		{[]image.Rectangle{image.Rect(0, 0, 10, 10), image.Rect(20, 0, 30, 10)}, 200 * 100},
	} {
		if got := g.UnionArea(c.rects); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("UnionArea(%v) = %g, want %g", c.rects, got, c.want)
		}
	}
}

func TestGeoPixelSize(t *testing.T) {
	for _, c := range []struct {
		name string
		w, h float64
		tol  float64
	}{
		{"utm37n.tif", 10, 10, 1e-9},
		{"utm36s.tif", 20, 20, 1e-9},
		{"rotated.tif", 10, 10, 1e-9},
		{"wgs84.tif", 11.13, 11.06, 0.01},  // 0.0001° near the equator
		{"merc.tif", 4.9396, 4.9073, 1e-3}, // 5 m of Mercator at 9°N: 5·cos φ·N/a by 5·cos φ·M/a
	} {
		w, h := readGeoref(t, c.name).PixelSize()
		if math.Abs(w-c.w) > c.tol || math.Abs(h-c.h) > c.tol {
			t.Errorf("%s: pixel %.4f×%.4f m, want %g×%g", c.name, w, h, c.w, c.h)
		}
	}
}

func TestGeoNotGeoreferenced(t *testing.T) {
	for _, name := range []string{"plain.tif", "make.sh"} {
		if _, err := ReadFile(filepath.Join("testdata", name)); !errors.Is(err, ErrNotGeoreferenced) {
			t.Errorf("%s: %v, want ErrNotGeoreferenced", name, err)
		}
	}
}

func TestGeoCorruptKeys(t *testing.T) {
	_, err := ReadFile(filepath.Join("testdata", "badkeys.tif"))
	if err == nil || errors.Is(err, ErrNotGeoreferenced) || !strings.Contains(err.Error(), "corrupt GeoKeyDirectory") {
		t.Fatalf("badkeys.tif: %v, want a corrupt GeoKeyDirectory error", err)
	}
}

// TestGeoUTMRoundTrip checks the transverse Mercator series against
// each other across a zone and beyond it, north and south.
func TestGeoUTMRoundTrip(t *testing.T) {
	for _, c := range []CRS{utm(37, true), utm(36, false), utm(1, true), utm(60, false)} {
		lon0 := centralMeridian(int(c) % 100)
		for _, lat := range []float64{-79, -45, -10, -0.5, 0, 0.5, 9, 45, 83} {
			for _, dl := range []float64{-6, -3, -0.1, 0, 2.9, 5} {
				if (lat < 0) == (c > 32700) || lat == 0 {
					x, y := c.FromLonLat(lon0+dl, lat)
					lon, la := c.ToLonLat(x, y)
					if d := math.Abs(lon - lon0 - dl); math.Min(d, math.Abs(d-360)) > 1e-9 || math.Abs(la-lat) > 1e-9 {
						t.Errorf("%v: (%g, %g) → (%g, %g) → (%.12f, %.12f)", c, lon0+dl, lat, x, y, lon, la)
					}
				}
			}
		}
	}
}

func TestGeoCRSCheck(t *testing.T) {
	for _, c := range []struct {
		crs CRS
		ok  bool
	}{{4326, true}, {3857, true}, {32601, true}, {32660, true}, {32736, true}, {32600, false}, {32661, false}, {27700, false}, {0, false}} {
		if err := c.crs.Check(); (err == nil) != c.ok {
			t.Errorf("CRS(%d).Check() = %v, want ok %v", int(c.crs), err, c.ok)
		}
	}
}

func TestGeoDescribe(t *testing.T) {
	for _, c := range []struct {
		name string
		epsg int
		note string
	}{
		{"utm37n.tif", 32637, ""},
		{"plain.tif", 0, "not georeferenced"},
		{"badkeys.tif", 0, "corrupt GeoKeyDirectory"},
	} {
		info, err := Describe(filepath.Join("testdata", c.name))
		if err != nil {
			t.Fatal(err)
		}
		if info.EPSG != c.epsg || !strings.Contains(info.Note, c.note) || (c.note == "") != (info.Georef != nil) {
			t.Errorf("%s: EPSG %d, note %q; want %d, %q", c.name, info.EPSG, info.Note, c.epsg, c.note)
		}
		if info.Width != 64 || info.Height != 48 {
			t.Errorf("%s: %d×%d, want 64×48", c.name, info.Width, info.Height)
		}
	}
	if _, err := Describe(filepath.Join("testdata", "make.sh")); err == nil {
		t.Error("Describe of a script: no error")
	}
}

func TestGeoSurvey(t *testing.T) {
	var paths []string
	for _, n := range []string{"utm37n.tif", "redhalf.tif", "wgs84.tif", "plain.tif", "badkeys.tif", "make.sh"} {
		paths = append(paths, filepath.Join("testdata", n))
	}
	s := SurveyFiles(paths)
	if s.Images != 6 || s.ByCRS[utm(37, true)] != 2 || s.ByCRS[WGS84] != 1 || len(s.ByCRS) != 2 || len(s.Unreadable) != 1 {
		t.Fatalf("survey %+v", s)
	}
	lines := s.Lines()
	if len(lines) != 2 || lines[0] != "georeferenced: 3 of 6 images: 1 in EPSG:4326 (WGS 84), 2 in EPSG:32637 (WGS 84 / UTM zone 37N)" || !strings.Contains(lines[1], "badkeys.tif: georeferencing unreadable: ") {
		t.Errorf("lines %q", lines)
	}
	if l := SurveyFiles(paths[3:4]).Lines(); l != nil {
		t.Errorf("a set without georeferencing: %q, want no lines", l)
	}
}
