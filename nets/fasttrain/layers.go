package fasttrain

import (
	"math"

	"github.com/tengen-go/tengen/nets"
)

// convLayer is a k x k convolution (stride 1, same padding) with bias and
// an optional fused ReLU. Workers own whole positions: forward lowers a
// block of columns with im2col (or reads the input in place when k == 1)
// and multiplies by the weights (F x C*k*k); backward recomputes the
// lowering and accumulates dW^T += col * dY^T into a partial per group of
// positions (a split of the batch fixed whatever the thread count, so
// results do not depend on it), then dcol = W^T * dY is scattered back
// by col2im. A second phase sums the partials in order.
type convLayer struct {
	t          *Trainer
	in, out    *act
	c, f, h, w int
	k          int
	relu       bool
	accum      bool // add into in.g (the second of two consumers of in)
	needDX     bool // in.g exists
	wt, b      *param
	dw, db     [][]float32 // partial gradients per group of positions, dW transposed
	acc        []float32   // their sum, transposed

	fwdFn, bwdFn, sumFn func(w, t int)
}

func (l *convLayer) bind() {
	l.needDX = l.in.g != nil
	l.fwdFn, l.bwdFn, l.sumFn = l.fwdPart, l.bwdPart, l.sumPart
}

func (l *convLayer) forward() { l.t.pool.run(l.fwdFn) }

func (l *convLayer) backward() {
	l.t.pool.run(l.bwdFn)
	l.t.pool.run(l.sumFn)
}

func (l *convLayer) fwdPart(w, nt int) {
	hw := l.h * l.w
	cols := l.t.n * hw
	src, dst := l.in.x, l.out.x
	ckk := l.c * l.k * l.k
	s := l.t.scratch[w]
	plo, phi := span(l.t.n, w, nt)
	ipb := max(1, colBlock/hw) // positions per block
	for p := plo; p < phi; p += ipb {
		np := min(ipb, phi-p)
		c0, cnt := p*hw, np*hw
		if l.k == 1 {
			s.gemm(false, false, l.f, cnt, l.c, 1, l.wt.w, l.c, src[c0:], cols, 0, dst[c0:], cols)
		} else {
			im2col(src, cols, l.c, l.h, l.w, l.k, p, np, s.col)
			s.gemm(false, false, l.f, cnt, ckk, 1, l.wt.w, ckk, s.col, cnt, 0, dst[c0:], cols)
		}
		for f, bf := range l.b.w {
			row := dst[f*cols+c0:][:cnt]
			if l.relu {
				for i, v := range row {
					row[i] = max(v+bf, 0)
				}
			} else {
				for i := range row {
					row[i] += bf
				}
			}
		}
	}
}

func (l *convLayer) bwdPart(w, nt int) {
	glo, ghi := span(len(l.dw), w, nt)
	for g := glo; g < ghi; g++ {
		plo, phi := span(l.t.n, g, len(l.dw))
		l.bwdGroup(l.t.scratch[w], l.dw[g], l.db[g], plo, phi)
	}
}

// bwdGroup is the backward pass of positions [plo, phi) with partial
// gradients dw (transposed) and db.
func (l *convLayer) bwdGroup(s *scratch, dw, db []float32, plo, phi int) {
	hw := l.h * l.w
	cols := l.t.n * hw
	src, y, dy := l.in.x, l.out.x, l.out.g
	ckk := l.c * l.k * l.k
	clear(dw)
	clear(db)
	if l.needDX && !l.accum && l.k > 1 {
		for ch := range l.c {
			clear(l.in.g[ch*cols+plo*hw : ch*cols+phi*hw])
		}
	}
	ipb := max(1, colBlock/hw) // positions per block
	for p := plo; p < phi; p += ipb {
		np := min(ipb, phi-p)
		c0, cnt := p*hw, np*hw
		for f := range l.f {
			row := dy[f*cols+c0:][:cnt]
			if l.relu {
				for i, v := range y[f*cols+c0:][:cnt] {
					if v <= 0 {
						row[i] = 0
					}
				}
			}
			var sum float32
			for _, v := range row {
				sum += v
			}
			db[f] += sum
		}
		// The partial is dW^T (C*k*k x F) = col * dY^T: the lowered block
		// is read in place by the GEMM and only the narrow dY is packed.
		if l.k == 1 {
			s.gemm(false, true, l.c, l.f, cnt, 1, src[c0:], cols, dy[c0:], cols, 1, dw, l.f)
			if l.needDX {
				beta := float32(0)
				if l.accum {
					beta = 1
				}
				s.gemm(true, false, l.c, cnt, l.f, 1, l.wt.w, l.c, dy[c0:], cols, beta, l.in.g[c0:], cols)
			}
			continue
		}
		im2col(src, cols, l.c, l.h, l.w, l.k, p, np, s.col)
		s.gemm(false, true, ckk, l.f, cnt, 1, s.col, cnt, dy[c0:], cols, 1, dw, l.f)
		if l.needDX {
			s.gemm(true, false, ckk, cnt, l.f, 1, l.wt.w, ckk, dy[c0:], cols, 0, s.dcol, cnt)
			col2im(s.dcol, l.in.g, cols, l.c, l.h, l.w, l.k, p, np)
		}
	}
}

// sumPart adds the groups' partial gradients into the parameters': each
// worker sums a range of rows of dW^T contiguously into acc, then writes
// them transposed.
func (l *convLayer) sumPart(w, nt int) {
	ckk := len(l.wt.g) / l.f
	lo, hi := span(ckk, w, nt)
	acc := l.acc[lo*l.f : hi*l.f]
	copy(acc, l.dw[0][lo*l.f:hi*l.f])
	for _, p := range l.dw[1:] {
		for i, v := range p[lo*l.f : hi*l.f] {
			acc[i] += v
		}
	}
	for r := lo; r < hi; r++ {
		for f, v := range acc[(r-lo)*l.f:][:l.f] {
			l.wt.g[f*ckk+r] = v
		}
	}
	if w == 0 {
		copy(l.b.g, l.db[0])
		for _, p := range l.db[1:] {
			for i, v := range p {
				l.b.g[i] += v
			}
		}
	}
}

// bnLayer is batch normalisation with batch statistics, split across
// workers by channel.
type bnLayer struct {
	t                      *Trainer
	in, out                *act
	gamma, beta            *param
	eps                    float64
	hw                     int
	mean, variance, invStd []float32 // batch statistics (variance biased)
	runMean, runVar        []float32 // the weights' running statistics
	fwdFn, bwdFn           func(w, t int)
}

func (l *bnLayer) bind()     { l.fwdFn, l.bwdFn = l.fwdPart, l.bwdPart }
func (l *bnLayer) forward()  { l.t.pool.run(l.fwdFn) }
func (l *bnLayer) backward() { l.t.pool.run(l.bwdFn) }

func (l *bnLayer) fwdPart(w, nt int) {
	cs := l.t.n * l.hw
	lo, hi := span(len(l.mean), w, nt)
	for c := lo; c < hi; c++ {
		x := l.in.x[c*cs:][:cs]
		var sum float64
		for _, v := range x {
			sum += float64(v)
		}
		mean := sum / float64(cs)
		var sq float64
		for _, v := range x {
			d := float64(v) - mean
			sq += d * d
		}
		variance := sq / float64(cs)
		inv := 1 / math.Sqrt(variance+l.eps)
		l.mean[c], l.variance[c], l.invStd[c] = float32(mean), float32(variance), float32(inv)
		scale := float32(float64(l.gamma.w[c]) * inv)
		shift := l.beta.w[c] - float32(mean)*scale
		y := l.out.x[c*cs:][:cs]
		for i, v := range x {
			y[i] = v*scale + shift
		}
	}
}

func (l *bnLayer) bwdPart(w, nt int) {
	cs := l.t.n * l.hw
	lo, hi := span(len(l.mean), w, nt)
	for c := lo; c < hi; c++ {
		x := l.in.x[c*cs:][:cs]
		dy := l.out.g[c*cs:][:cs]
		mean, inv := l.mean[c], l.invStd[c]
		var sdy, sdyx float64
		for i, v := range dy {
			sdy += float64(v)
			sdyx += float64(v) * float64((x[i]-mean)*inv)
		}
		l.beta.g[c] = float32(sdy)
		l.gamma.g[c] = float32(sdyx)
		if l.in.g == nil {
			continue
		}
		// dx = gamma*inv*(dy - mean(dy) - xhat*mean(dy*xhat)).
		k := float32(float64(l.gamma.w[c]) * float64(inv))
		mdy, mdyx := float32(sdy/float64(cs)), float32(sdyx/float64(cs))
		dx := l.in.g[c*cs:][:cs]
		for i, v := range dy {
			dx[i] = k * (v - mdy - (x[i]-mean)*inv*mdyx)
		}
	}
}

// elemLayer is an element-wise layer: ReLU, tanh or dropout (multiplying
// by a mask drawn per step).
type elemLayer struct {
	t       *Trainer
	in, out *act
	kind    string
	mask    []float32 // dropout

	fwdFn, bwdFn func(w, t int)
}

func (l *elemLayer) bind()    { l.fwdFn, l.bwdFn = l.fwdPart, l.bwdPart }
func (l *elemLayer) forward() { l.t.pool.run(l.fwdFn) }
func (l *elemLayer) backward() {
	if l.in.g != nil {
		l.t.pool.run(l.bwdFn)
	}
}

func (l *elemLayer) fwdPart(w, nt int) {
	lo, hi := span(len(l.in.x), w, nt)
	x, y := l.in.x[lo:hi], l.out.x[lo:hi]
	switch l.kind {
	case nets.KindReLU:
		for i, v := range x {
			y[i] = max(v, 0)
		}
	case nets.KindTanh:
		for i, v := range x {
			y[i] = float32(math.Tanh(float64(v)))
		}
	case nets.KindDropout:
		m := l.mask[lo:hi]
		for i, v := range x {
			y[i] = v * m[i]
		}
	}
}

func (l *elemLayer) bwdPart(w, nt int) {
	lo, hi := span(len(l.in.x), w, nt)
	y, dy, dx := l.out.x[lo:hi], l.out.g[lo:hi], l.in.g[lo:hi]
	switch l.kind {
	case nets.KindReLU:
		for i, v := range y {
			if v > 0 {
				dx[i] = dy[i]
			} else {
				dx[i] = 0
			}
		}
	case nets.KindTanh:
		for i, v := range y {
			dx[i] = dy[i] * (1 - v*v)
		}
	case nets.KindDropout:
		m := l.mask[lo:hi]
		for i, v := range dy {
			dx[i] = v * m[i]
		}
	}
}

// lrnLayer is AlexNet's local response normalisation across channels:
// y[c] = x[c] * d[c]^-beta, d[c] = k + alpha/N * sum of x[j]^2 over the
// window |j-c| <= N/2. It keeps d and s = d^-beta for backward:
// dx[j] = dy[j]*s[j] - 2*beta*alpha/N * x[j] * sum over the window of
// dy[c]*y[c]/d[c].
type lrnLayer struct {
	t       *Trainer
	in, out *act
	c, n    int
	k       float32
	alphaN  float32
	beta    float64
	d, s    []float32

	fwdFn, bwdFn func(w, t int)
}

func (l *lrnLayer) bind()    { l.fwdFn, l.bwdFn = l.fwdPart, l.bwdPart }
func (l *lrnLayer) forward() { l.t.pool.run(l.fwdFn) }
func (l *lrnLayer) backward() {
	if l.in.g != nil {
		l.t.pool.run(l.bwdFn)
	}
}

func (l *lrnLayer) fwdPart(w, nt int) {
	cs := len(l.in.x) / l.c
	half := l.n / 2
	sum := l.t.scratch[w].tmp[:colBlock]
	lo, hi := span(cs, w, nt)
	for c0 := lo; c0 < hi; c0 += colBlock {
		cnt := min(colBlock, hi-c0)
		sm := sum[:cnt]
		for ch := range l.c {
			clear(sm)
			for j := max(0, ch-half); j <= min(l.c-1, ch+half); j++ {
				for i, v := range l.in.x[j*cs+c0:][:cnt] {
					sm[i] += v * v
				}
			}
			off := ch*cs + c0
			x, y, d, s := l.in.x[off:][:cnt], l.out.x[off:][:cnt], l.d[off:][:cnt], l.s[off:][:cnt]
			for i, v := range sm {
				dd := l.k + l.alphaN*v
				d[i] = dd
				var sc float32
				if l.beta == 0.75 {
					f := float64(dd)
					sc = float32(1 / math.Sqrt(f*math.Sqrt(f)))
				} else {
					sc = float32(math.Pow(float64(dd), -l.beta))
				}
				s[i] = sc
				y[i] = x[i] * sc
			}
		}
	}
}

func (l *lrnLayer) bwdPart(w, nt int) {
	cs := len(l.in.x) / l.c
	half := l.n / 2
	tmp := l.t.scratch[w].tmp
	lo, hi := span(cs, w, nt)
	coef := float32(2 * l.beta * float64(l.alphaN))
	for c0 := lo; c0 < hi; c0 += colBlock {
		cnt := min(colBlock, hi-c0)
		// tmp[c] = dy*y/d for the block.
		for ch := range l.c {
			off := ch*cs + c0
			tr := tmp[ch*cnt:][:cnt]
			dy, y, d := l.out.g[off:][:cnt], l.out.x[off:][:cnt], l.d[off:][:cnt]
			for i, v := range dy {
				tr[i] = v * y[i] / d[i]
			}
		}
		for ch := range l.c {
			off := ch*cs + c0
			dx, dy, x, s := l.in.g[off:][:cnt], l.out.g[off:][:cnt], l.in.x[off:][:cnt], l.s[off:][:cnt]
			lo, hi := max(0, ch-half), min(l.c-1, ch+half)
			for i := range dx {
				var acc float32
				for j := lo; j <= hi; j++ {
					acc += tmp[j*cnt+i]
				}
				dx[i] = dy[i]*s[i] - coef*x[i]*acc
			}
		}
	}
}

// poolLayer is max pooling (window size, stride, padding size/2 that
// never wins). Forward records the winning input pixel of every output
// (the first maximum in window order); backward routes each output's
// gradient there. Workers split the (channel, position) planes.
type poolLayer struct {
	t            *Trainer
	in, out      *act
	size, stride int
	arg          []int32 // per output: index of the winner in its input plane

	fwdFn, bwdFn func(w, t int)
}

func (l *poolLayer) bind()    { l.fwdFn, l.bwdFn = l.fwdPart, l.bwdPart }
func (l *poolLayer) forward() { l.t.pool.run(l.fwdFn) }
func (l *poolLayer) backward() {
	if l.in.g != nil {
		l.t.pool.run(l.bwdFn)
	}
}

func (l *poolLayer) fwdPart(w, nt int) {
	is, os := l.in.shape, l.out.shape
	ihw, ohw := is.H*is.W, os.H*os.W
	pad := l.size / 2
	planes := is.C * l.t.n
	lo, hi := span(planes, w, nt)
	for p := lo; p < hi; p++ {
		in := l.in.x[p*ihw:][:ihw]
		out := l.out.x[p*ohw:][:ohw]
		arg := l.arg[p*ohw:][:ohw]
		if l.size == 3 && l.stride == 1 && is.W >= 2 && is.H >= 2 {
			pool3(in, out, arg, l.t.scratch[w].pv, l.t.scratch[w].pi, is.H, is.W)
			continue
		}
		for oy := range os.H {
			y0, y1 := max(0, oy*l.stride-pad), min(is.H-1, oy*l.stride-pad+l.size-1)
			for ox := range os.W {
				x0, x1 := max(0, ox*l.stride-pad), min(is.W-1, ox*l.stride-pad+l.size-1)
				best := y0*is.W + x0
				m := in[best]
				for y := y0; y <= y1; y++ {
					row := in[y*is.W:]
					for x := x0; x <= x1; x++ {
						if v := row[x]; v > m {
							m, best = v, y*is.W+x
						}
					}
				}
				out[oy*os.W+ox] = m
				arg[oy*os.W+ox] = int32(best)
			}
		}
	}
}

func (l *poolLayer) bwdPart(w, nt int) {
	ihw, ohw := l.in.shape.H*l.in.shape.W, l.out.shape.H*l.out.shape.W
	planes := l.in.shape.C * l.t.n
	lo, hi := span(planes, w, nt)
	for p := lo; p < hi; p++ {
		dx := l.in.g[p*ihw:][:ihw]
		clear(dx)
		dy := l.out.g[p*ohw:][:ohw]
		for o, a := range l.arg[p*ohw:][:ohw] {
			dx[a] += dy[o]
		}
	}
}

// pool3 is 3x3 max pooling with stride 1 on an h x w plane (h, w >= 2),
// separably: the first maximum of each row's window (value rv, index ri,
// h*w scratch each), then the first of those down the column, which is
// the first maximum of the window in row-major order.
func pool3(in, out []float32, arg []int32, rv []float32, ri []int32, h, w int) {
	rv, ri = rv[:h*w], ri[:h*w]
	for y := range h {
		row := in[y*w:][:w]
		v := rv[y*w:][:w]
		ix := ri[y*w:][:w]
		base := int32(y * w)
		for x := range w {
			x0, x1 := max(0, x-1), min(w-1, x+1)
			m, b := row[x0], x0
			for j := x0 + 1; j <= x1; j++ {
				if row[j] > m {
					m, b = row[j], j
				}
			}
			v[x], ix[x] = m, base+int32(b)
		}
	}
	for y := range h {
		y0, y1 := max(0, y-1), min(h-1, y+1)
		o := out[y*w:][:w]
		a := arg[y*w:][:w]
		copy(o, rv[y0*w:][:w])
		copy(a, ri[y0*w:][:w])
		for yy := y0 + 1; yy <= y1; yy++ {
			v := rv[yy*w:][:w]
			ix := ri[yy*w:][:w]
			for x, m := range v {
				if m > o[x] {
					o[x], a[x] = m, ix[x]
				}
			}
		}
	}
}
