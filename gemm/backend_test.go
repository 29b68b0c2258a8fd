package gemm

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"mlabel/internal/debpkg"
)

// blasLoads reports whether OpenBLAS loads on this machine.
func blasLoads() bool {
	_, err := openBLASLib()
	return err == nil
}

// openBLASMissing reports that OpenBLAS did not load (err) in a subtest
// named after the package, under the Debian-package rule: it skips naming
// libopenblas0-pthread, or fails under CI=true. The caller goes on to test
// the Go path. A static build never loads OpenBLAS, by design.
func openBLASMissing(t *testing.T, err error) {
	t.Helper()
	if staticBuild {
		t.Logf("static build: OpenBLAS is not loaded at run time (%v)", err)
		return
	}
	t.Run("libopenblas0-pthread", func(t *testing.T) { debpkg.Missing(t, "libopenblas0-pthread", err) })
}

// blasLoadsReported is blasLoads for a test that checks both outcomes: when
// OpenBLAS does not load it says so through openBLASMissing first.
func blasLoadsReported(t *testing.T) bool {
	t.Helper()
	_, err := openBLASLib()
	if err != nil {
		openBLASMissing(t, err)
	}
	return err == nil
}

func TestSetBackend(t *testing.T) {
	defer active.Store(current())
	blas := blasLoadsReported(t)
	auto := BackendGo
	if blas {
		auto = BackendOpenBLAS
	}
	tests := []struct {
		name    string
		backend string // wanted after the call, unless it fails
		wantErr bool
	}{
		{"go", BackendGo, false},
		{"openblas", BackendOpenBLAS, !blas},
		{"auto", auto, false},
		{"fortran", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := Backend()
			err := SetBackend(tt.name)
			if (err != nil) != tt.wantErr {
				t.Fatalf("SetBackend(%q) = %v, want error %v", tt.name, err, tt.wantErr)
			}
			want := tt.backend
			if tt.wantErr {
				want = before
			}
			if got := Backend(); got != want {
				t.Errorf("Backend() = %q, want %q", got, want)
			}
			if d := Describe(); !strings.HasPrefix(d, want+" (") {
				t.Errorf("Describe() = %q, want it to start with %q", d, want+" (")
			}
		})
	}
}

func TestLoadOpenBLASMissingLibrary(t *testing.T) {
	_, err := loadOpenBLAS([]string{"libmlabel-no-such-blas.so.0"})
	if err == nil || !strings.Contains(err.Error(), "loading OpenBLAS") {
		t.Fatalf("loadOpenBLAS of a missing library = %v, want a loading error", err)
	}
}

// TestInitFromEnvironment runs the test binary in a child process for each
// value of MLABEL_GEMM, since Init reads it once per process.
func TestInitFromEnvironment(t *testing.T) {
	if os.Getenv("GEMM_TEST_CHILD") == "1" {
		err := Init()
		os.Stdout.WriteString("backend=" + Describe() + "\n")
		if err != nil {
			os.Stdout.WriteString("error=" + err.Error() + "\n")
		}
		os.Exit(0)
	}
	blas := blasLoadsReported(t)
	auto, forced, forcedErr := "backend=go (", "backend=go (", "loading OpenBLAS"
	if blas {
		auto, forced, forcedErr = "backend=openblas (", "backend=openblas (", ""
	}
	tests := []struct {
		env     string
		want    string
		wantErr string
	}{
		{"", auto, ""},
		{"auto", auto, ""},
		{"go", "backend=go (" + bestKernel().name + ")", ""},
		{" Go ", "backend=go (" + bestKernel().name + ")", ""},
		{"openblas", forced, forcedErr},
		{"OpenBLAS", forced, forcedErr},
		{"cuda", "backend=go (", `MLABEL_GEMM="cuda"`},
	}
	for _, tt := range tests {
		t.Run("env="+tt.env, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestInitFromEnvironment$")
			cmd.Env = append(os.Environ(), "GEMM_TEST_CHILD=1", EnvVar+"="+tt.env)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("child process: %v", err)
			}
			got := string(out)
			if !strings.Contains(got, tt.want) {
				t.Errorf("output %q does not contain %q", got, tt.want)
			}
			hasErr := strings.Contains(got, "error=")
			if tt.wantErr == "" && hasErr || tt.wantErr != "" && !strings.Contains(got, tt.wantErr) {
				t.Errorf("output %q, want error containing %q", got, tt.wantErr)
			}
		})
	}
}

// TestBuildWithoutCgo builds a program that uses the package with
// CGO_ENABLED=0, as it is and with -tags static, and checks that it runs: on
// OpenBLAS when the machine has it, and always on the Go kernels when static,
// linked without the dynamic loader.
func TestBuildWithoutCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		t.Skipf("no go tool: %v", err)
	}
	for _, static := range []bool{false, true} {
		t.Run(fmt.Sprintf("static=%v", static), func(t *testing.T) {
			if !static && staticBuild {
				t.Skip("this test binary is static, so it cannot tell whether OpenBLAS loads")
			}
			bin := filepath.Join(t.TempDir(), "nocgo")
			args := []string{"build", "-o", bin}
			if static {
				args = append(args, "-tags", "static")
			}
			build := exec.Command(goTool, append(args, "./testdata/nocgo")...)
			build.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("CGO_ENABLED=0 go %v: %v\n%s", args, err, out)
			}
			if static && runtime.GOOS == "linux" {
				if interp := elfInterpreter(t, bin); interp != "" {
					t.Errorf("the static build asks for the dynamic loader %s", interp)
				}
			}
			for _, env := range []string{"go", ""} {
				run := exec.Command(bin)
				run.Env = append(os.Environ(), EnvVar+"="+env)
				out, err := run.CombinedOutput()
				if err != nil {
					t.Fatalf("%s=%s: running the program: %v\n%s", EnvVar, env, err, out)
				}
				want := "backend: go ("
				if env == "" && !static && blasLoads() {
					want = "backend: openblas ("
				}
				if !strings.Contains(string(out), want) {
					t.Errorf("%s=%s: output %q, want %q", EnvVar, env, out, want)
				}
			}
		})
	}
}

// elfInterpreter returns the dynamic loader that an ELF executable asks
// for, or "" for a statically linked one.
func elfInterpreter(t *testing.T, path string) string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b, err := io.ReadAll(p.Open())
			if err != nil {
				t.Fatalf("reading the interpreter of %s: %v", path, err)
			}
			return strings.TrimRight(string(b), "\x00")
		}
	}
	return ""
}

// TestGeneratedKernelsUpToDate checks that every generated assembly file,
// of this package and of package nn, is what the generator writes now.
func TestGeneratedKernelsUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	for _, tt := range []struct {
		file string
		args []string
	}{
		{"kernels_amd64.s", nil},
		{"kernels_arm64.s", []string{"-arch", "arm64"}},
		{"../nn/elementwise_amd64.s", []string{"-elementwise"}},
		{"../nn/elementwise_arm64.s", []string{"-elementwise", "-arch", "arm64"}},
	} {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "kernels.s")
			gen := exec.Command(goTool, append([]string{"run", "./internal/kernelgen", "-o", out}, tt.args...)...)
			if msg, err := gen.CombinedOutput(); err != nil {
				t.Fatalf("running kernelgen %v: %v\n%s", tt.args, err, msg)
			}
			want, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is stale: run go generate in its package", tt.file)
			}
		})
	}
}
