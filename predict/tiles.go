package predict

import (
	"fmt"
	"image"
	"image/draw"
)

// Tiles cuts img into grid×grid tiles that overlap by the given fraction of a
// tile's side and together cover the whole image, in row order. They let a
// network trained on small views look at a large image in detail.
func Tiles(img image.Image, grid int, overlap float64) ([]image.Image, error) {
	if err := checkGrid(grid, overlap); err != nil {
		return nil, err
	}
	b := img.Bounds()
	tw := tileSide(b.Dx(), grid, overlap)
	th := tileSide(b.Dy(), grid, overlap)
	var out []image.Image
	for r := 0; r < grid; r++ {
		y := b.Min.Y + offset(b.Dy(), th, grid, r)
		for c := 0; c < grid; c++ {
			x := b.Min.X + offset(b.Dx(), tw, grid, c)
			out = append(out, crop(img, image.Rect(x, y, x+tw, y+th)))
		}
	}
	return out, nil
}

// checkGrid checks the parameters of Tiles.
func checkGrid(grid int, overlap float64) error {
	if grid < 1 || overlap < 0 || overlap >= 1 {
		return fmt.Errorf("predict: tiles need grid ≥ 1 and overlap in [0, 1), got %d and %g", grid, overlap)
	}
	return nil
}

// tileSide is the side of grid tiles overlapping by overlap that span n pixels.
func tileSide(n, grid int, overlap float64) int {
	s := float64(n) / (float64(grid) - float64(grid-1)*overlap)
	return max(1, min(n, int(s+0.5)))
}

// offset places tile i of grid so that the first starts at 0 and the last
// ends at n.
func offset(n, side, grid, i int) int {
	if grid == 1 {
		return (n - side) / 2
	}
	return i * (n - side) / (grid - 1)
}

// crop returns the part of img inside r.
func crop(img image.Image, r image.Rectangle) image.Image {
	if s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return s.SubImage(r)
	}
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(dst, dst.Bounds(), img, r.Min, draw.Src)
	return dst
}

// Tiled predicts a large image from its tiles: each label's score is the
// largest of its tiles' scores (max pooling over tiles, as in
// hypotheses-CNN-pooling), and the bundle's rule decides on those scores.
// Thresholds fitted on whole images tend to be low for max-pooled scores;
// fit them on tiled predictions of held-out images for best results.
func (p *Predictor) Tiled(name string, img image.Image, grid int, overlap float64) (Prediction, error) {
	pooled, err := p.tiledScores(img, grid, overlap)
	if err != nil {
		return Prediction{}, err
	}
	return decideWith(p.rules, p.b.Labels, []string{name}, [][]float64{pooled})[0], nil
}

// tiledScores returns the scores of img's tiles max-pooled per label.
func (p *Predictor) tiledScores(img image.Image, grid int, overlap float64) ([]float64, error) {
	tiles, err := Tiles(img, grid, overlap)
	if err != nil {
		return nil, err
	}
	xs := make([][]float32, len(tiles))
	for i, t := range tiles {
		xs[i] = p.pre.FromImage(t)
	}
	per, _, err := p.scoreArrays(xs)
	if err != nil {
		return nil, err
	}
	pooled := make([]float64, len(p.b.Labels))
	for j := range pooled {
		for _, s := range per {
			pooled[j] = max(pooled[j], s[j])
		}
	}
	return pooled, nil
}
