// Package optim holds mlabel's optimizers, learning-rate schedules and
// gradient clipping. Optimizers follow PyTorch's update rules so that
// training recipes carry over; they work on the engine's named parameters
// and keep their state keyed by parameter name, so it can be saved in a
// checkpoint and restored to resume training.
package optim

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"mlabel/nn"
	"mlabel/tensor"
)

// Optimizer updates parameters from their gradients.
type Optimizer interface {
	// Step applies one update with learning rate lr to every parameter that
	// is not Frozen and has a gradient. Gradients are left as they are.
	Step(lr float64) error
	// State returns a copy of the optimizer's state.
	State() *State
	// LoadState replaces the optimizer's state with a copy of s, which must
	// come from an optimizer of the same kind over parameters of the same
	// names and shapes.
	LoadState(s *State) error
}

// State is the saveable state of an optimizer. Tensors are keyed
// "<param name>.<slot>", for example "conv1.weight.exp_avg".
type State struct {
	Kind    string                    // "sgd" or "adamw"
	Steps   int                       // number of Step calls made
	Tensors map[string]*tensor.Tensor // per-parameter slots
}

// base holds what every optimizer shares: the parameters by name, the step
// count and the per-parameter slot tensors.
type base struct {
	kind   string
	params []*nn.Param
	byName map[string]*nn.Param
	steps  int
	slots  map[string]*tensor.Tensor
}

func newBase(kind string, params []*nn.Param) (base, error) {
	b := base{kind: kind, byName: make(map[string]*nn.Param, len(params)), slots: map[string]*tensor.Tensor{}}
	for i, p := range params {
		if p == nil || p.Value == nil {
			return base{}, fmt.Errorf("optim %s: parameter %d has no value", kind, i)
		}
		if _, dup := b.byName[p.Name]; dup {
			return base{}, fmt.Errorf("optim %s: duplicate parameter name %q", kind, p.Name)
		}
		b.byName[p.Name] = p
	}
	b.params = params
	return b, nil
}

// trainable returns the parameters a step updates, after checking that each
// gradient fits its value.
func (b *base) trainable() ([]*nn.Param, error) {
	var out []*nn.Param
	for _, p := range b.params {
		if !active(p) {
			continue
		}
		if len(p.Grad.Data) != len(p.Value.Data) {
			return nil, fmt.Errorf("optim %s: parameter %q: gradient has %d values, parameter %d",
				b.kind, p.Name, len(p.Grad.Data), len(p.Value.Data))
		}
		out = append(out, p)
	}
	return out, nil
}

// active reports whether p takes part in a step: not Frozen, with a gradient.
func active(p *nn.Param) bool { return !p.Frozen && p.Grad != nil }

// slot returns the state tensor called name of p, and whether it existed;
// a missing one is created zeroed with p's shape.
func (b *base) slot(p *nn.Param, name string) (*tensor.Tensor, bool) {
	return b.slotShaped(p.Name+"."+name, p.Value.Shape)
}

// slot1 is slot for a scalar slot of one value, such as a step count.
func (b *base) slot1(p *nn.Param, name string) (*tensor.Tensor, bool) {
	return b.slotShaped(p.Name+"."+name, []int{1})
}

func (b *base) slotShaped(key string, shape []int) (*tensor.Tensor, bool) {
	if t, ok := b.slots[key]; ok {
		return t, true
	}
	t := tensor.New(shape...)
	b.slots[key] = t
	return t, false
}

// State implements Optimizer.
func (b *base) State() *State {
	s := &State{Kind: b.kind, Steps: b.steps, Tensors: make(map[string]*tensor.Tensor, len(b.slots))}
	for k, t := range b.slots {
		s.Tensors[k] = t.Clone()
	}
	return s
}

// loadState implements LoadState. slotNames lists the slots of this kind
// of optimizer; scalar slots hold one value whatever the parameter's shape.
func (b *base) loadState(s *State, slotNames []string, scalar map[string]bool) error {
	if s == nil {
		return fmt.Errorf("optim %s: nil state", b.kind)
	}
	if s.Kind != b.kind {
		return fmt.Errorf("optim %s: cannot load state of a %q optimizer", b.kind, s.Kind)
	}
	slots := make(map[string]*tensor.Tensor, len(s.Tensors))
	for _, k := range slices.Sorted(maps.Keys(s.Tensors)) {
		t := s.Tensors[k]
		p, slot, err := b.split(k, slotNames)
		if err != nil {
			return err
		}
		want := p.Value.Shape
		if scalar[slot] {
			want = []int{1}
		}
		if t == nil || !tensor.SameShape(t.Shape, want) || len(t.Data) != tensor.Size(want) {
			return fmt.Errorf("optim %s: state %q does not have shape %v", b.kind, k, want)
		}
		slots[k] = t.Clone()
	}
	b.slots, b.steps = slots, s.Steps
	return nil
}

// split parses a state key into its parameter and slot name.
func (b *base) split(key string, slotNames []string) (*nn.Param, string, error) {
	for _, s := range slotNames {
		name, ok := strings.CutSuffix(key, "."+s)
		if !ok {
			continue
		}
		if p, ok := b.byName[name]; ok {
			return p, s, nil
		}
		return nil, "", fmt.Errorf("optim %s: state %q names no parameter of this model", b.kind, key)
	}
	return nil, "", fmt.Errorf("optim %s: state %q has no known slot %v", b.kind, key, slotNames)
}
