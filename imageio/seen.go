package imageio

import "image"

// SeenRect returns the part of an image with bounds b that the network
// sees once resized to Size×Size: all of it, or its centre square with
// ModeCrop.
func (p Preprocess) SeenRect(b image.Rectangle) image.Rectangle { return p.source(b) }
