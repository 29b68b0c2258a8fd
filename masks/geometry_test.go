package masks

import (
	"image"
	"slices"
	"testing"
)

func TestReducedSize(t *testing.T) {
	const max = 1 << 24
	tests := []struct {
		w, h, mw, mh, f int
	}{
		{32, 32, 32, 32, 1},
		{4096, 4096, 4096, 4096, 1},
		{5000, 4000, 2500, 2000, 2},
		{10000, 10000, 3334, 3334, 3},
	}
	for _, tc := range tests {
		mw, mh, f := ReducedSize(tc.w, tc.h, max)
		if mw != tc.mw || mh != tc.mh || f != tc.f {
			t.Errorf("ReducedSize(%d, %d) = %d, %d, %d; want %d, %d, %d", tc.w, tc.h, mw, mh, f, tc.mw, tc.mh, tc.f)
		}
		if int64(mw)*int64(mh) > max {
			t.Errorf("%d×%d: a %d×%d mask is over the limit", tc.w, tc.h, mw, mh)
		}
	}
}

func TestEmbed(t *testing.T) {
	const I = Ignore
	tests := []struct {
		name         string
		class        []uint8
		cw, ch       int
		seen, bounds image.Rectangle
		w, h, f      int
		want         []uint8
	}{
		{
			name:  "whole image at its size",
			class: []uint8{1, 2, 3, 4}, cw: 2, ch: 2,
			seen: image.Rect(0, 0, 2, 2), bounds: image.Rect(0, 0, 2, 2), w: 2, h: 2, f: 1,
			want: []uint8{1, 2, 3, 4},
		},
		{
			name:  "centre square scaled up, the sides unseen",
			class: []uint8{1, 2, 3, 4}, cw: 2, ch: 2,
			seen: image.Rect(1, 0, 5, 4), bounds: image.Rect(0, 0, 6, 4), w: 6, h: 4, f: 1,
			want: []uint8{
				I, 1, 1, 2, 2, I,
				I, 1, 1, 2, 2, I,
				I, 3, 3, 4, 4, I,
				I, 3, 3, 4, 4, I,
			},
		},
		{
			name:  "reduced by 2",
			class: []uint8{1, 2, 3, 4}, cw: 2, ch: 2,
			seen: image.Rect(2, 0, 6, 4), bounds: image.Rect(0, 0, 8, 4), w: 4, h: 2, f: 2,
			want: []uint8{
				I, 1, 2, I,
				I, 3, 4, I,
			},
		},
		{
			name:  "bounds not at the origin",
			class: []uint8{5}, cw: 1, ch: 1,
			seen: image.Rect(11, 10, 12, 11), bounds: image.Rect(10, 10, 12, 11), w: 2, h: 1, f: 1,
			want: []uint8{I, 5},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Embed(tc.class, tc.cw, tc.ch, tc.seen, tc.bounds, tc.w, tc.h, tc.f)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Embed = %v, want %v", got, tc.want)
			}
		})
	}
}
