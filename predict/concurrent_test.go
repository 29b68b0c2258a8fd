package predict

import (
	"fmt"
	"image"
	"reflect"
	"sync"
	"testing"

	"mlabel/imageio"
)

// TestConcurrentPredictionsEqualSerial predicts from many goroutines at
// once, whole images and tiles, with and without test-time augmentation,
// and checks every result equals the serial one (run it with -race).
func TestConcurrentPredictionsEqualSerial(t *testing.T) {
	for _, tc := range []struct {
		name string
		tta  bool
	}{
		{"plain", false},
		{"tta", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testPredictor(t)
			p.SetTTA(tc.tta)
			const calls = 8
			names := make([][]string, calls)
			imgs := make([][]image.Image, calls)
			for i := range calls {
				for k := range 1 + i%3 {
					names[i] = append(names[i], fmt.Sprintf("img%d_%d", i, k))
					imgs[i] = append(imgs[i], noise(40+k, 36, uint64(10*i+k)))
				}
			}
			type result struct {
				preds []Prediction
				tiled Prediction
			}
			run := func(i int) (result, error) {
				preds, err := p.Bytes(names[i], pngs(t, imgs[i]))
				if err != nil {
					return result{}, err
				}
				tiled, err := p.Tiled(names[i][0], imageio.ImageSource(imgs[i][0]), imageio.Grid{N: 2, Overlap: 0.25})
				return result{preds, tiled}, err
			}
			want := make([]result, calls)
			for i := range calls {
				r, err := run(i)
				if err != nil {
					t.Fatal(err)
				}
				want[i] = r
			}
			got := make([]result, calls)
			errs := make([]error, calls)
			var wg sync.WaitGroup
			for i := range calls {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i], errs[i] = run(i)
				}()
			}
			wg.Wait()
			for i := range calls {
				if errs[i] != nil {
					t.Fatalf("call %d: %v", i, errs[i])
				}
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("call %d: concurrent %+v, serial %+v", i, got[i], want[i])
				}
			}
		})
	}
}
