package fasttrain

// Activations are channel-major across the batch: a map of C channels for
// N positions of H x W is C rows of N*H*W values (row stride cs = N*H*W),
// so that one GEMM covers every position of a batch.

// im2col writes columns [c0, c0+cnt) of the lowered input into col
// ((c*k*k) x cnt, row (ch*k+i)*k+j): column p (position p/(h*w), pixel
// p%(h*w)) holds src[ch, y+i-k/2, x+j-k/2] or 0 outside the map. src is
// channel-major with channel stride cs. (The same lowering as nets/cpu.)
func im2col(src []float32, cs, c, h, w, k, c0, cnt int, col []float32) {
	pad := k / 2
	hw := h * w
	for ch := range c {
		plane := src[ch*cs:]
		for i := range k {
			dy := i - pad
			for j := range k {
				dx := j - pad
				row := col[((ch*k+i)*k+j)*cnt:][:cnt]
				pos, r := c0/hw, c0%hw
				y, x := r/w, r%w
				for t := 0; t < cnt; {
					run := min(w-x, cnt-t)
					seg := row[t : t+run]
					sy := y + dy
					if sy < 0 || sy >= h {
						clear(seg)
					} else {
						// Valid u: 0 <= x+u+dx < w.
						uLo := max(0, -dx-x)
						uHi := min(run, w-dx-x)
						if uHi <= uLo {
							clear(seg)
						} else {
							clear(seg[:uLo])
							base := pos*hw + sy*w + x + dx
							copy(seg[uLo:uHi], plane[base+uLo:base+uHi])
							clear(seg[uHi:])
						}
					}
					t += run
					x += run
					if x == w {
						x = 0
						y++
						if y == h {
							y = 0
							pos++
						}
					}
				}
			}
		}
	}
}

// col2im is the adjoint of im2col: it adds every entry of col ((c*k*k) x
// cnt, columns [c0, c0+cnt) of the lowered map) into the input pixel it
// was copied from in dst (channel-major, channel stride cs); entries that
// came from the zero padding are dropped. Columns of one position only
// touch that position's pixels, so callers that own whole positions may
// run concurrently.
func col2im(col []float32, dst []float32, cs, c, h, w, k, c0, cnt int) {
	pad := k / 2
	hw := h * w
	for ch := range c {
		plane := dst[ch*cs:]
		for i := range k {
			dy := i - pad
			for j := range k {
				dx := j - pad
				row := col[((ch*k+i)*k+j)*cnt:][:cnt]
				pos, r := c0/hw, c0%hw
				y, x := r/w, r%w
				for t := 0; t < cnt; {
					run := min(w-x, cnt-t)
					if sy := y + dy; sy >= 0 && sy < h {
						uLo := max(0, -dx-x)
						uHi := min(run, w-dx-x)
						if uLo < uHi {
							base := pos*hw + sy*w + x + dx
							d := plane[base+uLo : base+uHi]
							for u, v := range row[t+uLo : t+uHi] {
								d[u] += v
							}
						}
					}
					t += run
					x += run
					if x == w {
						x = 0
						y++
						if y == h {
							y = 0
							pos++
						}
					}
				}
			}
		}
	}
}
