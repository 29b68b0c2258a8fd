package nn

import (
	"strings"
	"testing"
)

func TestSpecValidate(t *testing.T) {
	in := Node{Name: "x", Op: OpInput, Attrs: Attrs{Shape: []int{8, 8, 3}}}
	relu := func(name, from string) Node { return Node{Name: name, Op: OpReLU, Inputs: []string{from}} }
	tests := []struct {
		name string
		spec Spec
		want string // "" for valid
	}{
		{"valid", Spec{Nodes: []Node{in, relu("r", "x")}, Outputs: []string{"r"}}, ""},
		{"no nodes", Spec{}, "no nodes"},
		{"unknown op", Spec{Nodes: []Node{in, {Name: "q", Op: "quantum", Inputs: []string{"x"}}}, Outputs: []string{"q"}}, "unknown op"},
		{"duplicate", Spec{Nodes: []Node{in, relu("r", "x"), relu("r", "x")}, Outputs: []string{"r"}}, "duplicate"},
		{"forward reference", Spec{Nodes: []Node{in, relu("a", "b"), relu("b", "x")}, Outputs: []string{"b"}}, "not an earlier node"},
		{"missing output", Spec{Nodes: []Node{in, relu("r", "x")}, Outputs: []string{"z"}}, `output "z"`},
		{"no outputs", Spec{Nodes: []Node{in}}, "no outputs"},
		{"add arity", Spec{Nodes: []Node{in, {Name: "s", Op: OpAdd, Inputs: []string{"x"}}}, Outputs: []string{"s"}}, "at least 2"},
		{"no input", Spec{Nodes: []Node{{Name: "s", Op: OpReLU}}, Outputs: []string{"s"}}, "has 0 inputs, want 1"},
		{"bad input shape", Spec{Nodes: []Node{{Name: "x", Op: OpInput, Attrs: Attrs{Shape: []int{8, 3}}}}, Outputs: []string{"x"}}, "[H, W, C]"},
		{"unnamed", Spec{Nodes: []Node{in, relu("", "x")}, Outputs: []string{"x"}}, "no name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.spec.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestSpecJSONRoundTrip(t *testing.T) {
	s := fanOutSpec()
	s.Nodes[1].Attrs.Pad = [4]int{1, 2, 3, 4}
	b, err := s.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseSpec(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := got.MarshalIndent()
	if string(b) != string(b2) {
		t.Errorf("round trip changed the spec:\n%s\n%s", b, b2)
	}
	if _, err := ParseSpec([]byte(`{"nodes":[],"outputs":[],"extra":1}`)); err == nil {
		t.Error("unknown field accepted")
	}
	if _, err := ParseSpec([]byte(`{"nodes":[{"name":"x","op":"input","attrs":{}}],"outputs":["x"]}`)); err == nil {
		t.Error("invalid spec accepted")
	}
}
