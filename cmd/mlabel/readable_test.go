package main

import (
	"slices"
	"testing"
)

func TestKebab(t *testing.T) {
	tests := map[string]string{
		"PosWeight": "pos-weight", "GammaNeg": "gamma-neg", "LR": "lr", "BackboneLRMult": "backbone-lr-mult",
		"weight_decay": "weight-decay", "arch": "arch", "HFlip": "h-flip",
	}
	for in, want := range tests {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFlatConfig(t *testing.T) {
	got, err := flatConfig([]byte(`{"arch":"small","lr":0.003,"loss_options":{"GammaNeg":4,"PosWeight":null},"bands":[3,2,1]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"arch", `"small"`}, {"lr", "0.003"}, {"loss-options.gamma-neg", "4"}, {"loss-options.pos-weight", "null"}, {"bands", "[3,2,1]"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := flatConfig([]byte(`{"arch":`)); err == nil {
		t.Error("accepted truncated JSON")
	}
}
