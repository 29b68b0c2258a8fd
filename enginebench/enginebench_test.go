package enginebench

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRunSmall(t *testing.T) {
	r, err := Run(Config{Arch: "small", Size: 32, Batch: 2, Labels: 3, Steps: 1, Warmup: 1, Breakdown: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.TrainImgS <= 0 || r.InferImgS <= 0 || r.PeakRSSMB <= 0 || r.Threads <= 0 || r.Gemm == "" || r.GFLOPs <= 0 {
		t.Errorf("implausible result %+v", r)
	}
	if len(r.Ops) == 0 || r.Ops[0].Ms < r.Ops[len(r.Ops)-1].Ms {
		t.Errorf("breakdown %+v not sorted or empty", r.Ops)
	}
	b, _ := json.Marshal(r)
	for _, field := range []string{"arch", "size", "batch", "gemm", "threads", "train_img_s", "infer_img_s", "peak_rss_mb"} {
		if !strings.Contains(string(b), `"`+field+`":`) {
			t.Errorf("JSON %s lacks %q", b, field)
		}
	}
}

func TestRunErrors(t *testing.T) {
	tests := []Config{{Arch: "nope"}, {Size: -1}}
	for _, c := range tests {
		if _, err := Run(c); err == nil {
			t.Errorf("Run(%+v): no error", c)
		}
	}
}
