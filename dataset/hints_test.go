package dataset

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestSeparatorDetected(t *testing.T) {
	tests := []struct {
		name, csv string
		comma     rune
		want      rune // 0: no separator error
	}{
		{"semicolon", "image;tags\na;x\nb;y\n", 0, ';'},
		{"tab", "image\ttags\na\tx\n", 0, '\t'},
		{"pipe", "image|tags\na|x\n", 0, '|'},
		{"comma", "image,tags\na,x\n", 0, 0},
		{"semicolon given", "image;tags\na;x\n", ';', 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := files(t, map[string][]byte{"tags.csv": []byte(tc.csv), "a.png": nil, "b.png": nil})
			_, err := Load(Options{CSV: filepath.Join(dir, "tags.csv"), Comma: tc.comma})
			var se *SeparatorError
			switch {
			case tc.want == 0 && errors.As(err, &se):
				t.Errorf("separator error %v", err)
			case tc.want != 0 && (!errors.As(err, &se) || se.Sep != tc.want):
				t.Errorf("error %v, want a separator error for %q", err, tc.want)
			}
		})
	}
}

func TestSuspiciousTags(t *testing.T) {
	csv := "image,tags\na,\"maize, water\"\nb,\"maize, road\"\nc,\"water;road\"\n"
	tests := []struct {
		name   string
		tagSep string
		want   []string // labels warned about
	}{
		{"whitespace", "", []string{"maize,", "water;road"}},
		{"comma separated", ",", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := files(t, map[string][]byte{"tags.csv": []byte(csv), "a.png": nil, "b.png": nil, "c.png": nil})
			ds, err := Load(Options{CSV: filepath.Join(dir, "tags.csv"), TagSep: tc.tagSep})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range ds.Warnings {
				if w.Kind == KindSuspiciousTag {
					got = append(got, w.Label)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("warned about %q, want %q", got, tc.want)
			}
			for _, w := range ds.Warnings {
				if w.Label == "maize," && (!strings.Contains(w.Message, "2 row(s)") || w.Line != 2) {
					t.Errorf("warning %v", w)
				}
			}
		})
	}
}

// Missing images are summarised with the folder that holds them.
func TestMissingImagesGuessFolder(t *testing.T) {
	fs := map[string][]byte{}
	var csv strings.Builder
	csv.WriteString("image,tags\n")
	for i := range 8 {
		fmt.Fprintf(&csv, "img%d,x\n", i)
		fs[fmt.Sprintf("data/images/img%d.jpg", i)] = nil
	}
	fs["data/tags.csv"] = []byte(csv.String())
	fs["data/other/unrelated.png"] = nil
	dir := files(t, fs)
	o := Options{CSV: filepath.Join(dir, "data", "tags.csv")}
	_, err := Load(o)
	var fe *ImagesFolderError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v has no folder summary", err)
	}
	if want := (ImagesFolderError{Found: 0, Listed: 8, Dir: filepath.Join(dir, "data", "images")}); *fe != want {
		t.Errorf("summary %+v, want %+v", *fe, want)
	}
	r, err := Check(context.Background(), o, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Errors != 8 {
		t.Errorf("%d errors, want 8 (the summary is a hint)", r.Errors)
	}
	var buf bytes.Buffer
	if err := r.Print(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n := strings.Count(out, "not found in"); n != listedMissing {
		t.Errorf("%d missing images named, want %d:\n%s", n, listedMissing, out)
	}
	for _, want := range []string{"... and 3 more images not found", "0 of 8 images found", "they seem to be in"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// With the right folder nothing is missing; with a wrong one and no
	// folder near that holds the images, no guess.
	if _, err := Load(Options{CSV: o.CSV, Images: fe.Dir}); err != nil {
		t.Errorf("with the guessed folder: %v", err)
	}
	lone := files(t, map[string][]byte{"tags.csv": []byte("image,tags\nghost,x\n")})
	_, err = Load(Options{CSV: filepath.Join(lone, "tags.csv")})
	if !errors.As(err, &fe) || fe.Dir != "" || fe.Listed != 1 {
		t.Errorf("without a folder to guess: %v", err)
	}
}
