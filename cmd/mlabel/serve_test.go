package main

import "testing"

func TestEveryInterface(t *testing.T) {
	tests := map[string]bool{
		"0.0.0.0:8080":   true,
		":8080":          true,
		"[::]:8080":      true,
		"127.0.0.1:8080": false,
		"localhost:8080": false,
		"10.0.0.5:8080":  false,
		"[::1]:8080":     false,
		"nonsense":       false,
	}
	for addr, want := range tests {
		if got := everyInterface(addr); got != want {
			t.Errorf("everyInterface(%q) = %v, want %v", addr, got, want)
		}
	}
}
