package plot

import (
	"bufio"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
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

// writePNG encodes img to path atomically: a temporary file in the same
// directory, synced, then renamed over path.
func writePNG(path string, img image.Image) (err error) {
	if path == "" {
		return fmt.Errorf("plot: no output path")
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriter(f)
	if err := png.Encode(bw, img); err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("plot: %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}
