package masks

import "image"

// ReducedSize returns the size of a w×h image reduced by the smallest
// whole factor f ≥ 1 whose result, each side rounded up, has at most
// maxPixels pixels.
func ReducedSize(w, h, maxPixels int) (rw, rh, f int) {
	f = 1
	for int64((w+f-1)/f)*int64((h+f-1)/f) > int64(maxPixels) {
		f++
	}
	return (w + f - 1) / f, (h + f - 1) / f, f
}

// Embed draws a class map onto a whole image reduced by the factor f to
// w×h (see ReducedSize). The map, cw×ch row by row, covers the rectangle
// seen of the image whose rectangle is bounds; it is scaled to seen's
// reduced size by nearest neighbour (see Mask.Resize) and pixels outside
// seen are Ignore.
func Embed(class []uint8, cw, ch int, seen, bounds image.Rectangle, w, h, f int) []uint8 {
	m := New(cw, ch, []string{"class"})
	copy(m.Data, class)
	x0, y0 := (seen.Min.X-bounds.Min.X)/f, (seen.Min.Y-bounds.Min.Y)/f
	sw, sh := min((seen.Dx()+f-1)/f, w-x0), min((seen.Dy()+f-1)/f, h-y0)
	r := m.Resize(sw, sh)
	out := make([]uint8, w*h)
	for i := range out {
		out[i] = Ignore
	}
	for y := range r.H {
		copy(out[(y0+y)*w+x0:(y0+y)*w+x0+r.W], r.Data[y*r.W:(y+1)*r.W])
	}
	return out
}
