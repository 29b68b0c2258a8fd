package fill

import (
	"fmt"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatal(args ...any) { r.failures = append(r.failures, fmt.Sprint(args...)) }

type mirror struct {
	Name string  `json:"name"`
	P    *inner  `json:"p"`
	X    float64 `json:"x"`
}

type renamed struct {
	Name string  `json:"name"`
	P    *inner  `json:"p"`
	X    float64 `json:"value"`
}

type own struct {
	Name string  `json:"name"`
	P    *inner  `json:"p"`
	X    float64 `json:"x"`
}

// A conversion that carries every field passes; one that drops a field
// fails, whether the field is set by Fill or only in a given value.
func TestRoundTrip(t *testing.T) {
	carry := func(o own) own { return own(mirror(o)) }
	dropX := func(o own) own { m := mirror(o); m.X = 0; return own(m) }
	dropNilP := func(o own) own {
		if o.P == nil {
			o.P = &inner{}
		}
		return o
	}
	for _, tc := range []struct {
		name    string
		through func(own) own
		values  []own
		fails   int
	}{
		{"carries", carry, []own{{}, {Name: "a"}}, 0},
		{"drops a field", dropX, nil, 1},
		{"drops a field of a value", dropX, []own{{X: 0}, {X: 2}}, 2},
		{"breaks only a given value", dropNilP, []own{{Name: "a"}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			RoundTrip(r, tc.through, tc.values...)
			if len(r.failures) != tc.fails {
				t.Errorf("%d failures %q, want %d", len(r.failures), r.failures, tc.fails)
			}
		})
	}
}

// Types that name their fields alike in JSON pass; a renamed field fails.
func TestSameJSON(t *testing.T) {
	r := &recorder{TB: t}
	SameJSON(r, func(o own) mirror { return mirror(o) })
	if len(r.failures) != 0 {
		t.Errorf("alike types fail: %q", r.failures)
	}
	r = &recorder{TB: t}
	SameJSON(r, func(o own) renamed { return renamed(o) })
	if len(r.failures) != 1 {
		t.Errorf("a renamed field gives %d failures %q, want 1", len(r.failures), r.failures)
	}
}
