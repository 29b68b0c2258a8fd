package fill

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// RoundTrip checks a conversion and its inverse: through(v) must deeply
// equal v (reflect.DeepEqual) for a value of T with every field set by
// Fill, and for each of values. through is typically a conversion to
// another type and back.
func RoundTrip[T any](t testing.TB, through func(T) T, values ...T) {
	t.Helper()
	var full T
	Fill(&full)
	if got := through(full); !reflect.DeepEqual(got, full) {
		t.Errorf("with every field set, the round trip gives\n%+v\nwant\n%+v", got, full)
	}
	for i, v := range values {
		if got := through(v); !reflect.DeepEqual(got, v) {
			t.Errorf("value %d: the round trip gives\n%+v\nwant\n%+v", i, got, v)
		}
	}
}

// SameJSON checks that a value of T with every field set by Fill encodes
// to the same JSON as its conversion by to: the two types name every field
// alike, as a package's own type and the copy a file format keeps of it
// must.
func SameJSON[T, B any](t testing.TB, to func(T) B) {
	t.Helper()
	var full T
	Fill(&full)
	a, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(to(full))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("the JSON of\n%s\ndiffers from that of its conversion\n%s", a, b)
	}
}
