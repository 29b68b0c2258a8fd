package mosaic

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// IDX magic numbers: unsigned bytes, 3 dimensions for images, 1 for labels.
const (
	idxImages = 0x00000803
	idxLabels = 0x00000801
)

// split is one split of a source data set, loaded in memory.
type split struct {
	source     string // Fashion or MNIST
	imagesFile string
	pixels     []byte // n images of Cell×Cell bytes, row-major
	labels     []byte // class index per image, 0..9
}

func (s *split) len() int { return len(s.labels) }

// image returns the pixels of image i.
func (s *split) image(i int) []byte { return s.pixels[i*Cell*Cell : (i+1)*Cell*Cell] }

// loadSplit reads a gzipped IDX images file and its labels file.
func loadSplit(source, imagesFile, labelsFile string) (*split, error) {
	pixels, n, err := readIDX(imagesFile, idxImages, []uint32{Cell, Cell})
	if err != nil {
		return nil, err
	}
	labels, m, err := readIDX(labelsFile, idxLabels, nil)
	if err != nil {
		return nil, err
	}
	if n != m {
		return nil, fmt.Errorf("mosaic: %s has %d images but %s has %d labels", imagesFile, n, labelsFile, m)
	}
	for i, l := range labels {
		if l >= numClasses {
			return nil, fmt.Errorf("mosaic: %s: label %d of item %d is not a class 0..9", labelsFile, l, i)
		}
	}
	return &split{source: source, imagesFile: imagesFile, pixels: pixels, labels: labels}, nil
}

// readIDX reads a gzipped IDX file of unsigned bytes with the given magic
// number and item dimensions, returning its data and number of items.
func readIDX(path string, magic uint32, dims []uint32) ([]byte, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("mosaic: %w", err)
	}
	defer f.Close()
	z, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, 0, fmt.Errorf("mosaic: %s is not gzip data: %w", path, err)
	}
	header := make([]uint32, 2+len(dims))
	if err := binary.Read(z, binary.BigEndian, header); err != nil {
		return nil, 0, fmt.Errorf("mosaic: %s: reading IDX header: %w", path, err)
	}
	if header[0] != magic {
		return nil, 0, fmt.Errorf("mosaic: %s: IDX magic %#08x, want %#08x", path, header[0], magic)
	}
	n, size := int(header[1]), 1
	for i, d := range dims {
		if header[2+i] != d {
			return nil, 0, fmt.Errorf("mosaic: %s: item dimensions %v, want %v", path, header[2:], dims)
		}
		size *= int(d)
	}
	const maxItems = 1 << 24
	if n > maxItems {
		return nil, 0, fmt.Errorf("mosaic: %s: %d items is implausibly many", path, n)
	}
	data := make([]byte, n*size)
	if _, err := io.ReadFull(z, data); err != nil {
		return nil, 0, fmt.Errorf("mosaic: %s: reading %d items: %w", path, n, err)
	}
	return data, n, nil
}
