package dataset

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"mlabel/imageio/imagetest"
)

// distinct returns a valid PNG whose content depends on seed.
func distinct(seed uint32) []byte { return imagetest.PNG(imagetest.Noisy(6, 5, seed)) }

// TestCheckBadInput runs Check on a CSV with one bad case per row and
// expects each to be reported at its line.
func TestCheckBadInput(t *testing.T) {
	bad := "caf\xe9"
	csv := strings.Join([]string{
		"image,tags", // 1
		"a,x y",      // 2
		"b,x",        // 3
		"ghost,x",    // 4 missing
		"cut,y",      // 5 truncated JPEG
		"empty,x",    // 6 zero bytes
		"bomb,y",     // 7 100000×100000 PNG
		"c,x,extra",  // 8 ragged
		"a,x",        // 9 duplicate row
		"d,",         // 10 no tags
		"e,once y",   // 11 label used once
		bad + ",y",   // 12 name not UTF-8
		"f,x",        // 13 same content as b
	}, "\n")
	dir := files(t, map[string][]byte{
		"tags.csv": []byte(csv),
		"a.png":    distinct(1), "b.png": distinct(2), "c.png": distinct(3), "d.png": distinct(4),
		"e.png": distinct(5), bad + ".png": distinct(6), "f.png": distinct(2),
		"cut.jpg": imagetest.TruncatedJPEG(), "empty.jpg": {}, "bomb.png": imagetest.PNGHeader(100000, 100000),
	})
	r, err := Check(context.Background(), Options{CSV: filepath.Join(dir, "tags.csv")}, CheckOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind, sev string
		line      int
		says      string
	}{
		{KindMissing, SevError, 4, `"ghost"`},
		{KindUndecodable, SevError, 5, `"cut"`},
		{KindEmptyFile, SevError, 6, "0-byte"},
		{KindTooLarge, SevError, 7, "100000x100000"},
		{KindRaggedRow, SevError, 8, "3 field(s)"},
		{KindDuplicate, SevError, 9, "tags.csv:2"},
		{KindNoTags, SevWarning, 10, `"d"`},
		{KindRareLabel, SevWarning, 11, `"once" has only 1`},
		{KindNonUTF8Name, SevWarning, 12, `caf\xe9`},
		{KindDuplicateImage, SevWarning, 13, `"b"`},
	} {
		found := false
		for _, p := range r.Problems {
			if p.Kind != tc.kind {
				continue
			}
			found = true
			s := p.String()
			if p.Severity != tc.sev || p.Line != tc.line || !strings.Contains(s, fmt.Sprintf("tags.csv:%d", tc.line)) || !strings.Contains(s, tc.says) {
				t.Errorf("%s: got %q (severity %s, line %d), want %s at line %d saying %s", tc.kind, s, p.Severity, p.Line, tc.sev, tc.line, tc.says)
			}
		}
		if !found {
			t.Errorf("no %s problem reported", tc.kind)
		}
	}
	if !r.HasErrors() || r.Errors != 6 || r.Warnings != 4 {
		t.Errorf("errors %d, warnings %d: %v", r.Errors, r.Warnings, r.Problems)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("report is not JSON-serialisable: %v", err)
	}
	var out bytes.Buffer
	if err := r.Print(&out); err != nil || !strings.Contains(out.String(), "6 error(s), 4 warning(s)") || !strings.Contains(out.String(), "tags.csv:7: error") {
		t.Errorf("printed report:\n%s", out.String())
	}
}

func TestCheckCounts(t *testing.T) {
	dir := files(t, map[string][]byte{
		"water/1.png": distinct(1), "water/2.png": distinct(2), "road/2.png": distinct(2), "road/3.png": distinct(3),
		"road/4.png": distinct(4), "water/4.png": distinct(4), "water/5.png": distinct(5),
	})
	r, err := Check(context.Background(), Options{Folders: dir}, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.HasErrors() || r.Warnings != 0 {
		t.Fatalf("problems on a clean set: %v", r.Problems)
	}
	if !reflect.DeepEqual(r.Labels, []string{"road", "water"}) || !reflect.DeepEqual(r.Counts, []int{3, 4}) {
		t.Errorf("labels %v counts %v", r.Labels, r.Counts)
	}
	if want := [][]int{{3, 2}, {2, 4}}; !reflect.DeepEqual(r.Cooccurrence, want) {
		t.Errorf("co-occurrence %v, want %v", r.Cooccurrence, want)
	}
}

func TestCheckFatal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := files(t, map[string][]byte{"tags.csv": []byte("a,x\n"), "a.png": nil})
	for name, o := range map[string]Options{
		"no CSV":    {CSV: filepath.Join(dir, "nope.csv")},
		"no folder": {Folders: filepath.Join(dir, "nope")},
		"neither":   {},
		"cancelled": {CSV: filepath.Join(dir, "tags.csv")},
		"both":      {CSV: "x.csv", Folders: dir},
	} {
		c := context.Background()
		if name == "cancelled" {
			c = ctx
		}
		if _, err := Check(c, o, CheckOptions{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// Verify hashes every image and refuses a set with bad images, naming all of
// them with their CSV lines at once.
func TestVerify(t *testing.T) {
	dir := files(t, map[string][]byte{
		"good.csv": []byte("image,tags\na,x\nb,y\nc,x y\n"),
		"bad.csv":  []byte("image,tags\na,x\ncut,y\nb,x\nempty,x\nbomb,y\n"),
		"a.png":    distinct(1), "b.png": distinct(2), "c.png": distinct(1),
		"cut.jpg": imagetest.TruncatedJPEG(), "empty.jpg": {}, "bomb.png": imagetest.PNGHeader(100000, 100000),
	})
	for _, tc := range []struct {
		csv      string
		wantErr  []string // substrings of the error; none: no error
		wantWarn int
	}{
		{"good.csv", nil, 1}, // c repeats a's content
		{"bad.csv", []string{"3 error(s)", "bad.csv:3", `"cut"`, "bad.csv:5", "0-byte", "bad.csv:6", "100000x100000"}, 0},
	} {
		t.Run(tc.csv, func(t *testing.T) {
			ds, err := Load(Options{CSV: filepath.Join(dir, tc.csv)})
			if err != nil {
				t.Fatal(err)
			}
			hashes, warns, err := Verify(context.Background(), ds, CheckOptions{Workers: 2})
			if tc.wantErr != nil {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(warns) != tc.wantWarn {
				t.Errorf("warnings %v, want %d", warns, tc.wantWarn)
			}
			want := []string{sha(distinct(1)), sha(distinct(2)), sha(distinct(1))}
			if !reflect.DeepEqual(hashes, want) {
				t.Errorf("hashes %v, want %v", hashes, want)
			}
		})
	}
	// Every bad image is named, past the ten a load error lists.
	var rows, many = []string{"image,tags"}, map[string][]byte{}
	for i := range 12 {
		rows = append(rows, fmt.Sprintf("e%d,x", i))
		many[fmt.Sprintf("e%d.jpg", i)] = []byte{}
	}
	many["tags.csv"] = []byte(strings.Join(rows, "\n"))
	mdir := files(t, many)
	ds, err := Load(Options{CSV: filepath.Join(mdir, "tags.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Verify(context.Background(), ds, CheckOptions{}); err == nil || !strings.Contains(err.Error(), "tags.csv:13") || strings.Contains(err.Error(), "more") {
		t.Errorf("error for 12 bad images: %v", err)
	}
}

func sha(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// A set of many labels is checked in time and memory linear in its tags:
// the co-occurrence table is left out above MaxCooccurrenceLabels, and a
// set over the label limit is refused naming the file and the limit.
func TestCheckManyLabels(t *testing.T) {
	n := MaxCooccurrenceLabels + 1
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf("l%d", i)
	}
	dir := files(t, map[string][]byte{
		"tags.csv": []byte("image,tags\na.png," + strings.Join(tags, " ") + "\nb.png,l0 l1\n"), "a.png": nil, "b.png": nil,
	})
	csv := filepath.Join(dir, "tags.csv")
	r, err := Check(context.Background(), Options{CSV: csv}, CheckOptions{SkipDecode: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Labels) != n || r.Cooccurrence != nil || r.Counts[0] != 2 || r.Counts[n-1] != 1 {
		t.Fatalf("%d labels, co-occurrence %v, counts %v...", len(r.Labels), r.Cooccurrence != nil, r.Counts[:2])
	}
	var buf bytes.Buffer
	if err := r.Print(&buf); err != nil || !strings.Contains(buf.String(), "co-occurrence: not tallied") {
		t.Errorf("printed report lacks the note on co-occurrence: %v", err)
	}
	rare := 0
	for _, p := range r.Problems {
		if p.Kind == KindRareLabel && p.Line == 2 {
			rare++
		}
	}
	if rare != n { // every label has fewer than 3 examples, the first on line 2
		t.Errorf("%d rare labels named with the first image's line, want %d", rare, n)
	}
	for _, max := range []int{n - 1, 0} {
		_, err := Load(Options{CSV: csv, MaxLabels: max})
		limit := max
		if max == 0 {
			limit = DefaultMaxLabels
		}
		if (max != 0) != (err != nil) {
			t.Fatalf("MaxLabels %d: %v", max, err)
		}
		if err != nil && (!strings.Contains(err.Error(), csv) || !strings.Contains(err.Error(), fmt.Sprint(limit))) {
			t.Errorf("error %q does not name the file and the limit %d", err, limit)
		}
	}
}
