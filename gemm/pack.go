package gemm

// matrix is a row-major operand seen through an optional transpose:
// element (i, j) of op(X) is data[i*ld+j], or data[j*ld+i] when trans.
type matrix struct {
	data  []float32
	ld    int
	trans bool
}

// sub returns the view of op(X) whose element (0, 0) is (i, j).
func (x matrix) sub(i, j int) matrix {
	off := i*x.ld + j
	if x.trans {
		off = j*x.ld + i
	}
	return matrix{data: x.data[off:], ld: x.ld, trans: x.trans}
}

// packAPanel copies the h×kc panel of op(A) at (0, 0), h ≤ mr, into dst
// with zero rows below it up to mr, laid out for the kernel that reads A
// the way it is stored: mr values per step of k (steps kernel, stride mr)
// for a transposed A, or kc values per row (rows kernel, stride kc)
// otherwise. Both copy contiguous runs of the stored A.
func packAPanel(dst []float32, a matrix, kc, h, mr int) {
	dst = dst[:mr*kc]
	if !a.trans {
		for i := 0; i < h; i++ {
			copy(dst[i*kc:(i+1)*kc], a.data[i*a.ld:i*a.ld+kc])
		}
		clear(dst[h*kc:])
		return
	}
	for p := 0; p < kc; p++ {
		col := dst[p*mr : p*mr+mr]
		src := a.data[p*a.ld : p*a.ld+h]
		for i, v := range src {
			col[i] = v
		}
		clear(col[h:])
	}
}

// packB copies the kc×cols block of op(B) at (0, 0) into dst as micro-panels
// of nr columns: panel q holds columns q·nr… in row order, nr values per row,
// with columns past the end filled with zeros.
func packB(dst []float32, b matrix, kc, cols, nr int) {
	for j0 := 0; j0 < cols; j0 += nr {
		w := min(nr, cols-j0)
		panel := dst[j0*kc : j0*kc+nr*kc]
		if !b.trans {
			for p := 0; p < kc; p++ {
				row := panel[p*nr : p*nr+nr]
				n := copy(row, b.data[p*b.ld+j0:p*b.ld+j0+w])
				clear(row[n:])
			}
			continue
		}
		if w < nr {
			clear(panel)
		}
		transposeInto(panel, nr, b.sub(0, j0), kc, w)
	}
}

// transposeInto writes the w columns of the kc×w block of a transposed
// matrix b (column j is stored contiguously in row j) into dst as kc rows of
// stride nr: dst[p*nr+j] = op(b)(p, j). Four columns go at a time so that
// each store writes four adjacent values.
func transposeInto(dst []float32, nr int, b matrix, kc, w int) {
	j := 0
	for ; j+4 <= w; j += 4 {
		c0 := b.data[j*b.ld : j*b.ld+kc]
		c1 := b.data[(j+1)*b.ld:]
		c2 := b.data[(j+2)*b.ld:]
		c3 := b.data[(j+3)*b.ld:]
		c1, c2, c3 = c1[:len(c0)], c2[:len(c0)], c3[:len(c0)]
		for p, v := range c0 {
			d := dst[p*nr+j : p*nr+j+4 : p*nr+j+4]
			d[0], d[1], d[2], d[3] = v, c1[p], c2[p], c3[p]
		}
	}
	for ; j < w; j++ {
		col := b.data[j*b.ld : j*b.ld+kc]
		for p, v := range col {
			dst[p*nr+j] = v
		}
	}
}
