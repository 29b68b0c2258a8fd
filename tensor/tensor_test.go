package tensor

import "testing"

func TestFromDataChecksSize(t *testing.T) {
	if _, err := FromData(make([]float32, 5), 2, 3); err == nil {
		t.Fatal("accepted 5 values for shape [2 3]")
	}
	x, err := FromData([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if err != nil || x.Len() != 6 {
		t.Fatalf("FromData: %v, len %d", err, x.Len())
	}
}

func TestReshapeSharesData(t *testing.T) {
	x := New(2, 3)
	y, err := x.Reshape(3, 2)
	if err != nil {
		t.Fatal(err)
	}
	y.Data[5] = 7
	if x.Data[5] != 7 {
		t.Fatal("reshape copied the data")
	}
	if _, err := x.Reshape(4, 2); err == nil {
		t.Fatal("reshaped 6 values to 8")
	}
}

func TestCloneIsDeep(t *testing.T) {
	x := New(2)
	c := x.Clone()
	c.Data[0], c.Shape[0] = 1, 9
	if x.Data[0] != 0 || x.Shape[0] != 2 {
		t.Fatal("clone shares storage")
	}
}

func TestEnsureReusesStorage(t *testing.T) {
	tests := []struct {
		name   string
		start  *Tensor
		shape  []int
		reused bool
	}{
		{"nil allocates", nil, []int{2, 2}, false},
		{"same shape is kept", New(2, 3), []int{2, 3}, true},
		{"smaller reuses", New(4, 4), []int{2, 3}, true},
		{"larger allocates", New(2), []int{3, 3}, false},
	}
	for _, tc := range tests {
		var before *float32
		if tc.start != nil && len(tc.start.Data) > 0 {
			before = &tc.start.Data[0]
		}
		got := Ensure(tc.start, tc.shape...)
		if !SameShape(got.Shape, tc.shape) || got.Len() != Size(tc.shape) {
			t.Errorf("%s: shape %v len %d", tc.name, got.Shape, got.Len())
		}
		if reused := before != nil && &got.Data[0] == before; reused != tc.reused {
			t.Errorf("%s: reused storage = %v, want %v", tc.name, reused, tc.reused)
		}
	}
}

func TestZero(t *testing.T) {
	x, _ := FromData([]float32{1, 2, 3}, 3)
	x.Zero()
	for _, v := range x.Data {
		if v != 0 {
			t.Fatal("Zero left a value")
		}
	}
}
