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

// packA copies the rows×kc block of op(A) at (0, 0) into dst as micro-panels
// of mr rows: panel q holds rows q·mr… in column order, mr values per column,
// with rows past the end filled with zeros.
func packA(dst []float32, a matrix, kc, rows, mr int) {
	for i0 := 0; i0 < rows; i0 += mr {
		h := min(mr, rows-i0)
		panel := dst[i0*kc : i0*kc+mr*kc]
		if a.trans {
			// Column p of op(A) is contiguous: row p of the stored A.
			for p := 0; p < kc; p++ {
				col := panel[p*mr : p*mr+mr]
				n := copy(col, a.data[p*a.ld+i0:p*a.ld+i0+h])
				clear(col[n:])
			}
			continue
		}
		for i := 0; i < h; i++ {
			row := a.data[(i0+i)*a.ld : (i0+i)*a.ld+kc]
			for p, v := range row {
				panel[p*mr+i] = v
			}
		}
		for i := h; i < mr; i++ {
			for p := 0; p < kc; p++ {
				panel[p*mr+i] = 0
			}
		}
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
		// Column j of op(B) is contiguous: row j of the stored B.
		for j := 0; j < w; j++ {
			col := b.data[(j0+j)*b.ld : (j0+j)*b.ld+kc]
			for p, v := range col {
				panel[p*nr+j] = v
			}
		}
		for j := w; j < nr; j++ {
			for p := 0; p < kc; p++ {
				panel[p*nr+j] = 0
			}
		}
	}
}
