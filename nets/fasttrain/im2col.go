package fasttrain

// Activations are channel-major across the batch: a map of C channels for
// N positions of H x W is C rows of N*H*W values (row stride cs = N*H*W),
// so that one GEMM covers every position of a batch.

// rowRange returns the output rows [lo, hi) whose source row y+dy lies
// inside a map of h rows.
func rowRange(h, dy int) (lo, hi int) {
	return max(0, -dy), min(h, h-dy)
}

// im2col writes the lowered input of the np whole positions from p0 into
// col ((c*k*k) x np*h*w, row (ch*k+i)*k+j): column q (position p0 +
// q/(h*w), pixel q%(h*w)) holds src[ch, y+i-k/2, x+j-k/2] or 0 outside the
// map. src is channel-major with channel stride cs. Within a position a
// kernel offset is one shifted copy of the plane, with the columns that
// wrapped around a row edge zeroed after.
func im2col(src []float32, cs, c, h, w, k, p0, np int, col []float32) {
	pad := k / 2
	hw := h * w
	cnt := np * hw
	for ch := range c {
		plane := src[ch*cs:]
		for i := range k {
			dy := i - pad
			yLo, yHi := rowRange(h, dy)
			for j := range k {
				dx := j - pad
				row := col[((ch*k+i)*k+j)*cnt:][:cnt]
				off := dy*w + dx // source index minus destination index
				for p := range np {
					dst := row[p*hw:][:hw]
					if yLo >= yHi {
						clear(dst)
						continue
					}
					s := plane[(p0+p)*hw:][:hw]
					lo, hi := yLo*w, yHi*w
					clear(dst[:lo])
					clear(dst[hi:])
					a, b := max(lo, -off), min(hi, hw-off)
					clear(dst[lo:max(lo, a)])
					if a < b {
						copy(dst[a:b], s[a+off:b+off])
					}
					clear(dst[max(a, min(b, hi)):hi])
					switch {
					case dx < 0:
						for y := yLo; y < yHi; y++ {
							clear(dst[y*w : y*w-dx])
						}
					case dx > 0:
						for y := yLo; y < yHi; y++ {
							clear(dst[y*w+w-dx : y*w+w])
						}
					}
				}
			}
		}
	}
}

// col2im is the adjoint of im2col: it adds every entry of col ((c*k*k) x
// np*h*w, the lowered map of the np whole positions from p0) into the
// input pixel it was copied from in dst (channel-major, channel stride
// cs); entries that came from the zero padding are dropped. It touches
// only those positions' pixels, so callers that own disjoint positions
// may run concurrently.
func col2im(col []float32, dst []float32, cs, c, h, w, k, p0, np int) {
	pad := k / 2
	hw := h * w
	cnt := np * hw
	for ch := range c {
		plane := dst[ch*cs:]
		for i := range k {
			dy := i - pad
			yLo, yHi := rowRange(h, dy)
			for j := range k {
				dx := j - pad
				xLo, xHi := max(0, -dx), min(w, w-dx)
				if xLo >= xHi {
					continue
				}
				row := col[((ch*k+i)*k+j)*cnt:][:cnt]
				for p := range np {
					d := plane[(p0+p)*hw:][:hw]
					r := row[p*hw:][:hw]
					for y := yLo; y < yHi; y++ {
						dd := d[(y+dy)*w+xLo+dx : (y+dy)*w+xHi+dx]
						for x, v := range r[y*w+xLo : y*w+xHi] {
							dd[x] += v
						}
					}
				}
			}
		}
	}
}
