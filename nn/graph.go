package nn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Validate checks that s is a well-formed graph: every op is known, names
// are unique and non-empty, every input names an earlier node, the number of
// inputs fits the op, there is exactly one input node with a [H, W, C]
// shape, and every output names a node.
func (s *Spec) Validate() error {
	if s == nil {
		return errors.New("nn: nil spec")
	}
	if len(s.Nodes) == 0 {
		return errors.New("nn: spec has no nodes")
	}
	seen := make(map[string]bool, len(s.Nodes))
	inputs := 0
	for i, n := range s.Nodes {
		if n.Name == "" {
			return fmt.Errorf("nn: node %d (%s) has no name", i, n.Op)
		}
		if seen[n.Name] {
			return fmt.Errorf("nn: duplicate node name %q", n.Name)
		}
		info, ok := ops[n.Op]
		if !ok {
			return fmt.Errorf("nn: node %q: unknown op %q", n.Name, n.Op)
		}
		if len(n.Inputs) < info.minIn || (info.maxIn >= 0 && len(n.Inputs) > info.maxIn) {
			return fmt.Errorf("nn: node %q (%s) has %d inputs, want %s", n.Name, n.Op, len(n.Inputs), arityText(info.minIn, info.maxIn))
		}
		for _, in := range n.Inputs {
			if !seen[in] {
				return fmt.Errorf("nn: node %q: input %q is not an earlier node", n.Name, in)
			}
		}
		if n.Op == OpInput {
			inputs++
			if err := checkInputShape(n); err != nil {
				return err
			}
		}
		seen[n.Name] = true
	}
	if inputs != 1 {
		return fmt.Errorf("nn: spec has %d input nodes, want 1", inputs)
	}
	if len(s.Outputs) == 0 {
		return errors.New("nn: spec has no outputs")
	}
	for _, o := range s.Outputs {
		if !seen[o] {
			return fmt.Errorf("nn: output %q is not a node", o)
		}
	}
	return nil
}

func checkInputShape(n Node) error {
	sh := n.Attrs.Shape
	if len(sh) != 3 || sh[0] <= 0 || sh[1] <= 0 || sh[2] <= 0 {
		return fmt.Errorf("nn: input node %q: shape %v, want positive [H, W, C]", n.Name, sh)
	}
	return nil
}

// arityText says how many inputs an op takes, for an error message.
func arityText(lo, hi int) string {
	switch {
	case hi < 0:
		return fmt.Sprintf("at least %d", lo)
	case lo == hi:
		return fmt.Sprint(lo)
	default:
		return fmt.Sprintf("%d to %d", lo, hi)
	}
}

// Clone returns a deep copy of s.
func (s *Spec) Clone() *Spec {
	c := &Spec{Nodes: make([]Node, len(s.Nodes)), Outputs: append([]string(nil), s.Outputs...)}
	for i, n := range s.Nodes {
		n.Inputs = append([]string(nil), n.Inputs...)
		n.Attrs.Shape = append([]int(nil), n.Attrs.Shape...)
		c.Nodes[i] = n
	}
	return c
}

// Node returns the node called name and whether it exists.
func (s *Spec) Node(name string) (Node, bool) {
	for _, n := range s.Nodes {
		if n.Name == name {
			return n, true
		}
	}
	return Node{}, false
}

// InputNode returns the graph's input node, or false when there is none.
func (s *Spec) InputNode() (Node, bool) {
	for _, n := range s.Nodes {
		if n.Op == OpInput {
			return n, true
		}
	}
	return Node{}, false
}

// consumers maps every node name to the names of the nodes that read it,
// in graph order. A node that reads the same input twice is listed twice.
func (s *Spec) consumers() map[string][]string {
	c := make(map[string][]string, len(s.Nodes))
	for _, n := range s.Nodes {
		for _, in := range n.Inputs {
			c[in] = append(c[in], n.Name)
		}
	}
	return c
}

// MarshalIndent returns s as indented JSON.
func (s *Spec) MarshalIndent() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("nn: encode spec: %w", err)
	}
	return b, nil
}

// ParseSpec decodes a JSON spec, rejecting unknown fields, and validates it.
func ParseSpec(data []byte) (*Spec, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("nn: decode spec: %w", err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}
