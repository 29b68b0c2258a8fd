package dataset

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadErrorListsFirstProblems(t *testing.T) {
	for _, tc := range []struct {
		missing  int
		wantMore bool
	}{{maxListed, false}, {maxListed + 3, true}} {
		t.Run(fmt.Sprint(tc.missing), func(t *testing.T) {
			csv := "image,tags\n"
			for i := range tc.missing {
				csv += fmt.Sprintf("ghost%d,x\n", i)
			}
			dir := files(t, map[string][]byte{"tags.csv": []byte(csv)})
			_, err := Load(Options{CSV: filepath.Join(dir, "tags.csv")})
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, ErrMoreProblems); got != tc.wantMore {
				t.Errorf("errors.Is(err, ErrMoreProblems) = %v, want %v: %v", got, tc.wantMore, err)
			}
			if tc.wantMore && !strings.Contains(err.Error(), "... and 3 more") {
				t.Errorf("error %q does not say how many are left out", err)
			}
		})
	}
}
