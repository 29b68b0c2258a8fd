package train

import (
	"context"
	"testing"
	"time"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/loader"
)

func TestDeadlineStopsAtAnEpochBoundary(t *testing.T) {
	tr, va := synthData(t)
	// Each epoch takes 200 ms more than its work, as on a machine that got
	// slower: six epochs cannot end within 700 ms.
	slow := Hooks{EpochEnd: func(bundle.Epoch, bool) { time.Sleep(200 * time.Millisecond) }}
	tests := []struct {
		name      string
		validated bool
		deadline  time.Duration
		wantStop  bool
	}{
		{"validated, late", true, 700 * time.Millisecond, true},
		{"refit-like, late", false, 700 * time.Millisecond, true},
		{"validated, in time", true, time.Hour, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := quickConfig()
			cfg.Epochs = 6
			data := Data{Train: tr, Preprocess: imageio.DefaultPreprocess(cfg.Size)}
			if tc.validated {
				data.Val = va
			} else {
				cfg.StopAfter = cfg.Epochs
			}
			if !tc.wantStop {
				cfg.Epochs = 2
			}
			cfg.Deadline = time.Now().Add(tc.deadline)
			res, err := Run(context.Background(), cfg, data, "", false, slow)
			if err != nil {
				t.Fatal(err)
			}
			ran := len(res.History)
			if res.OutOfTime != tc.wantStop {
				t.Fatalf("OutOfTime %v after %d epochs, want %v", res.OutOfTime, ran, tc.wantStop)
			}
			if !tc.wantStop {
				if ran != cfg.Epochs {
					t.Errorf("ran %d epochs of %d with time to spare", ran, cfg.Epochs)
				}
				return
			}
			if ran < 1 || ran >= cfg.Epochs {
				t.Fatalf("ran %d epochs of %d: want at least one and not all", ran, cfg.Epochs)
			}
			// The model kept is one of the epochs that ran, and a valid
			// network: it scores the validation images.
			if res.BestEpoch < 1 || res.BestEpoch > ran {
				t.Errorf("kept epoch %d of the %d that ran", res.BestEpoch, ran)
			}
			if !tc.validated && res.BestEpoch != ran {
				t.Errorf("without validation kept epoch %d, want the last, %d", res.BestEpoch, ran)
			}
			set, err := predictSet(res, va, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if set.Len() != len(va.Items) {
				t.Errorf("scored %d validation images, want %d", set.Len(), len(va.Items))
			}
		})
	}
}

func TestMeasureSpeed(t *testing.T) {
	tr, _ := synthData(t)
	cfg := quickConfig()
	p, err := MeasureSpeed(context.Background(), cfg, Data{Train: tr, Preprocess: imageio.DefaultPreprocess(24)}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Size != 24 || !(p.Step > 0) || !(p.Eval > 0) || !(p.Decode > 0) {
		t.Errorf("measured %+v: want size 24 and positive costs", p)
	}
	if p.Step > 1 {
		t.Errorf("a step of a tiny network takes %g s per image", p.Step)
	}
	cfg.Segment = true
	if _, err := MeasureSpeed(context.Background(), cfg, Data{Train: tr, Preprocess: imageio.DefaultPreprocess(24)}, 2); err == nil {
		t.Error("measured the segmentation route")
	}
}

// predictSet scores ds with the model of res.
func predictSet(res *Result, ds *dataset.Dataset, cfg Config) (*infer.Set, error) {
	l, err := loader.New(ds, loader.Config{Preprocess: imageio.DefaultPreprocess(cfg.Size), BatchSize: cfg.Batch})
	if err != nil {
		return nil, err
	}
	return Predict(context.Background(), res.Model, l, nil)
}
