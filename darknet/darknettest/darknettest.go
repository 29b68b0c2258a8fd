// Package darknettest locates the pretrained Darknet models that tests use:
// the COCO-trained tiny YOLO models shipped in the examples of the Go module
// gorgonia.org/gorgonia v0.9.18. The module is fetched (or found in the
// module cache) with "go mod download"; its code is never imported.
package darknettest

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
)

// Module is the module version whose examples hold the models.
const Module = "gorgonia.org/gorgonia@v0.9.18"

// Paths of the model files inside the module.
const (
	YOLOv3TinyCfg     = "examples/tiny-yolo-v3-coco/data/yolov3-tiny.cfg"
	YOLOv3TinyWeights = "examples/tiny-yolo-v3-coco/data/yolov3-tiny.weights"
	DogImage          = "examples/tiny-yolo-v3-coco/data/dog_416x416.jpg"
	YOLOv2TinyCfg     = "examples/tiny-yolo-v2-coco/model/yolov2-tiny.cfg"
	YOLOv2TinyWeights = "examples/tiny-yolo-v2-coco/model/yolov2-tiny.weights"
)

var (
	once   sync.Once
	dir    string
	dirErr error
)

// Dir returns the module's directory, downloading it when needed.
func Dir() (string, error) {
	once.Do(func() {
		out, err := exec.Command("go", "mod", "download", "-json", Module).Output()
		if err != nil {
			dirErr = fmt.Errorf("go mod download %s: %w", Module, err)
			return
		}
		var info struct{ Dir, Error string }
		if err := json.Unmarshal(out, &info); err != nil {
			dirErr = fmt.Errorf("go mod download %s: %w", Module, err)
			return
		}
		if info.Error != "" || info.Dir == "" {
			dirErr = fmt.Errorf("go mod download %s: %s", Module, info.Error)
			return
		}
		dir = info.Dir
	})
	return dir, dirErr
}

// Path returns the absolute path of a file inside the module.
func Path(rel string) (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, filepath.FromSlash(rel)), nil
}
