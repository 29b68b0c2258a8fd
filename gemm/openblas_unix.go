//go:build (linux || darwin || freebsd) && (amd64 || arm64) && !static

package gemm

import "github.com/ebitengine/purego"

// libraryNames are the OpenBLAS shared libraries tried, in order: by name
// through the dynamic loader's search path (LD_LIBRARY_PATH, then the
// system's directories; DYLD_LIBRARY_PATH on macOS), then where Homebrew puts
// them on macOS, outside that path (Apple Silicon, then Intel).
var libraryNames = []string{
	"libopenblas.so.0", "libopenblas.so", "libopenblas.0.dylib", "libopenblas.dylib",
	"/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
	"/usr/local/opt/openblas/lib/libopenblas.dylib",
}

// openLibrary opens a shared library through the dynamic loader.
func openLibrary(name string) (uintptr, error) {
	return purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_LOCAL)
}

// lookupSymbol returns the address of a library's symbol.
func lookupSymbol(h uintptr, name string) (uintptr, error) { return purego.Dlsym(h, name) }
