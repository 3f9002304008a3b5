package cpu

import (
	"math"

	"github.com/tengen-go/tengen/nets"
)

// actOp applies an activation in place to c x (n*hw) values.
type actOp struct {
	buf   int
	c, hw int
	act   actKind
}

func (o *actOp) run(b *Backend, w, t int) {
	x := b.act[o.buf][:o.c*b.n*o.hw]
	lo, hi := span(len(x), w, t)
	x = x[lo:hi]
	switch o.act {
	case actReLU:
		for i, v := range x {
			x[i] = relu(v)
		}
	case actTanh:
		for i, v := range x {
			x[i] = float32(math.Tanh(float64(v)))
		}
	}
}

// lrnOp is AlexNet's local response normalisation across channels.
type lrnOp struct {
	in, out int
	c, hw   int
	n       int
	k       float32
	alphaN  float32 // Alpha / N
	beta    float64
	// f32: d^0.75 in float32 (sqrt(d * sqrt(d)), each sqrt correctly
	// rounded) for the bf16 and int8 paths, whose outputs are not pinned:
	// two float32 square roots of 16 lanes instead of four float64 ones
	// of 8 (the LRN was 16% of an int8 forward pass).
	f32 bool
}

func (o *lrnOp) run(b *Backend, w, t int) {
	cs := b.n * o.hw
	src, dst := b.act[o.in], b.act[o.out]
	sum := b.scratch[w].tmp[:colBlock]
	lo, hi := span(cs, w, t)
	half := o.n / 2
	if o.beta == 0.75 && hasAVX512 && lo < hi {
		// The same operations as below, 16 columns at a time.
		_, _ = src[(o.c-1)*cs+hi-1], dst[(o.c-1)*cs+hi-1]
		for c0 := lo; c0 < hi; c0 += lrnBlock {
			cnt := min(lrnBlock, hi-c0)
			for ch := range o.c {
				j0, j1 := max(0, ch-half), min(o.c-1, ch+half)
				lrnAVX512(&dst[ch*cs+c0], &src[ch*cs+c0], &src[j0*cs+c0], j1-j0+1, cs, cnt, o.k, o.alphaN, o.f32)
			}
		}
		return
	}
	for c0 := lo; c0 < hi; c0 += colBlock {
		cnt := min(colBlock, hi-c0)
		s := sum[:cnt]
		for ch := range o.c {
			clear(s)
			for j := max(0, ch-half); j <= min(o.c-1, ch+half); j++ {
				for i, v := range src[j*cs+c0:][:cnt] {
					s[i] += v * v
				}
			}
			in := src[ch*cs+c0:][:cnt]
			out := dst[ch*cs+c0:][:cnt]
			if o.beta == 0.75 && o.f32 {
				for i, v := range in {
					d := o.k + float32(o.alphaN*s[i])
					r := float32(math.Sqrt(float64(d)))
					out[i] = v / float32(math.Sqrt(float64(d*r)))
				}
			} else if o.beta == 0.75 {
				// d^0.75 = sqrt(d * sqrt(d)) in float64: the embedded
				// networks' outputs are pinned bit for bit
				// (internal/defaultnets), and float32 here measured no
				// faster.
				for i, v := range in {
					d := float64(o.k + o.alphaN*s[i])
					out[i] = v / float32(math.Sqrt(d*math.Sqrt(d)))
				}
			} else {
				for i, v := range in {
					out[i] = v / float32(math.Pow(float64(o.k+o.alphaN*s[i]), o.beta))
				}
			}
		}
	}
}

// lrnBlock is the columns the AVX-512 LRN takes per call: its n input
// rows stay in L1 while it goes through the channels.
const lrnBlock = 1024

// dotF64 returns the sum of a[i]*b[i] over a's indices in float64 (b is
// at least as long as a). The products are exact; the AVX-512 kernel adds
// them in another order than the loop, which can change the last bit of
// the float64 sum.
func dotF64(a, b []float32) float64 {
	if hasAVX512 && len(a) > 0 {
		b = b[:len(a)]
		return dotF64AVX512(&a[0], &b[0], len(a))
	}
	var s float64
	for i, v := range a {
		s += float64(v) * float64(b[i])
	}
	return s
}

// poolOp is max pooling with window size, stride and padding size/2,
// ignoring positions outside the map.
type poolOp struct {
	in, out           int
	inShape, outShape nets.Shape
	size, stride      int
}

func (o *poolOp) run(b *Backend, w, t int) {
	ih, iw := o.inShape.H, o.inShape.W
	oh, ow := o.outShape.H, o.outShape.W
	ihw, ohw := ih*iw, oh*ow
	ics, ocs := b.n*ihw, b.n*ohw
	src, dst := b.act[o.in], b.act[o.out]
	tmp := b.scratch[w].tmp[:ih*ow]
	pad := o.size / 2
	lo, hi := span(o.inShape.C*b.n, w, t)
	if o.size == 3 && o.stride == 1 && hasAVX512 && iw <= 32 && lo < hi {
		// Plane p (channel p/n, position p%n) is at p*ihw in src and dst.
		_, _ = src[hi*ihw-1], dst[hi*ihw-1]
		pool3AVX512(&dst[lo*ihw], &src[lo*ihw], ih, iw, hi-lo, lanes(0, iw), lanes(1, iw), lanes(0, iw-1))
		return
	}
	for p := lo; p < hi; p++ {
		ch, pos := p/b.n, p%b.n
		in := src[ch*ics+pos*ihw:][:ihw]
		out := dst[ch*ocs+pos*ohw:][:ohw]
		if o.size == 3 && o.stride == 1 && iw >= 2 && ih >= 2 {
			pool3(in, out, tmp, ih, iw)
			continue
		}
		// Rows: tmp[y][ox] = max over the window's columns.
		for y := range ih {
			row := in[y*iw:][:iw]
			for ox := range ow {
				x0 := max(0, ox*o.stride-pad)
				x1 := min(iw-1, ox*o.stride-pad+o.size-1)
				m := row[x0]
				for _, v := range row[x0+1 : x1+1] {
					if v > m || v != v {
						m = v
					}
				}
				tmp[y*ow+ox] = m
			}
		}
		// Columns.
		for oy := range oh {
			y0 := max(0, oy*o.stride-pad)
			y1 := min(ih-1, oy*o.stride-pad+o.size-1)
			dst := out[oy*ow:][:ow]
			copy(dst, tmp[y0*ow:][:ow])
			for y := y0 + 1; y <= y1; y++ {
				for ox, v := range tmp[y*ow:][:ow] {
					dst[ox] = max(dst[ox], v)
				}
			}
		}
	}
}

// pool3 is 3x3 max pooling with stride 1 on an h x w plane (h, w >= 2),
// separably, with elementwise (branch-free) maxima.
func pool3(in, out, tmp []float32, h, w int) {
	for y := range h {
		row := in[y*w:][:w]
		t := tmp[y*w:][:w]
		t[0] = max(row[0], row[1])
		for x := 1; x < w-1; x++ {
			t[x] = max(row[x-1], row[x], row[x+1])
		}
		t[w-1] = max(row[w-2], row[w-1])
	}
	for y := range h {
		o := out[y*w:][:w]
		c := tmp[y*w:][:w]
		switch {
		case y == 0:
			b := tmp[w:][:w]
			for x, v := range c {
				o[x] = max(v, b[x])
			}
		case y == h-1:
			a := tmp[(y-1)*w:][:w]
			for x, v := range c {
				o[x] = max(a[x], v)
			}
		default:
			a := tmp[(y-1)*w:][:w]
			b := tmp[(y+1)*w:][:w]
			for x, v := range c {
				o[x] = max(a[x], v, b[x])
			}
		}
	}
}

// headOp gathers each position's policy and value head channels (the
// dense layers want them flattened C, H, W per position; a pooled value
// head wants each channel's mean and maximum) and computes the value
// head, the score head, the ownership and the policy logits of a "conv"
// policy head, for its positions. The head convolution's channels are
// pf policy, vf value, then of ownership ones.
type headOp struct {
	in         int
	hw         int
	pf, vf     int
	hidden     int
	vk         int       // value features per position: vf*hw, or 2*vf pooled
	pool       bool      // pooled value head
	xp, xv, h1 []float32 // n x pf*hw, n x vk, n x hidden
	xv64       []float64 // xv in float64 (the AVX-512 value head)
	w1, b1, w2 []float32
	b2         float32

	of int       // ownership channels (0: no ownership head)
	ow []float32 // of
	ob float32

	sh            int       // score hidden units (0: no score head)
	sh1           []float32 // n x sh
	sw1, sb1, sw2 []float32
	sb2           float32

	convPolicy bool
	pw         []float32 // pf
	pb         float32
	passW      []float32 // pf*hw
	passB      float32
}

func (o *headOp) run(b *Backend, w, t int) {
	hw := o.hw
	cs := b.n * hw
	src := b.act[o.in]
	lo, hi := span(b.n, w, t)
	if lo == hi {
		return
	}
	pk, vk := o.pf*hw, o.vk
	for pos := lo; pos < hi; pos++ {
		for c := range o.pf {
			copy(o.xp[pos*pk+c*hw:][:hw], src[c*cs+pos*hw:][:hw])
		}
		if o.pool {
			// Means (summed in float64) and maxima of the value channels.
			for c := range o.vf {
				plane := src[(o.pf+c)*cs+pos*hw:][:hw]
				var sum float64
				m := plane[0]
				for _, v := range plane {
					sum += float64(v)
					m = max(m, v)
				}
				o.xv[pos*vk+c] = float32(sum / float64(hw))
				o.xv[pos*vk+o.vf+c] = m
			}
			continue
		}
		for c := range o.vf {
			copy(o.xv[pos*vk+c*hw:][:hw], src[(o.pf+c)*cs+pos*hw:][:hw])
		}
	}
	// The value head's hidden layer accumulates in float64: the value is
	// often a small difference of O(1) terms, and float32 sums over
	// vf*h*w inputs were the largest error against the references. It
	// costs about hidden*vf*h*w multiply-adds per position (~0.5% of a
	// 19x19 forward).
	pos := lo
	if hasAVX512 && vk > 0 && hi-lo >= 4 {
		// Four positions a row of w1 (dot4F64AVX512: dotF64's bits).
		for i, v := range o.xv[lo*vk : hi*vk] {
			o.xv64[lo*vk+i] = float64(v)
		}
		_ = o.w1[o.hidden*vk-1]
		var out [4]float64
		for ; pos+4 <= hi; pos += 4 {
			_ = o.xv64[(pos+4)*vk-1]
			for j := range o.hidden {
				dot4F64AVX512(&o.w1[j*vk], &o.xv64[pos*vk], vk, vk, &out[0])
				for p, v := range out {
					o.h1[(pos+p)*o.hidden+j] = float32(v)
				}
			}
		}
	}
	for ; pos < hi; pos++ {
		x := o.xv[pos*vk:][:vk]
		for j := range o.hidden {
			o.h1[pos*o.hidden+j] = float32(dotF64(o.w1[j*vk:][:vk], x))
		}
	}
	for pos := lo; pos < hi; pos++ {
		h := o.h1[pos*o.hidden:][:o.hidden]
		v := float64(o.b2)
		for i, x := range h {
			v += float64(o.w2[i]) * float64(max(x+o.b1[i], 0))
		}
		b.value[pos] = float32(math.Tanh(v))
	}
	if o.sh > 0 && b.score != nil {
		// The score head, summed in float64 as the value head is.
		for pos := lo; pos < hi; pos++ {
			x := o.xv[pos*vk:][:vk]
			h := o.sh1[pos*o.sh:][:o.sh]
			for j := range h {
				h[j] = float32(dotF64(o.sw1[j*vk:][:vk], x))
			}
			v := float64(o.sb2)
			for i, x := range h {
				v += float64(o.sw2[i]) * float64(max(x+o.sb1[i], 0))
			}
			b.score[pos] = float32(v)
		}
	}
	if o.of > 0 && b.own != nil {
		for pos := lo; pos < hi; pos++ {
			out := b.own[pos*hw:][:hw]
			for s := range out {
				out[s] = o.ob
			}
			for c, wc := range o.ow {
				for s, v := range src[(o.pf+o.vf+c)*cs+pos*hw:][:hw] {
					out[s] += wc * v
				}
			}
			for s, v := range out {
				out[s] = float32(math.Tanh(float64(v)))
			}
		}
	}
	if !o.convPolicy {
		return
	}
	moves := b.moves
	for pos := lo; pos < hi; pos++ {
		x := o.xp[pos*pk:][:pk]
		out := b.policy[pos*moves:][:moves]
		for s := range hw {
			out[s] = o.pb
		}
		for c, wc := range o.pw {
			for s, v := range x[c*hw:][:hw] {
				out[s] += wc * v
			}
		}
		pass := o.passB
		for i, v := range x {
			pass += o.passW[i] * v
		}
		out[hw] = pass
	}
}

// policyDenseOp is the "dense" policy head's last layer: logits = xp W^T +
// bias, split across workers by output.
type policyDenseOp struct {
	head    *headOp
	k       int
	w, bias []float32 // moves x k, moves
}

func (o *policyDenseOp) run(b *Backend, w, t int) {
	moves := b.moves
	lo, hi := span(moves, w, t)
	if lo == hi {
		return
	}
	for r := range b.n {
		copy(b.policy[r*moves+lo:r*moves+hi], o.bias[lo:hi])
	}
	b.scratch[w].gemm(false, true, b.n, hi-lo, o.k, 1, o.head.xp, o.k, o.w[lo*o.k:], o.k, 1, b.policy[lo:], moves)
}
