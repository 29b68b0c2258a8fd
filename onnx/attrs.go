package onnx

import (
	"fmt"
	"slices"

	"mlabel/onnx/onnxpb"
)

// attrs gives typed access to a node's attributes and remembers which ones
// were read, so that an attribute no handler understood is reported rather
// than ignored.
type attrs struct {
	byName map[string]*onnxpb.AttributeProto
	used   map[string]bool
	err    error
}

func newAttrs(n *onnxpb.NodeProto) *attrs {
	a := &attrs{byName: map[string]*onnxpb.AttributeProto{}, used: map[string]bool{}}
	for _, at := range n.GetAttribute() {
		a.byName[at.GetName()] = at
	}
	return a
}

// get returns the attribute called name, checking its type.
func (a *attrs) get(name string, typ onnxpb.AttributeProto_AttributeType) *onnxpb.AttributeProto {
	at, ok := a.byName[name]
	if !ok {
		return nil
	}
	a.used[name] = true
	if at.GetRefAttrName() != "" {
		a.fail(fmt.Errorf("attribute %q refers to a function attribute", name))
		return nil
	}
	if at.GetType() != typ && at.GetType() != onnxpb.AttributeProto_UNDEFINED {
		a.fail(fmt.Errorf("attribute %q has type %s, want %s", name, at.GetType(), typ))
		return nil
	}
	return at
}

func (a *attrs) fail(err error) {
	if a.err == nil {
		a.err = err
	}
}

func (a *attrs) has(name string) bool {
	_, ok := a.byName[name]
	return ok
}

func (a *attrs) int(name string, def int) int {
	if at := a.get(name, onnxpb.AttributeProto_INT); at != nil {
		return int(at.GetI())
	}
	return def
}

func (a *attrs) float(name string, def float64) float64 {
	if at := a.get(name, onnxpb.AttributeProto_FLOAT); at != nil {
		return float64(at.GetF())
	}
	return def
}

func (a *attrs) str(name, def string) string {
	if at := a.get(name, onnxpb.AttributeProto_STRING); at != nil {
		return string(at.GetS())
	}
	return def
}

func (a *attrs) ints(name string, def []int) []int {
	at := a.get(name, onnxpb.AttributeProto_INTS)
	if at == nil {
		return def
	}
	out := make([]int, len(at.GetInts()))
	for i, v := range at.GetInts() {
		out[i] = int(v)
	}
	return out
}

func (a *attrs) tensor(name string) *onnxpb.TensorProto {
	if at := a.get(name, onnxpb.AttributeProto_TENSOR); at != nil {
		return at.GetT()
	}
	return nil
}

// ignore marks attributes that carry no meaning for inference.
func (a *attrs) ignore(names ...string) {
	for _, n := range names {
		if a.has(n) {
			a.used[n] = true
		}
	}
}

// check returns the first type error, or an error naming the attributes that
// no handler read.
func (a *attrs) check() error {
	if a.err != nil {
		return a.err
	}
	var unread []string
	for name := range a.byName {
		if !a.used[name] {
			unread = append(unread, name)
		}
	}
	if len(unread) > 0 {
		slices.Sort(unread)
		return fmt.Errorf("unsupported attribute %q", unread)
	}
	return nil
}
