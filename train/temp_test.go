package train

import "os"

// mkdirTemp makes a directory for data shared across the package's tests; it
// lives in the system temporary folder and is removed by TestMain.
func mkdirTemp() (string, error) {
	d, err := os.MkdirTemp("", "mlabel-train-test-")
	if err == nil {
		tempDirs = append(tempDirs, d)
	}
	return d, err
}

var tempDirs []string
