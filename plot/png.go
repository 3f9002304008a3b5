package plot

import (
	"fmt"
	"image"
	"image/png"
	"io"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/tengen-go/tengen/internal/atomicfile"
)

// dpi is the resolution of every canvas: sizes in pixels convert to
// lengths at this many dots per inch.
const dpi = 96

// px returns the vg length of n pixels.
func px(n float64) vg.Length { return vg.Length(n) * vg.Inch / dpi }

// newCanvas returns a white w x h pixel canvas.
func newCanvas(w, h int) *vgimg.Canvas {
	return vgimg.NewWith(vgimg.UseWH(px(float64(w)), px(float64(h))), vgimg.UseDPI(dpi))
}

// writePNG encodes img to path atomically (internal/atomicfile).
func writePNG(path string, img image.Image) error {
	if path == "" {
		return fmt.Errorf("plot: no output path")
	}
	if err := atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	return nil
}
