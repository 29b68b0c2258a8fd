package main

import "testing"

// TestNEONEncodings checks the WORD encodings against instruction words that
// an assembler produced: Go's for the vector FMLA, GNU as's (listed in Go's
// assembler test data) for the others, whose 64-bit (.2S) forms differ from
// the .4S ones only in the Q bit, 1<<30.
func TestNEONEncodings(t *testing.T) {
	const q = 1 << 30
	tests := []struct {
		name string
		got  uint32
		want uint32
	}{
		{"FMLA V1.4S, V12.4S, V1.4S", neonOp3(opFMLA, 1, 12, 1), 0x4e21cd81},
		{"FMLA V30.4S, V2.4S, V28.S[2]", neonByElem(opFMLAElem, 30, 2, 28, 2), 0x0f9c185e | q},
		{"FMLS V10.4S, V11.4S, V10.S[0]", neonByElem(0x4f805000, 10, 11, 10, 0), 0x0f8a516a | q},
		{"FMUL V2.4S, V26.4S, V26.S[2]", neonByElem(opFMULElem, 2, 26, 26, 2), 0x0f9a9b42 | q},
		{"FRINTN V2.4S, V30.4S", neonOp2(opFRINTN, 2, 30), 0x4e218bc2},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %#08x, want %#08x", tt.name, tt.got, tt.want)
		}
	}
}
