package fill

import (
	"reflect"
	"testing"
	"time"
)

type inner struct {
	F float32
	S []string
}

type outer struct {
	B      bool
	I      int
	U      uint8
	Name   string
	At     time.Time
	P      *inner
	Arr    [2]int
	M      map[string]inner
	hidden int
}

// Every exported field is set, to values that differ.
func TestFill(t *testing.T) {
	var o outer
	Fill(&o)
	if !o.B || o.I == 0 || o.U == 0 || o.Name == "" || o.At.IsZero() || o.P == nil || len(o.P.S) != 2 || o.P.F == 0 ||
		o.Arr[0] == 0 || o.Arr[0] == o.Arr[1] || len(o.M) != 1 || o.hidden != 0 {
		t.Fatalf("not filled: %+v", o)
	}
	if o.P.S[0] == o.P.S[1] {
		t.Errorf("slice elements equal: %q", o.P.S)
	}
	var again outer
	Fill(&again)
	if !reflect.DeepEqual(o, again) {
		t.Error("Fill is not deterministic")
	}
}

func TestFillRefuses(t *testing.T) {
	for name, v := range map[string]any{"not a pointer": outer{}, "nil": (*outer)(nil), "func": &struct{ F func() }{}} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			Fill(v)
		})
	}
}
