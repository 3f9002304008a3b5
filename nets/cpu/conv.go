package cpu

import (
	"math"

	"github.com/tengen-go/tengen/nets"
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
		if o.k == 1 {
			s.gemm(false, false, o.f, cnt, o.c, 1, o.wt, o.c, src[c0:], cols, 0, dst[c0:], cols)
		} else {
			im2col(src, cols, o.c, o.h, o.w, o.k, c0, cnt, s.col)
			s.gemm(false, false, o.f, cnt, ckk, 1, o.wt, ckk, s.col, cnt, 0, dst[c0:], cols)
		}
		biasAct(dst, cols, c0, cnt, o.bias, o.act)
	}
}

// im2col writes columns [c0, c0+cnt) of the lowered input into col
// ((c*k*k) x cnt, row (ch*k+i)*k+j): column p (position p/(h*w), pixel
// p%(h*w)) holds src[ch, y+i-k/2, x+j-k/2] or 0 outside the map. src is
// channel-major with channel stride cs.
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

// biasAct adds bias[f] to columns [c0, c0+cnt) of every row f of dst (row
// stride cs) and applies act.
func biasAct(dst []float32, cs, c0, cnt int, bias []float32, act actKind) {
	for f, bf := range bias {
		row := dst[f*cs+c0:][:cnt]
		switch act {
		case actReLU:
			for i, v := range row {
				row[i] = max(v+bf, 0)
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
		winoInput(src, cs, o.c, o.h, o.w, t0, pb, s.v, s.off, s.inner)
		for xi := range 16 {
			s.gemm(false, false, o.f, pb, o.c, 1, o.u[xi*o.f*o.c:], o.c, s.v[xi*o.c*pb:], pb, 0, s.m[xi*o.f*pb:], pb)
		}
		winoOutput(s.m, dst, cs, o.f, o.h, o.w, t0, pb, o.bias, o.act)
	}
}

// winoInput writes V = B^T d B for tiles [t0, t0+pb) of every channel into
// v (16 x c x pb). off and inner are scratch of length pb.
func winoInput(src []float32, cs, c, h, w, t0, pb int, v []float32, off []int, inner []bool) {
	tx, ty := (w+1)/2, (h+1)/2
	tp := tx * ty
	hw := h * w
	for p := range pb {
		tile := t0 + p
		pos, r := tile/tp, tile%tp
		y0, x0 := 2*(r/tx)-1, 2*(r%tx)-1
		off[p] = pos*hw + y0*w + x0 // may be negative for border tiles
		inner[p] = y0 >= 0 && x0 >= 0 && y0+3 < h && x0+3 < w
	}
	stride := c * pb // between the 16 components
	var d [16]float32
	for ch := range c {
		plane := src[ch*cs:]
		vs := v[ch*pb:]
		for p := range pb {
			if inner[p] {
				o := off[p]
				r0 := plane[o:][:4]
				r1 := plane[o+w:][:4]
				r2 := plane[o+2*w:][:4]
				r3 := plane[o+3*w:][:4]
				d = [16]float32{r0[0], r0[1], r0[2], r0[3], r1[0], r1[1], r1[2], r1[3],
					r2[0], r2[1], r2[2], r2[3], r3[0], r3[1], r3[2], r3[3]}
			} else {
				tile := t0 + p
				pos, r := tile/tp, tile%tp
				y0, x0 := 2*(r/tx)-1, 2*(r%tx)-1
				pl := plane[pos*hw:][:hw]
				for i := range 4 {
					y := y0 + i
					for j := range 4 {
						x := x0 + j
						if y >= 0 && y < h && x >= 0 && x < w {
							d[4*i+j] = pl[y*w+x]
						} else {
							d[4*i+j] = 0
						}
					}
				}
			}
			// t = B^T d (rows), then V = t B (columns).
			var tt [16]float32
			for j := range 4 {
				d0, d1, d2, d3 := d[j], d[4+j], d[8+j], d[12+j]
				tt[j] = d0 - d2
				tt[4+j] = d1 + d2
				tt[8+j] = d2 - d1
				tt[12+j] = d1 - d3
			}
			for i := range 4 {
				a0, a1, a2, a3 := tt[4*i], tt[4*i+1], tt[4*i+2], tt[4*i+3]
				vs[(4*i)*stride+p] = a0 - a2
				vs[(4*i+1)*stride+p] = a1 + a2
				vs[(4*i+2)*stride+p] = a2 - a1
				vs[(4*i+3)*stride+p] = a1 - a3
			}
		}
	}
}

// winoOutput turns the products m (16 x f x pb) of tiles [t0, t0+pb) into
// output pixels Y = A^T M A, adds the bias, applies act and writes dst.
func winoOutput(m, dst []float32, cs, f, h, w, t0, pb int, bias []float32, act actKind) {
	tx, ty := (w+1)/2, (h+1)/2
	tp := tx * ty
	hw := h * w
	stride := f * pb
	for o := range f {
		bo := bias[o]
		for p := range pb {
			tile := t0 + p
			pos, r := tile/tp, tile%tp
			y0, x0 := 2*(r/tx), 2*(r%tx)
			base := o*pb + p
			var mm [16]float32
			for xi := range 16 {
				mm[xi] = m[xi*stride+base]
			}
			// s = A^T m: 2 x 4.
			var s [8]float32
			for j := range 4 {
				s[j] = mm[j] + mm[4+j] + mm[8+j]
				s[4+j] = mm[4+j] - mm[8+j] - mm[12+j]
			}
			y00 := s[0] + s[1] + s[2] + bo
			y01 := s[1] - s[2] - s[3] + bo
			y10 := s[4] + s[5] + s[6] + bo
			y11 := s[5] - s[6] - s[7] + bo
			switch act {
			case actReLU:
				y00, y01, y10, y11 = max(y00, 0), max(y01, 0), max(y10, 0), max(y11, 0)
			case actTanh:
				y00 = float32(math.Tanh(float64(y00)))
				y01 = float32(math.Tanh(float64(y01)))
				y10 = float32(math.Tanh(float64(y10)))
				y11 = float32(math.Tanh(float64(y11)))
			}
			plane := dst[o*cs+pos*hw:][:hw]
			i := y0*w + x0
			plane[i] = y00
			if x0+1 < w {
				plane[i+1] = y01
			}
			if y0+1 < h {
				plane[i+w] = y10
				if x0+1 < w {
					plane[i+w+1] = y11
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
	return u
}
