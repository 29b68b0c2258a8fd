package detect

import (
	"image"

	"mlabel/tensor"
)

// placement maps network-input coordinates back to the original image: the
// image was scaled by (sx, sy) and placed at (ox, oy) of a netW×netH input.
type placement struct {
	netW, netH float64
	ox, oy     float64
	sx, sy     float64
	imgW, imgH float64
}

// toImage converts a box from network fractions (as decode leaves them in
// X0..Y1) to pixels of the original image, clipped to it.
func (p placement) toImage(b *Box) {
	conv := func(v, net, off, scale, limit float64) float64 {
		return min(max((v*net-off)/scale, 0), limit)
	}
	b.X0 = conv(b.X0, p.netW, p.ox, p.sx, p.imgW)
	b.X1 = conv(b.X1, p.netW, p.ox, p.sx, p.imgW)
	b.Y0 = conv(b.Y0, p.netH, p.oy, p.sy, p.imgH)
	b.Y1 = conv(b.Y1, p.netH, p.oy, p.sy, p.imgH)
}

// prepare scales img to a [1, netH, netW, 3] RGB tensor with values in
// [0, 1]. With letterbox the aspect ratio is kept and the rest filled with
// 0.5 grey, as Darknet does; otherwise the image is stretched.
func prepare(img image.Image, netW, netH int, letterbox bool) (*tensor.Tensor, placement) {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	p := placement{netW: float64(netW), netH: float64(netH), imgW: float64(w), imgH: float64(h)}
	nw, nh := netW, netH
	if letterbox {
		if float64(netW)/float64(w) < float64(netH)/float64(h) {
			nh = max(1, h*netW/w)
		} else {
			nw = max(1, w*netH/h)
		}
	}
	ox, oy := (netW-nw)/2, (netH-nh)/2
	p.ox, p.oy = float64(ox), float64(oy)
	p.sx, p.sy = float64(nw)/float64(w), float64(nh)/float64(h)
	x := tensor.New(1, netH, netW, 3)
	for i := range x.Data {
		x.Data[i] = 0.5
	}
	src := toRGB(img)
	resizeInto(src, w, h, x.Data, netW, ox, oy, nw, nh)
	return x, p
}

// toRGB returns img's pixels as rows of RGB values in [0, 1].
func toRGB(img image.Image) []float32 {
	r := img.Bounds()
	out := make([]float32, 0, r.Dx()*r.Dy()*3)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			out = append(out, float32(cr)/0xffff, float32(cg)/0xffff, float32(cb)/0xffff)
		}
	}
	return out
}

// resizeInto scales the w×h RGB image src bilinearly, with corners aligned
// as Darknet's resize does, to nw×nh and writes it at (ox, oy) of dst, an
// RGB image stride pixels wide.
func resizeInto(src []float32, w, h int, dst []float32, stride, ox, oy, nw, nh int) {
	scale := func(n, m int) float64 {
		if m <= 1 {
			return 0
		}
		return float64(n-1) / float64(m-1)
	}
	fx, fy := scale(w, nw), scale(h, nh)
	for y := range nh {
		sy := float64(y) * fy
		y0 := min(int(sy), h-1)
		y1 := min(y0+1, h-1)
		dy := float32(sy - float64(y0))
		for x := range nw {
			sx := float64(x) * fx
			x0 := min(int(sx), w-1)
			x1 := min(x0+1, w-1)
			dx := float32(sx - float64(x0))
			o := ((oy+y)*stride + ox + x) * 3
			for c := range 3 {
				a := src[(y0*w+x0)*3+c]*(1-dx) + src[(y0*w+x1)*3+c]*dx
				b := src[(y1*w+x0)*3+c]*(1-dx) + src[(y1*w+x1)*3+c]*dx
				dst[o+c] = a*(1-dy) + b*dy
			}
		}
	}
}
