package geo

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"maps"
	"os"
	"slices"
	"strings"

	"mlabel/imageio"
)

// Info describes an image file for a person: its size and bands, and where
// it lies when it is georeferenced.
type Info struct {
	Image  string `json:"image"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Bands  int    `json:"bands"`
	// Georef is nil when the image is not georeferenced or its
	// georeferencing cannot be read; Note then says why.
	Georef *Georef `json:"-"`
	Note   string  `json:"note,omitempty"`
	// What Georef gives, for JSON: the CRS's EPSG code and name, a
	// pixel's width and height in metres (see PixelSize), the GDAL
	// transform, the footprint's corners (longitude, latitude; top left
	// first, clockwise) and its area in square metres.
	EPSG         int          `json:"epsg,omitempty"`
	CRS          string       `json:"crs,omitempty"`
	PixelSize    []float64    `json:"pixel_size_m,omitempty"`
	Transform    []float64    `json:"geotransform,omitempty"`
	PixelIsPoint bool         `json:"pixel_is_point,omitempty"`
	Corners      [][2]float64 `json:"corners_lonlat,omitempty"`
	AreaM2       float64      `json:"area_m2,omitempty"`
}

// Describe reads an image file's header and georeferencing, without its
// pixels. Only a file that cannot be read or is not an image is an error;
// georeferencing that is missing or cannot be read is a Note.
func Describe(path string) (Info, error) {
	info := Info{Image: path}
	tt, err := imageio.ReadTIFFTagsFile(path)
	switch {
	case err == nil:
		info.Width, info.Height, info.Bands = tt.Width, tt.Height, tt.Bands
		g, err := fromTags(tt)
		if err != nil {
			info.Note = noteOf(err)
			return info, nil
		}
		info.setGeoref(g)
		return info, nil
	case !errors.Is(err, imageio.ErrNotTIFF):
		return info, err
	}
	f, err := os.Open(path)
	if err != nil {
		return info, fmt.Errorf("geo: %w", err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return info, fmt.Errorf("geo: %q: %w", path, err)
	}
	info.Width, info.Height, info.Bands = cfg.Width, cfg.Height, bandsOf(cfg.ColorModel)
	info.Note = noteOf(ErrNotGeoreferenced)
	return info, nil
}

// noteOf says why an image has no usable georeferencing.
func noteOf(err error) string {
	if errors.Is(err, ErrNotGeoreferenced) {
		return "not georeferenced: coordinates are image pixels"
	}
	return fmt.Sprintf("georeferencing unreadable (%v): coordinates are image pixels", err)
}

// bandsOf is the number of bands of a decoded image's colour model.
func bandsOf(m color.Model) int {
	switch m {
	case color.GrayModel, color.Gray16Model:
		return 1
	case color.RGBAModel, color.RGBA64Model, color.NRGBAModel, color.NRGBA64Model:
		return 4
	}
	return 3
}

// setGeoref sets the georeferencing and the fields it gives.
func (i *Info) setGeoref(g *Georef) {
	i.Georef = g
	i.EPSG, i.CRS = int(g.CRS), g.CRS.String()
	pw, ph := g.PixelSize()
	i.PixelSize = []float64{pw, ph}
	i.Transform = g.Transform[:]
	i.PixelIsPoint = g.PixelIsPoint
	c, area := g.Footprint()
	i.Corners, i.AreaM2 = c[:], area
}

// Footprint returns the image's corners in longitude and latitude, top
// left first and clockwise, and its area in square metres.
func (g *Georef) Footprint() ([4][2]float64, float64) {
	return g.Corners(), g.RectArea(g.Bounds())
}

// Report is the text a person reads about the image: one line per
// property.
func (i Info) Report() []string {
	lines := []string{
		fmt.Sprintf("size: %d×%d pixels, %d band%s", i.Width, i.Height, i.Bands, map[bool]string{true: "s"}[i.Bands != 1]),
	}
	if i.Georef == nil {
		return append(lines, "georeferencing: "+i.Note)
	}
	raster := "PixelIsArea"
	if i.PixelIsPoint {
		raster = "PixelIsPoint"
	}
	lines = append(lines,
		"crs: "+i.CRS,
		fmt.Sprintf("pixel size: %.4g × %.4g m", i.PixelSize[0], i.PixelSize[1]),
		fmt.Sprintf("origin: %.10g, %.10g (%s)", i.Transform[0], i.Transform[3], raster),
		fmt.Sprintf("area: %.6g ha", i.AreaM2/1e4),
	)
	for k, name := range []string{"top left", "top right", "bottom right", "bottom left"} {
		lines = append(lines, fmt.Sprintf("%s: lon %.7f, lat %.7f", name, i.Corners[k][0], i.Corners[k][1]))
	}
	return lines
}

// Survey counts the georeferencing of a set of images.
type Survey struct {
	// Images is the number of images surveyed.
	Images int
	// ByCRS counts the georeferenced images per CRS.
	ByCRS map[CRS]int
	// Unreadable names the images whose georeferencing cannot be read,
	// with why (an image that is not a GeoTIFF is not among them).
	Unreadable map[string]string
}

// SurveyFiles reads the georeferencing of image files, without their
// pixels.
func SurveyFiles(paths []string) Survey {
	s := Survey{Images: len(paths), ByCRS: map[CRS]int{}, Unreadable: map[string]string{}}
	for _, p := range paths {
		g, err := ReadFile(p)
		switch {
		case err == nil:
			s.ByCRS[g.CRS]++
		case !errors.Is(err, ErrNotGeoreferenced):
			s.Unreadable[p] = err.Error()
		}
	}
	return s
}

// Lines describes the survey for a person; none when no image is
// georeferenced or has unreadable georeferencing.
func (s Survey) Lines() []string {
	if len(s.ByCRS) == 0 && len(s.Unreadable) == 0 {
		return nil
	}
	n := 0
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(s.ByCRS)) {
		n += s.ByCRS[c]
		parts = append(parts, fmt.Sprintf("%d in %v", s.ByCRS[c], c))
	}
	lines := []string{fmt.Sprintf("georeferenced: %d of %d images", n, s.Images)}
	if len(parts) > 0 {
		lines[0] += ": " + strings.Join(parts, ", ")
	}
	for _, p := range slices.Sorted(maps.Keys(s.Unreadable)) {
		lines = append(lines, fmt.Sprintf("  %s: georeferencing unreadable: %s", p, s.Unreadable[p]))
	}
	return lines
}
