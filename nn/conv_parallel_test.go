package nn

import (
	"math"
	"runtime"
	"testing"
)

// TestConvImagesInParallelMatchesSerial checks that convolutions whose
// batch is split among the cores, with the bias and activation applied chunk
// by chunk, give the results of one core, forward and backward.
func TestConvImagesInParallelMatchesSerial(t *testing.T) {
	shape := []int{6, 24, 24, 6} // at least minPartRows output pixels per core
	for _, a := range []Attrs{
		{Filters: 7, Kernel: [2]int{3, 3}, Pad: [4]int{1, 1, 1, 1}, Bias: true, Act: OpReLU},
		{Filters: 4, Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}, Bias: true},
		{Filters: 6, Kernel: [2]int{3, 3}, Groups: 2, Act: OpSiLU},
	} {
		run := func(procs int) (y, gx, gw []float32) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			y, gx, gw, _, _ = convRun(t, a, shape)
			return y, gx, gw
		}
		y1, gx1, gw1 := run(1)
		y2, gx2, gw2 := run(2)
		for name, p := range map[string][2][]float32{"output": {y1, y2}, "input grad": {gx1, gx2}, "weight grad": {gw1, gw2}} {
			for i := range p[0] {
				if d := math.Abs(float64(p[0][i] - p[1][i])); d > 1e-4*max(1, math.Abs(float64(p[0][i]))) {
					t.Fatalf("%+v: %s %d is %g on two cores, %g on one", a, name, i, p[1][i], p[0][i])
				}
			}
		}
	}
}
