package predict

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"

	"mlabel/imageio"
)

// decodeTiled hashes one file and scores its tiles, read from the file as
// an imageio.Source without holding the image at full resolution as
// floats (nor, for a TIFF, at all): max-pooled scores, a segmenter's area
// fractions (see SegmentTiled). A
// file that cannot be read is reported in the result; the error is for a
// failing network.
func (p *Predictor) decodeTiled(path string, o BatchOptions) (fileResult, error) {
	src, hash, bad := openTiled(path, o, len(p.pre.Bands) > 0)
	if bad != nil {
		return fileResult{hash: hash, err: bad}, nil
	}
	defer src.Close()
	r := fileResult{hash: hash}
	if p.Segmenter() {
		st, err := p.stitch(src, o.grid())
		if err != nil {
			r.err = err
			return r, nil
		}
		r.scores = st.scores()
		return r, nil
	}
	xs, err := p.pre.TileInputs(src, o.grid())
	if err != nil {
		r.err = err
		return r, nil
	}
	r.scores, err = p.poolTiles(xs)
	return r, err
}

// tiledFile is an image file open as a Source.
type tiledFile struct {
	imageio.Source
	f *os.File
}

// Close closes the file.
func (t *tiledFile) Close() error { return t.f.Close() }

// openTiled opens and hashes an image file and opens it as a Source
// within the limits of o.Source (its raw bands when bands). bad says why
// it cannot be read; the hash is set once the file has been read.
func openTiled(path string, o BatchOptions, bands bool) (src *tiledFile, hash string, bad error) {
	if _, err := imageio.StatRegular(path); err != nil {
		return nil, "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		f.Close()
		return nil, "", err
	}
	hash = hex.EncodeToString(h.Sum(nil))
	so := o.Source
	so.Bands = bands
	s, err := imageio.OpenSource(path, f, size, so)
	if err != nil {
		f.Close()
		return nil, hash, err
	}
	return &tiledFile{Source: s, f: f}, hash, nil
}
