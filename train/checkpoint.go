package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"mlabel/bundle"
	"mlabel/optim"
	"mlabel/tensor"
)

// Name prefixes of the extra tensors a checkpoint holds beside the weights.
const (
	bestPrefix  = "best/"
	emaPrefix   = "ema/"
	optimPrefix = "optim%d/"
)

// ckptState is the training progress a checkpoint records.
type ckptState struct {
	Epoch     int     `json:"epoch"`
	BestEpoch int     `json:"best_epoch"`
	BestMAP   float64 `json:"best_map"`
	BadEpochs int     `json:"bad_epochs"`
	// EMASteps is the step count of the weight average (stored as tensors
	// under "ema/"); 0 when none.
	EMASteps int `json:"ema_steps,omitempty"`
	// Optim records each optimizer's kind and step count; the slots are
	// stored as tensors.
	Optim []optimMeta `json:"optim"`
}

type optimMeta struct {
	Kind  string `json:"kind"`
	Steps int    `json:"steps"`
}

// save writes the checkpoint atomically.
func (r *run) save(path string) error {
	w := map[string]*tensor.Tensor{}
	for k, v := range r.model.Weights() {
		w[k] = v
	}
	for k, v := range r.best {
		w[bestPrefix+k] = v
	}
	st := r.state
	if r.ema != nil {
		st.EMASteps = r.ema.steps
		for k, v := range r.ema.avg {
			w[emaPrefix+k] = v
		}
	}
	st.Optim = nil
	for i, o := range r.opts {
		s := o.State()
		st.Optim = append(st.Optim, optimMeta{Kind: s.Kind, Steps: s.Steps})
		for k, v := range s.Tensors {
			w[fmt.Sprintf(optimPrefix, i)+k] = v
		}
	}
	cfg, err := json.Marshal(r.cfg)
	if err != nil {
		return fmt.Errorf("train: checkpoint config: %w", err)
	}
	extra, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("train: checkpoint state: %w", err)
	}
	b := &bundle.Bundle{
		Header: bundle.Header{
			Kind: bundle.KindCheckpoint, Arch: r.cfg.Arch, Spec: r.spec, Labels: r.data.Train.Labels,
			Preprocess: r.data.Preprocess, Config: cfg, History: r.history, Extra: extra,
		},
		Weights: w,
	}
	if err := b.Save(path); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	return nil
}

// restore loads the checkpoint at path into the run. It returns false when
// there is no checkpoint, and an error when the checkpoint is damaged or was
// made by a different configuration or label set.
func (r *run) restore(path string) (bool, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	b, err := bundle.Load(path)
	if err != nil {
		return false, fmt.Errorf("train: resume: %w", err)
	}
	if b.Kind != bundle.KindCheckpoint {
		return false, fmt.Errorf("train: resume: %s is a %q bundle, not a checkpoint", path, b.Kind)
	}
	if !slices.Equal(b.Labels, r.data.Train.Labels) {
		return false, fmt.Errorf("train: resume: checkpoint %s has labels %v, the data has %v", path, b.Labels, r.data.Train.Labels)
	}
	var old Config
	if err := json.Unmarshal(b.Config, &old); err != nil {
		return false, fmt.Errorf("train: resume: checkpoint config: %w", err)
	}
	if diff := resumeConflict(old, r.cfg); diff != "" {
		if !r.cfg.ResumeChanged {
			return false, fmt.Errorf("train: resume: checkpoint %s was made with other settings (%s); give --force to continue with the new ones", path, diff)
		}
		r.log(fmt.Sprintf("resuming with changed settings: %s", diff))
	}
	var st ckptState
	if err := json.Unmarshal(b.Extra, &st); err != nil {
		return false, fmt.Errorf("train: resume: checkpoint state: %w", err)
	}
	if len(st.Optim) != len(r.opts) {
		return false, fmt.Errorf("train: resume: checkpoint has %d optimizers, the run has %d", len(st.Optim), len(r.opts))
	}
	cur, best, ema := map[string]*tensor.Tensor{}, map[string]*tensor.Tensor{}, map[string]*tensor.Tensor{}
	slots := make([]map[string]*tensor.Tensor, len(st.Optim))
	for i := range slots {
		slots[i] = map[string]*tensor.Tensor{}
	}
	for k, v := range b.Weights {
		switch {
		case strings.HasPrefix(k, bestPrefix):
			best[strings.TrimPrefix(k, bestPrefix)] = v
		case strings.HasPrefix(k, emaPrefix):
			ema[strings.TrimPrefix(k, emaPrefix)] = v
		case strings.HasPrefix(k, "optim"):
			var i int
			if _, err := fmt.Sscanf(k, optimPrefix, &i); err != nil || i < 0 || i >= len(slots) {
				return false, fmt.Errorf("train: resume: unexpected tensor %q in checkpoint", k)
			}
			slots[i][strings.TrimPrefix(k, fmt.Sprintf(optimPrefix, i))] = v
		default:
			cur[k] = v
		}
	}
	if err := r.model.SetWeights(cur); err != nil {
		return false, fmt.Errorf("train: resume: %w", err)
	}
	for i, o := range r.opts {
		s := &optim.State{Kind: st.Optim[i].Kind, Steps: st.Optim[i].Steps, Tensors: slots[i]}
		if err := o.LoadState(s); err != nil {
			return false, fmt.Errorf("train: resume: %w", err)
		}
	}
	if st.EMASteps > 0 {
		if len(ema) != len(cur) {
			return false, fmt.Errorf("train: resume: checkpoint %s has %d averaged weights for %d weights", path, len(ema), len(cur))
		}
		r.ema = newEMA(r.model.Weights(), r.cfg.EMA)
		if err := copyWeights(r.ema.avg, ema); err != nil {
			return false, fmt.Errorf("train: resume: weight average: %w", err)
		}
		r.ema.steps = st.EMASteps
	}
	r.best = best
	r.history = b.History
	r.state = st
	return true, nil
}

// resumeConflict names the settings that differ between the checkpoint's
// configuration a and the run's b, each as "name: old → new" under its
// JSON name, or returns "". The number of decoding workers does not count.
func resumeConflict(a, b Config) string {
	var ma, mb map[string]any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if json.Unmarshal(ja, &ma) != nil || json.Unmarshal(jb, &mb) != nil {
		return "configuration"
	}
	keys := make([]string, 0, len(ma)+len(mb))
	for k := range ma {
		keys = append(keys, k)
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var diffs []string
	for _, k := range keys {
		if k == "workers" {
			continue
		}
		va, _ := json.Marshal(ma[k])
		vb, _ := json.Marshal(mb[k])
		if string(va) != string(vb) {
			diffs = append(diffs, fmt.Sprintf("%s: %s → %s", k, va, vb))
		}
	}
	return strings.Join(diffs, "; ")
}

// cloneWeights returns a deep copy of w.
func cloneWeights(w map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	c := make(map[string]*tensor.Tensor, len(w))
	for k, v := range w {
		c[k] = v.Clone()
	}
	return c
}

// copyWeights copies src into dst, tensor by tensor of the same names and
// sizes.
func copyWeights(dst, src map[string]*tensor.Tensor) error {
	for k, d := range dst {
		s, ok := src[k]
		if !ok || len(s.Data) != len(d.Data) {
			return fmt.Errorf("tensor %q is missing or has another size", k)
		}
		copy(d.Data, s.Data)
	}
	return nil
}
