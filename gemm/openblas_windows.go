//go:build windows && (amd64 || arm64) && !static

package gemm

import (
	"fmt"
	"syscall"
)

// libraryNames are the OpenBLAS DLLs tried, in order, through Windows' DLL
// search: the directory of the executable, the system directories, then
// PATH. OpenBLAS's own Windows builds name it libopenblas.dll.
var libraryNames = []string{"libopenblas.dll", "openblas.dll"}

// openLibrary loads a DLL.
func openLibrary(name string) (uintptr, error) {
	h, err := syscall.LoadLibrary(name)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return uintptr(h), nil
}

// lookupSymbol returns the address of a DLL's exported function.
func lookupSymbol(h uintptr, name string) (uintptr, error) {
	return syscall.GetProcAddress(syscall.Handle(h), name)
}
