package geo

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"html"
	"image/color"
	"maps"
	"math"
	"slices"

	"mlabel/atomicfile"
)

// ClassMap is a single-band raster of classes to write as a GeoTIFF.
type ClassMap struct {
	// W and H are its size, Pix its W×H classes row by row.
	W, H int
	Pix  []uint8
	// Georef places it: its CRS and the transform of its own pixels.
	Georef *Georef
	// Names names classes (Names[v] is class v's), written in the file's
	// GDAL metadata as CLASS_v.
	Names map[uint8]string
	// Palette, when it has 256 colours, is written as the TIFF's colour
	// map (a paletted image).
	Palette color.Palette
	// NoData, when set, is the class GIS software leaves transparent.
	NoData *uint8
}

// maxClassMapPixels bounds the class maps WriteClassMap writes.
const maxClassMapPixels = 1 << 30

// WriteClassMap writes m to path, atomically, as a deflate-compressed
// 8-bit GeoTIFF with m's georeferencing (ModelPixelScale and
// ModelTiepoint, or ModelTransformation for a rotated grid, and the CRS's
// EPSG code; pixels are areas), which GDAL and QGIS read.
func WriteClassMap(path string, m ClassMap) error {
	if m.W <= 0 || m.H <= 0 || int64(m.W)*int64(m.H) > maxClassMapPixels || len(m.Pix) != m.W*m.H {
		return fmt.Errorf("geo: cannot write %d classes as %d×%d pixels", len(m.Pix), m.W, m.H)
	}
	if m.Georef == nil {
		return fmt.Errorf("geo: %s: a class map without georeferencing", path)
	}
	if err := m.Georef.CRS.Check(); err != nil {
		return err
	}
	data, err := m.encode()
	if err != nil {
		return fmt.Errorf("geo: %s: %w", path, err)
	}
	return atomicfile.WriteBytes(path, data)
}

// tiffField is one IFD entry to write.
type tiffField struct {
	tag, typ uint16
	count    int
	data     []byte // little-endian values
}

func shorts(v ...uint16) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	return b
}

func longs(v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return b
}

func doubles(v ...float64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}

func ascii(s string) []byte { return append([]byte(s), 0) }

// encode lays out the file: header, strips, then the IFD and the values
// that do not fit in its entries.
func (m ClassMap) encode() ([]byte, error) {
	rows := max(1, min(m.H, 65536/m.W))
	var buf bytes.Buffer
	buf.Write([]byte("II*\x00\x00\x00\x00\x00"))
	var offsets, counts []uint32
	for y := 0; y < m.H; y += rows {
		start := buf.Len()
		zw := zlib.NewWriter(&buf)
		if _, err := zw.Write(m.Pix[y*m.W : min(m.H, y+rows)*m.W]); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		if buf.Len() > math.MaxUint32/2 {
			return nil, fmt.Errorf("a class map over %d bytes", math.MaxUint32/2)
		}
		offsets = append(offsets, uint32(start))
		counts = append(counts, uint32(buf.Len()-start))
	}
	fields := []tiffField{
		{256, 4, 1, longs(uint32(m.W))},
		{257, 4, 1, longs(uint32(m.H))},
		{258, 3, 1, shorts(8)},
		{259, 3, 1, shorts(8)}, // deflate
		{262, 3, 1, shorts(1)}, // min-is-black
		{273, 4, len(offsets), longs(offsets...)},
		{277, 3, 1, shorts(1)},
		{278, 4, 1, longs(uint32(rows))},
		{279, 4, len(counts), longs(counts...)},
		{284, 3, 1, shorts(1)},
		{339, 3, 1, shorts(1)},
	}
	if len(m.Palette) == 256 {
		fields[4].data = shorts(3) // palette
		cm := make([]uint16, 3*256)
		for i, c := range m.Palette {
			r, g, b, _ := c.RGBA()
			cm[i], cm[256+i], cm[512+i] = uint16(r), uint16(g), uint16(b)
		}
		fields = append(fields, tiffField{320, 3, len(cm), shorts(cm...)})
	}
	fields = append(fields, m.Georef.tiffFields()...)
	if len(m.Names) > 0 {
		md := gdalMetadata(m.Names)
		fields = append(fields, tiffField{TagGDALMetadata, 2, len(md), md})
	}
	if m.NoData != nil {
		nd := ascii(fmt.Sprint(*m.NoData))
		fields = append(fields, tiffField{TagGDALNoData, 2, len(nd), nd})
	}
	slices.SortFunc(fields, func(a, b tiffField) int { return int(a.tag) - int(b.tag) })
	return writeIFD(buf.Bytes(), fields), nil
}

// writeIFD appends the IFD of fields, and the values that do not fit in
// its entries, to the file so far (header first), and points the header
// at it.
func writeIFD(file []byte, fields []tiffField) []byte {
	if len(file)%2 == 1 {
		file = append(file, 0)
	}
	ifd := len(file)
	binary.LittleEndian.PutUint32(file[4:], uint32(ifd))
	extra := ifd + 2 + 12*len(fields) + 4
	var tail []byte
	file = binary.LittleEndian.AppendUint16(file, uint16(len(fields)))
	for _, f := range fields {
		file = binary.LittleEndian.AppendUint16(file, f.tag)
		file = binary.LittleEndian.AppendUint16(file, f.typ)
		file = binary.LittleEndian.AppendUint32(file, uint32(f.count))
		if len(f.data) <= 4 {
			var v [4]byte
			copy(v[:], f.data)
			file = append(file, v[:]...)
			continue
		}
		file = binary.LittleEndian.AppendUint32(file, uint32(extra+len(tail)))
		tail = append(tail, f.data...)
		if len(tail)%2 == 1 {
			tail = append(tail, 0)
		}
	}
	file = binary.LittleEndian.AppendUint32(file, 0) // no next IFD
	return append(file, tail...)
}

// tiffFields are the GeoTIFF tags of g: pixels as areas, the transform,
// and the CRS's EPSG code.
func (g *Georef) tiffFields() []tiffField {
	t := g.Transform
	var out []tiffField
	if t[2] == 0 && t[4] == 0 && t[1] > 0 && t[5] < 0 {
		out = append(out,
			tiffField{TagModelPixelScale, 12, 3, doubles(t[1], -t[5], 0)},
			tiffField{TagModelTiepoint, 12, 6, doubles(0, 0, 0, t[0], t[3], 0)})
	} else {
		mt := []float64{t[1], t[2], 0, t[0], t[4], t[5], 0, t[3], 0, 0, 0, 0, 0, 0, 0, 1}
		out = append(out, tiffField{TagModelTransform, 12, 16, doubles(mt...)})
	}
	keys := []uint16{1, 1, 0, 3, keyGTModelType, 0, 1, modelTypeProjected, keyGTRasterType, 0, 1, rasterTypePixelIsArea}
	if g.CRS.Geographic() {
		keys[7] = modelTypeGeographic
		keys = append(keys, keyGeographicType, 0, 1, uint16(g.CRS))
	} else {
		keys = append(keys, keyProjectedCSType, 0, 1, uint16(g.CRS))
	}
	return append(out, tiffField{TagGeoKeyDirectory, 3, len(keys), shorts(keys...)})
}

// gdalMetadata is the GDAL_METADATA XML naming classes.
func gdalMetadata(names map[uint8]string) []byte {
	var b bytes.Buffer
	b.WriteString("<GDALMetadata>\n")
	for _, v := range slices.Sorted(maps.Keys(names)) {
		fmt.Fprintf(&b, "  <Item name=\"CLASS_%d\">%s</Item>\n", v, html.EscapeString(names[v]))
	}
	b.WriteString("</GDALMetadata>")
	return ascii(b.String())
}
