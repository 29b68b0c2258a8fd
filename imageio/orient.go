package imageio

import (
	"image"
	"image/draw"
)

// Orient returns img transformed so that an image stored with the given EXIF
// orientation (1..8) is upright. Orientation 1 or an invalid value returns
// img unchanged.
func Orient(img image.Image, orientation int) image.Image {
	if orientation < 2 || orientation > 8 {
		return img
	}
	src := toRGBA(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if orientation >= 5 { // transposing orientations swap the sides
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			sx, sy := sourcePixel(orientation, x, y, w, h)
			so := sy*src.Stride + sx*4
			do := y*dst.Stride + x*4
			copy(dst.Pix[do:do+4], src.Pix[so:so+4])
		}
	}
	return dst
}

// sourcePixel maps the upright pixel (x, y) to the stored pixel for an EXIF
// orientation; w and h are the stored dimensions.
func sourcePixel(orientation, x, y, w, h int) (int, int) {
	switch orientation {
	case 2: // mirrored horizontally
		return w - 1 - x, y
	case 3: // rotated 180°
		return w - 1 - x, h - 1 - y
	case 4: // mirrored vertically
		return x, h - 1 - y
	case 5: // transposed
		return y, x
	case 6: // needs a 90° clockwise turn
		return y, h - 1 - x
	case 7: // transversed
		return w - 1 - y, h - 1 - x
	default: // 8: needs a 90° counter-clockwise turn
		return w - 1 - y, x
	}
}

// toRGBA returns img as an *image.RGBA whose bounds start at the origin.
func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok && r.Rect.Min == (image.Point{}) {
		return r
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, img, b.Min, draw.Src)
	return dst
}
