package cpu

import (
	"math"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/internal/qgemm"
	"github.com/tengen-go/tengen/nets/internal/sgemm"
)

// inputOp copies the caller's NCHW positions into channel-major
// activations: C x (N*H*W).
type inputOp struct {
	out   int
	shape nets.Shape
}

func (o *inputOp) run(b *Backend, w, t int) {
	n, hw, c := b.n, o.shape.H*o.shape.W, o.shape.C
	cs := n * hw
	dst := b.act[o.out]
	lo, hi := span(n*c, w, t)
	for p := lo; p < hi; p++ {
		pos, ch := p/c, p%c
		copy(dst[ch*cs+pos*hw:ch*cs+pos*hw+hw], b.in[p*hw:(p+1)*hw])
	}
}

// convOp is a k x k convolution (stride 1, same padding) by im2col + GEMM,
// or a plain GEMM when k == 1, with bias and a fused activation.
type convOp struct {
	in, out    int
	c, f, h, w int
	k          int
	wt, bias   []float32 // wt: f x (c*k*k)
	act        actKind

	qi int               // index among the Int8-quantisable convolutions, or -1
	bf *qgemm.BF16Matrix // BF16: wt rounded
	q  *qgemm.Int8Matrix // Int8: wt quantised
	qs float32           // Int8: the input step
	pa *sgemm.PackedA    // FP32 with the built-in GEMM: wt packed ahead
}

func (o *convOp) run(b *Backend, w, t int) {
	hw := o.h * o.w
	cols := b.n * hw
	src, dst := b.act[o.in], b.act[o.out]
	ckk := o.c * o.k * o.k
	s := b.scratch[w]
	lo, hi := span(cols, w, t)
	for c0 := lo; c0 < hi; c0 += colBlock {
		cnt := min(colBlock, hi-c0)
		x, ldx := src[c0:], cols // the GEMM's B: ckk x cnt
		if o.k > 1 {
			im2col(src, cols, o.c, o.h, o.w, o.k, c0, cnt, s.col)
			x, ldx = s.col, cnt
		}
		if b.recorder != nil && o.qi >= 0 {
			for ch := range o.c { // the inputs themselves: im2col repeats them
				b.recorder.record(o.qi, src[ch*cols+c0:][:cnt])
			}
		}
		fused := o.act != actTanh // ReLU and no activation fuse into the kernels' store
		bias := o.bias
		if !fused {
			bias = nil
		}
		switch {
		case o.q != nil:
			s.q.Int8(o.q, cnt, x, ldx, o.qs, dst[c0:], cols, bias, o.act == actReLU)
		case o.bf != nil:
			s.q.BF16(o.bf, cnt, x, ldx, dst[c0:], cols, bias, o.act == actReLU)
		case o.pa != nil && s.pgemm != nil:
			s.pgemm(o.pa, cnt, x, ldx, dst[c0:], cols)
			fused = false
		default:
			s.gemm(false, false, o.f, cnt, ckk, 1, o.wt, ckk, x, ldx, 0, dst[c0:], cols)
			fused = false
		}
		if !fused {
			biasAct(dst, cols, c0, cnt, o.bias, o.act)
		}
	}
}

// im2col writes columns [c0, c0+cnt) of the lowered input into col
// ((c*k*k) x cnt, row (ch*k+i)*k+j): column p (position p/(h*w), pixel
// p%(h*w)) holds src[ch, y+i-k/2, x+j-k/2] or 0 outside the map. src is
// channel-major with channel stride cs.
func im2col(src []float32, cs, c, h, w, k, c0, cnt int, col []float32) {
	pad := k / 2
	hw := h * w
	if hasAVX512 && w <= 32 && cnt > 0 && c > 0 {
		// The same rows, a run of pixels a masked load and store; the
		// lanes it loads lie in the planes of positions c0/hw to
		// (c0+cnt-1)/hw.
		pos, r := c0/hw, c0%hw
		_ = src[(c-1)*cs+((c0+cnt-1)/hw+1)*hw-1]
		_ = col[c*k*k*cnt-1]
		for ch := range c {
			for i := range k {
				for j := range k {
					im2colRowAVX512(&col[((ch*k+i)*k+j)*cnt], &src[ch*cs], cnt, h, w, i-pad, j-pad, pos, r/w, r%w)
				}
			}
		}
		return
	}
	im2colGo(src, cs, c, h, w, k, c0, cnt, col)
}

// im2colGo is im2col in Go (the AVX-512 kernel's reference).
func im2colGo(src []float32, cs, c, h, w, k, c0, cnt int, col []float32) {
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

// relu returns max(x, 0) without branches (a negative x, -0 included,
// gives +0; NaN with the sign bit clear stays NaN). It is cheaper than the
// builtin max, which orders -0 and NaN.
func relu(x float32) float32 {
	b := math.Float32bits(x)
	return math.Float32frombits(b &^ uint32(int32(b)>>31))
}

// biasAct adds bias[f] to columns [c0, c0+cnt) of every row f of dst (row
// stride cs) and applies act.
func biasAct(dst []float32, cs, c0, cnt int, bias []float32, act actKind) {
	for f, bf := range bias {
		row := dst[f*cs+c0:][:cnt]
		switch act {
		case actReLU:
			for i, v := range row {
				row[i] = relu(v + bf)
			}
		case actTanh:
			for i, v := range row {
				row[i] = float32(math.Tanh(float64(v + bf)))
			}
		default:
			for i := range row {
				row[i] += bf
			}
		}
	}
}

// winoOp is a 3x3 convolution by Winograd F(2x2, 3x3): each 4x4 input
// tile d (stride 2) becomes V = B^T d B, the 16 elementwise products with
// U = G g G^T summed over input channels are 16 GEMMs, and Y = A^T M A
// gives a 2x2 output tile.
type winoOp struct {
	in, out    int
	c, f, h, w int
	u, bias    []float32 // u: 16 x f x c
	act        actKind
}

func (o *winoOp) run(b *Backend, w, t int) {
	hw := o.h * o.w
	cs := b.n * hw
	tx, ty := (o.w+1)/2, (o.h+1)/2
	total := b.n * tx * ty
	s := b.scratch[w]
	src, dst := b.act[o.in], b.act[o.out]
	lo, hi := span(total, w, t)
	for t0 := lo; t0 < hi; t0 += tileBlock {
		pb := min(tileBlock, hi-t0)
		if hasAVX512 {
			winoInputAVX512(src, cs, o.c, o.h, o.w, t0, pb, s.v, s.segs)
		} else {
			winoInput(src, cs, o.c, o.h, o.w, t0, pb, s.v, s.rows, s.zeros)
		}
		for xi := range 16 {
			s.gemm(false, false, o.f, pb, o.c, 1, o.u[xi*o.f*o.c:], o.c, s.v[xi*winoStride(o.c, pb):], pb, 0, s.m[xi*winoStride(o.f, pb):], pb)
		}
		if hasAVX512 && o.act != actTanh {
			winoOutputAVX512(s.m, dst, cs, o.f, o.h, o.w, t0, pb, o.bias, o.act, s.segs)
		} else {
			winoOutput(s.m, dst, cs, o.f, o.h, o.w, t0, pb, o.bias, o.act, s.off, s.inner, s.wtmp)
		}
	}
}

// winoStride is the distance between the 16 components of Winograd
// tiles of c channels in blocks of pb: c*pb padded by 64 bytes, since
// strides of a multiple of 4 KiB would map all 16 streams to the same
// cache sets.
func winoStride(c, pb int) int { return c*pb + 16 }

// winoInput writes V = B^T d B for tiles [t0, t0+pb) of every channel into
// v (16 x c x pb, components winoStride apart). It is separable: for each
// row of tiles it first applies B^T to the tile row's 4 input rows over
// the whole (zero-padded) width, into rows (4*(w+3) scratch, zeros
// w wide scratch), then B to each tile's 4 columns.
func winoInput(src []float32, cs, c, h, w, t0, pb int, v, rows, zeros []float32) {
	tx, ty := (w+1)/2, (h+1)/2
	tp := tx * ty
	hw := h * w
	pw := w + 3 // padded row: input columns -1 .. w+1
	r0, r1, r2, r3 := rows[:pw], rows[pw:2*pw], rows[2*pw:3*pw], rows[3*pw:4*pw]
	for _, r := range [][]float32{r0, r1, r2, r3} {
		r[0], r[w+1], r[w+2] = 0, 0, 0
	}
	zeros = zeros[:w]
	stride := winoStride(c, pb)
	for ch := range c {
		plane := src[ch*cs:]
		vs := v[ch*pb:]
		for p := 0; p < pb; {
			tile := t0 + p
			pos, r := tile/tp, tile%tp
			tyi, txi := r/tx, r%tx
			pl := plane[pos*hw:][:hw]
			var d [4][]float32
			for i := range 4 {
				if y := 2*tyi - 1 + i; y >= 0 && y < h {
					d[i] = pl[y*w:][:w]
				} else {
					d[i] = zeros
				}
			}
			d0, d1, d2, d3 := d[0], d[1][:len(d[0])], d[2][:len(d[0])], d[3][:len(d[0])]
			q0, q1, q2, q3 := r0[1:w+1], r1[1:w+1], r2[1:w+1], r3[1:w+1]
			for x, a := range d0 {
				b, cc, e := d1[x], d2[x], d3[x]
				q0[x] = a - cc
				q1[x] = b + cc
				q2[x] = cc - b
				q3[x] = b - e
			}
			n := min(tx-txi, pb-p)
			for i, rr := range [4][]float32{r0, r1, r2, r3} {
				o0 := vs[(4*i)*stride+p:][:n]
				o1 := vs[(4*i+1)*stride+p:][:n]
				o2 := vs[(4*i+2)*stride+p:][:n]
				o3 := vs[(4*i+3)*stride+p:][:n]
				for k := range o0 {
					a := rr[2*(txi+k):][:4]
					a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
					o0[k] = a0 - a2
					o1[k] = a1 + a2
					o2[k] = a2 - a1
					o3[k] = a1 - a3
				}
			}
			p += n
		}
	}
}

// winoOutput turns the products m (16 x f x pb, components winoStride
// apart) of tiles [t0, t0+pb) into output pixels Y = A^T M A, adds the
// bias, applies act and writes dst. off and inner are scratch of length
// pb, tmp of 12*pb.
func winoOutput(m, dst []float32, cs, f, h, w, t0, pb int, bias []float32, act actKind, off []int, inner []bool, tmp []float32) {
	tx, ty := (w+1)/2, (h+1)/2
	tp := tx * ty
	hw := h * w
	for p := range pb {
		tile := t0 + p
		pos, r := tile/tp, tile%tp
		y0, x0 := 2*(r/tx), 2*(r%tx)
		off[p] = pos*hw + y0*w + x0
		inner[p] = y0+1 < h && x0+1 < w
	}
	stride := winoStride(f, pb)
	t := tmp[:8*pb]
	y := tmp[8*pb : 12*pb]
	y00, y01, y10, y11 := y[:pb], y[pb:2*pb], y[2*pb:3*pb], y[3*pb:]
	for o := range f {
		bo := bias[o]
		ms := m[o*pb:]
		// s = A^T m (2 x 4 per tile), one component pair at a time.
		for j := range 4 {
			a := ms[j*stride:][:pb]
			b := ms[(4+j)*stride:][:len(a)]
			c := ms[(8+j)*stride:][:len(a)]
			d := ms[(12+j)*stride:][:len(a)]
			s0, s1 := t[j*pb:][:len(a)], t[(4+j)*pb:][:len(a)]
			for p, av := range a {
				bv, cv := b[p], c[p]
				s0[p] = av + bv + cv
				s1[p] = bv - cv - d[p]
			}
		}
		// Y = s A, plus the bias.
		for r := range 2 {
			q0, q1, q2, q3 := t[4*r*pb:][:pb], t[(4*r+1)*pb:][:pb], t[(4*r+2)*pb:][:pb], t[(4*r+3)*pb:][:pb]
			ya, yb := y00, y01
			if r == 1 {
				ya, yb = y10, y11
			}
			for p, v0 := range q0 {
				v1, v2 := q1[p], q2[p]
				ya[p] = v0 + v1 + v2 + bo
				yb[p] = v1 - v2 - q3[p] + bo
			}
		}
		switch act {
		case actReLU:
			for i, v := range y {
				y[i] = relu(v)
			}
		case actTanh:
			for i, v := range y {
				y[i] = float32(math.Tanh(float64(v)))
			}
		}
		plane := dst[o*cs:]
		for p, i := range off[:pb] {
			if inner[p] {
				r0 := plane[i : i+2]
				r1 := plane[i+w : i+w+2]
				r0[0], r0[1], r1[0], r1[1] = y00[p], y01[p], y10[p], y11[p]
				continue
			}
			// A tile on the right or bottom edge of an odd-sized map.
			x0 := (i % hw) % w
			y0 := (i % hw) / w
			plane[i] = y00[p]
			if x0+1 < w {
				plane[i+1] = y01[p]
			}
			if y0+1 < h {
				plane[i+w] = y10[p]
				if x0+1 < w {
					plane[i+w+1] = y11[p]
				}
			}
		}
	}
}

// winogradWeights returns U = G g G^T for every (output, input) pair of
// the 3x3 weights wt (f x c x 3 x 3), laid out 16 x f x c.
func winogradWeights(wt []float32, f, c int) []float32 {
	u := make([]float32, 16*f*c)
	for o := range f {
		for ch := range c {
			g := wt[(o*c+ch)*9:][:9]
			// Gg: 4 x 3.
			var gg [12]float64
			for j := range 3 {
				g0, g1, g2 := float64(g[j]), float64(g[3+j]), float64(g[6+j])
				gg[j] = g0
				gg[3+j] = (g0 + g1 + g2) / 2
				gg[6+j] = (g0 - g1 + g2) / 2
				gg[9+j] = g2
			}
			for i := range 4 {
				a, bb, cc := gg[3*i], gg[3*i+1], gg[3*i+2]
				row := [4]float64{a, (a + bb + cc) / 2, (a - bb + cc) / 2, cc}
				for j := range 4 {
					u[((4*i+j)*f+o)*c+ch] = float32(row[j])
				}
			}
		}
	}
	nets.FlushDenormals(u) // tiny weights halved and quartered
	return u
}
