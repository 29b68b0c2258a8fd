package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mlabel/bundle"
	"mlabel/imageio/imagetest"
)

// memChildEnv holds, in a child process, the arguments of the command it
// runs, separated by the unit separator 0x1f.
const memChildEnv = "MLABEL_BADMEM_ARGS"

// TestBadInputBoundedMemory runs the inputs that once made mlabel allocate
// gigabytes or read forever, each in a child process under ulimit -v 4 GB
// and a 60 s timeout: sparse 20 GB files as image, tags CSV and bundle,
// /dev/zero and a named pipe in their place, a row of 100,000 tags, an
// 8000×8000 mask over 200 labels and a bundle whose preprocessing size
// differs from its network's input. Each must fail with
// an error naming the file and the limit, its peak resident size under
// 300 MB.
func TestBadInputBoundedMemory(t *testing.T) {
	if args := os.Getenv(memChildEnv); args != "" {
		memChild(t, strings.Split(args, "\x1f"))
		return
	}
	if testing.Short() {
		t.Skip("starts a child process per case")
	}
	f := newBadFixtures(t)
	sparse := func(name string, head []byte, size int64) string {
		p := f.write(t, name, head)
		if err := os.Truncate(p, size); err != nil {
			t.Fatal(err)
		}
		return p
	}
	padded := sparse("padded.png", mustRead(t, f.path("images/a.png")), 20<<30)
	zeros := sparse("zeros.jpg", nil, 20<<30)
	zerosCSV := sparse("zeros.csv", []byte("image,tags\na.png,"), 20<<30)
	zerosMLB := sparse("zeros.mlb", nil, 20<<30)
	fifo := f.path("fifo.png")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tags := make([]string, 100000)
	for i := range tags {
		tags[i] = "l" + strconv.Itoa(i)
	}
	f.write(t, "images/many.csv", []byte("image,tags\na.png,"+strings.Join(tags, " ")+"\n"))
	f.write(t, "images/masked.csv", []byte("image,tags\na.png,"+strings.Join(tags[:200], " ")+"\n"))
	f.write(t, "masks/legend.txt", []byte(strings.Join(tags[:200], "\n")+"\n"))
	f.write(t, "masks/a.png", imagetest.ZeroGrayPNG(8000, 8000))
	f.write(t, "input.mlb", f.craftBundle(t, func(b *bundle.Bundle) { b.Preprocess.Size = 2048 }))
	model := f.path("model.mlb")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"8x8 PNG in a sparse 20 GB file", []string{"predict", "--model", model, padded}, []string{"padded.png", "larger than its image can take"}},
		{"sparse 20 GB of zeros", []string{"predict", "--model", model, zeros}, []string{"zeros.jpg", "not a supported image format"}},
		{"/dev/zero", []string{"predict", "--model", model, "/dev/zero"}, []string{"/dev/zero", "not a regular file"}},
		{"named pipe", []string{"predict", "--model", model, fifo}, []string{"fifo.png", "not a regular file"}},
		{"named pipe, tiled", []string{"predict", "--model", model, "--tiles", "2", fifo}, []string{"fifo.png", "not a regular file"}},
		{"data check on 100,000 tags", []string{"data", "check", "--csv", f.path("images/many.csv")}, []string{"many.csv has 100000 labels, over the limit of 10000"}},
		{"8000x8000 mask over 200 labels", []string{"data", "check", "--csv", f.path("images/masked.csv"), "--masks", f.path("masks")}, []string{"a.png", "over the limit of 268435456"}},
		{"tags CSV of 20 GB of zeros", []string{"data", "check", "--csv", zerosCSV}, []string{"zeros.csv:2", "line too long"}},
		{"tags CSV from /dev/zero", []string{"data", "check", "--csv", "/dev/zero"}, []string{"/dev/zero is not a regular file"}},
		{"scores from /dev/zero", []string{"metrics", "--truth", f.path("images/masked.csv"), "--scores", "/dev/zero"}, []string{"/dev/zero is not a regular file"}},
		{"bundle from /dev/zero", []string{"predict", "--model", "/dev/zero", f.path("images/a.png")}, []string{"/dev/zero is not a regular file"}},
		{"bundle of 20 GB", []string{"predict", "--model", zerosMLB, f.path("images/a.png")}, []string{"zeros.mlb", "over the limit of 4294967296"}},
		{"preprocess size over the network's input", []string{"eval", "--model", f.path("input.mlb"), "--csv", f.path("images/masked.csv")}, []string{"input.mlb", "differs from the network's input"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "/bin/sh", "-c", `ulimit -v 4000000 && exec "$0" "$@"`, os.Args[0], "-test.run=^TestBadInputBoundedMemory$", "-test.count=1")
			cmd.Env = append(os.Environ(), memChildEnv+"="+strings.Join(tc.args, "\x1f"), "GOGC=100", "GOMEMLIMIT=off")
			out, err := cmd.CombinedOutput()
			if ctx.Err() != nil {
				t.Fatalf("still running after 60 s: %s", out)
			}
			var code, peakKB int
			for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
				fmt.Sscanf(sc.Text(), "BADMEM code=%d vmhwm_kb=%d", &code, &peakKB)
			}
			if err != nil || peakKB == 0 {
				t.Fatalf("child: %v\n%s", err, out)
			}
			if code == 0 {
				t.Errorf("exit 0:\n%s", out)
			}
			for _, w := range tc.want {
				if !bytes.Contains(out, []byte(w)) {
					t.Errorf("output does not name %q:\n%s", w, out)
				}
			}
			if peakKB > 300<<10 {
				t.Errorf("peak resident size %d MB", peakKB>>10)
			}
		})
	}
}

// memChild runs the command line args and prints its exit code, output and
// the process's peak resident size (VmHWM).
func memChild(t *testing.T, args []string) {
	code, stdout, stderr := runCLI(t, args...)
	fmt.Print(stdout, stderr)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	var peak int
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			peak, _ = strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
	fmt.Printf("\nBADMEM code=%d vmhwm_kb=%d\n", code, peak)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
