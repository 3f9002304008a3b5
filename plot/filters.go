package plot

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/tengen-go/tengen/nets"
)

// Layout of the filter grid, in pixels.
const (
	filterTile = 48 // a kernel is scaled up to about this size (at least 4 px a cell)
	filterGap  = 4  // between tiles and around the grid
)

// filterLayout returns the grid of n k x k filters: pixels per kernel
// cell, columns, rows, and the image size.
func filterLayout(n, k int) (scale, cols, rows, w, h int) {
	scale = max(4, filterTile/k)
	cols = int(math.Ceil(math.Sqrt(float64(n))))
	rows = (n + cols - 1) / cols
	tile := k * scale
	return scale, cols, rows, filterGap + cols*(tile+filterGap), filterGap + rows*(tile+filterGap)
}

// FilterGrid writes the filters of the first convolution of w's trunk as
// a PNG grid, one tile per output filter in order, row by row. With the
// FeaturesV1 inputs a tile's colour channels are the filter's weights on
// three input planes: red on the mover's stones, green on empty points,
// blue on the opponent's stones. A network with fewer than 3 input planes
// is shown in grey (the mean over its planes). Each filter is normalised
// on its own: mid-grey is 0, full intensity its largest magnitude.
func FilterGrid(w *nets.Weights, out string) error {
	if w == nil {
		return errors.New("plot: FilterGrid: no weights")
	}
	conv := -1
	for i, l := range w.Spec.Trunk {
		if l.Kind == nets.KindConv {
			conv = i
			break
		}
	}
	if conv < 0 {
		return fmt.Errorf("plot: FilterGrid: network %q has no convolution in its trunk", w.Spec.Name)
	}
	t := w.Tensor(fmt.Sprintf("trunk.%d.w", conv))
	if t == nil || len(t.Shape) != 4 || t.Shape[2] != t.Shape[3] || t.Shape[0] < 1 || t.Shape[1] < 1 ||
		len(t.Data) != t.Shape[0]*t.Shape[1]*t.Shape[2]*t.Shape[3] {
		return fmt.Errorf("plot: FilterGrid: network %q: bad first convolution tensor", w.Spec.Name)
	}
	n, planes, k := t.Shape[0], t.Shape[1], t.Shape[2]
	scale, cols, _, width, height := filterLayout(n, k)
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	at := func(f, c, y, x int) float64 { return float64(t.Data[((f*planes+c)*k+y)*k+x]) }
	for f := range n {
		// The channel values of the k x k cells.
		rgb := make([][3]float64, k*k)
		for y := range k {
			for x := range k {
				var v [3]float64
				if planes >= 3 {
					v = [3]float64{at(f, nets.PlaneOwn, y, x), at(f, nets.PlaneEmpty, y, x), at(f, nets.PlaneOpp, y, x)}
				} else {
					m := 0.0
					for c := range planes {
						m += at(f, c, y, x)
					}
					m /= float64(planes)
					v = [3]float64{m, m, m}
				}
				rgb[y*k+x] = v
			}
		}
		peak := 0.0
		for _, v := range rgb {
			for _, c := range v {
				if !finite(c) {
					return fmt.Errorf("plot: FilterGrid: filter %d holds %v", f, c)
				}
				peak = max(peak, math.Abs(c))
			}
		}
		if peak == 0 {
			peak = 1
		}
		x0 := filterGap + (f%cols)*(k*scale+filterGap)
		y0 := filterGap + (f/cols)*(k*scale+filterGap)
		for y := range k {
			for x := range k {
				v := rgb[y*k+x]
				c := color.RGBA{level(v[0] / peak), level(v[1] / peak), level(v[2] / peak), 0xff}
				for dy := range scale {
					for dx := range scale {
						img.SetRGBA(x0+x*scale+dx, y0+y*scale+dy, c)
					}
				}
			}
		}
	}
	return writePNG(out, img)
}

// level maps -1..1 to 0..255 with 0 at mid-grey.
func level(v float64) uint8 {
	return uint8(math.Round(127.5 + 127.5*max(-1, min(1, v))))
}
