package cpu

import (
	"math"

	"github.com/tengen-go/tengen/nets/internal/qgemm"
)

// The Int8 path keeps a quantised convolution's input as bytes in a
// padded channel-last map (qLayout), where qgemm's direct kernels read
// each output pixel's taps at fixed offsets: no im2col and no packing.
// A quantOp writes such a map from float32 activations (or the network
// input) once per layer; a qconvOp followed directly by another int8
// convolution writes the next map itself, its ReLU and the next layer's
// quantisation fused into the kernel's store.

// qLayout is a u8 (or, wide, int16) map of h x w pixels padded by pad on
// each side, cp channels per pixel, one map per position.
type qLayout struct {
	h, w, pad, cp int
	wide          bool
}

func (l qLayout) hp() int { return l.h + 2*l.pad }
func (l qLayout) wp() int { return l.w + 2*l.pad }

// px is the bytes per pixel.
func (l qLayout) px() int {
	if l.wide {
		return 2 * l.cp
	}
	return l.cp
}

func (l qLayout) posLen() int { return l.hp() * l.wp() * l.px() }

// row returns the offset of padded row py of position pos.
func (l qLayout) row(pos, py int) int { return (pos*l.hp() + py) * l.wp() * l.px() }

// quantParams is how a layer's input becomes bytes: q = round(x/step)
// clamped to [0, 255], or, wide, to [-lim, lim] as an int16.
type quantParams struct {
	step float32
	wide bool
	lim  int
}

// quantFor returns the input quantisation of the int8 convolution whose
// inputs reached m: [0, m] in 255 steps.
func quantFor(m float32) quantParams { return quantParams{step: actScale(m), lim: 255} }

// wideStep returns the int16 step of inputs within [-m, m] for a
// convolution whose inputs may reach lim: 1/n for the largest integer n
// with n*m <= lim when there is one (so that the 0/1 planes are exact),
// else m/lim.
func wideStep(m float32, lim int) float32 {
	s := float32(1)
	if m > 0 && !math.IsInf(float64(m), 0) {
		s = m / float32(lim)
	}
	if inv := math.Floor(float64(1 / s)); inv >= 1 {
		s = float32(1 / inv)
	}
	return s
}

// quantOp writes the u8 map of c channel-major float32 activations (or of
// the caller's positions when fromInput), border and unused channels
// included. A wide map (int16) takes each position's own range, without
// calibration: its step goes to Backend.qstep for the convolution.
type quantOp struct {
	src       int // activation buffer (unless fromInput)
	fromInput bool
	dst       int // u8 buffer
	c         int
	lay       qLayout
	q         quantParams
}

func (o *quantOp) run(b *Backend, w, t int) {
	l := o.lay
	hw := l.h * l.w
	dst := b.qact[o.dst]
	posStride, chStride := hw, b.n*hw
	src := b.act[o.src]
	if o.fromInput {
		posStride, chStride, src = o.c*hw, hw, b.in
	}
	inv := 1 / o.q.step
	items := b.n * l.h
	if o.q.wide {
		items = b.n // whole positions: one worker finds a position's range
	}
	lo, hi := span(items, w, t)
	if o.q.wide {
		lo, hi = lo*l.h, hi*l.h
	}
	pb := l.px()
	rowLen := l.wp() * pb
	for it := lo; it < hi; it++ {
		pos, y := it/l.h, it%l.h
		if o.q.wide && y == 0 {
			var m float32
			for ch := range o.c {
				m = max(m, absMax(src[pos*posStride+ch*chStride:][:hw]))
			}
			b.qstep[pos] = wideStep(m, o.q.lim)
			inv = 1 / b.qstep[pos]
		}
		if y == 0 {
			clear(dst[l.row(pos, 0):][:l.pad*rowLen])
		}
		if y == l.h-1 {
			clear(dst[l.row(pos, l.pad+l.h):][:l.pad*rowLen])
		}
		row := dst[l.row(pos, l.pad+y):][:rowLen]
		clear(row[:l.pad*pb])
		clear(row[(l.pad+l.w)*pb:])
		px := row[l.pad*pb : (l.pad+l.w)*pb]
		if o.c < l.cp {
			clear(px)
		}
		quantRow(px, src[pos*posStride+y*l.w:], chStride, o.c, l.w, pb, inv, o.q)
	}
}

// quantSIMD lets the Int8 passes use their AVX-512 kernels where
// hasAVX512 (a var so tests can compare them with the Go loops).
var quantSIMD = true

// absMax returns the largest |v| of x (NaN if x has one; 0 when empty).
func absMax(x []float32) float32 {
	if hasAVX512 && quantSIMD {
		if len(x) == 0 {
			return 0
		}
		return absMaxAVX512(&x[0], len(x))
	}
	return absMaxGo(x)
}

func absMaxGo(x []float32) float32 {
	var m float32
	for _, v := range x {
		m = max(m, v, -v)
	}
	return m
}

// quantRow writes c channels (cs floats apart in src) of w pixels into px,
// pb bytes a pixel: channel ch of pixel x at px[x*pb+ch] as a u8, or, when
// q.wide, at px[x*pb+2*ch] as a little-endian int16.
func quantRow(px []byte, src []float32, cs, c, w, pb int, inv float32, q quantParams) {
	ch0 := 0
	if hasAVX512 && quantSIMD && w > 0 {
		// Groups of 4 u8 channels (2 int16 ones) in assembly, the rest
		// below.
		per := 4
		if q.wide {
			per = 2
		}
		if g := c / per; g > 0 {
			_ = src[(g*per-1)*cs+w-1]
			_ = px[(w-1)*pb+4*g-1]
			if q.wide {
				quantS16AVX512(&px[0], &src[0], cs, g, w, pb, inv, float32(q.lim))
			} else {
				quantU8AVX512(&px[0], &src[0], cs, g, w, pb, inv)
			}
			ch0 = g * per
		}
	}
	quantRowGo(px, src, cs, ch0, c, w, pb, inv, q)
}

// quantRowGo is quantRow for channels ch0..c-1 in Go.
func quantRowGo(px []byte, src []float32, cs, ch0, c, w, pb int, inv float32, q quantParams) {
	lim := float32(q.lim)
	for ch := ch0; ch < c; ch++ {
		in := src[ch*cs:][:w]
		if q.wide {
			out := px[2*ch:]
			for x, v := range in {
				q := uint16(int16(math.RoundToEven(float64(max(-lim, min(lim, v*inv))))))
				out[x*pb], out[x*pb+1] = byte(q), byte(q>>8)
			}
			continue
		}
		out := px[ch:]
		for x, v := range in {
			out[x*pb] = quantize(v * inv)
		}
	}
}

// quantize rounds p to the nearest integer (even on ties) clamped to [0,
// 255], as the kernels' byte store does.
func quantize(p float32) uint8 {
	if !(p > 0) {
		return 0
	}
	if !(p < 255) {
		return 255
	}
	return uint8(math.RoundToEven(float64(p)))
}

// qconvOp is an int8 k x k convolution (stride 1, same padding) reading a
// u8 map (padded by k/2). It writes either the next int8 convolution's u8
// map (outU8: ReLU, then that layer's quantisation, fused into the
// store), or channel-major float32 activations with bias and activation.
type qconvOp struct {
	in    int
	inLay qLayout
	conv  *qgemm.ConvInt8
	offs  []int
	f     int
	act   actKind

	outU8  bool
	out    int     // u8 buffer (outU8) or activation buffer
	outLay qLayout // outU8: the next convolution's input map (zero point 0)

	scale, bias []float32 // per output channel (conv.Fp): the kernel's store
	lo          float32
	posStep     bool // the input step is per position (Backend.qstep): scale holds the weights' steps
}

// newQconvOp returns the op for conv with input quantisation qin, bias
// bias and activation act; next, when not nil, is the quantisation of the
// u8 map it writes (outLay) for the next convolution.
func newQconvOp(in int, inLay qLayout, conv *qgemm.ConvInt8, qin quantParams, bias []float32, act actKind, out int, next *quantParams, outLay qLayout) *qconvOp {
	o := &qconvOp{in: in, inLay: inLay, conv: conv, offs: conv.Offsets(inLay.wp()), f: conv.F, act: act, out: out, outLay: outLay,
		scale: make([]float32, conv.Fp), bias: make([]float32, conv.Fp), lo: float32(math.Inf(-1))}
	if act == actReLU {
		o.lo = 0
	}
	inv := 1.0
	if next != nil {
		o.outU8 = true
		inv = 1 / float64(next.step)
	}
	o.posStep = qin.wide
	for r := range conv.F {
		s := float64(conv.Scale[r]) * float64(qin.step)
		if o.posStep {
			s = float64(conv.Scale[r])
		}
		o.scale[r] = float32(s * inv)
		o.bias[r] = float32(float64(bias[r]) * inv)
	}
	return o
}

func (o *qconvOp) run(b *Backend, w, t int) {
	il, ol := o.inLay, o.outLay
	h, wd := il.h, il.w
	hw := h * wd
	src := b.qact[o.in]
	s := b.scratch[w]
	lo, hi := span(b.n*h, w, t)
	tiles := (wd + qgemm.ConvTileMax - 1) / qgemm.ConvTileMax
	fp := o.conv.Fp
	for it := lo; it < hi; it++ {
		pos, y := it/h, it%h
		in := src[il.row(pos, y):]
		scale := o.scale
		if o.posStep {
			scale = s.qscale[:fp]
			for r, v := range o.scale {
				scale[r] = v * b.qstep[pos]
			}
		}
		if o.outU8 {
			dst := b.qact[o.out]
			rowLen := ol.wp() * ol.cp
			if y == 0 {
				clear(dst[ol.row(pos, 0):][:ol.pad*rowLen])
			}
			if y == h-1 {
				clear(dst[ol.row(pos, ol.pad+h):][:ol.pad*rowLen])
			}
			row := dst[ol.row(pos, ol.pad+y):][:rowLen]
			clear(row[:ol.pad*ol.cp])
			clear(row[(ol.pad+wd)*ol.cp:])
			for i, x := 0, 0; i < tiles; i++ {
				np := (wd - x) / (tiles - i)
				o.conv.TileU8(np, in[x*il.px():], o.offs, row[(ol.pad+x)*ol.cp:], ol.cp, scale, o.bias)
				x += np
			}
			continue
		}
		// Float32: a row of pixels channel-last in scratch, then to the
		// channel-major activations.
		tmp := s.qrow[:wd*fp]
		for i, x := 0, 0; i < tiles; i++ {
			np := (wd - x) / (tiles - i)
			o.conv.TileF32(np, in[x*il.px():], o.offs, tmp[x*fp:], fp, scale, o.bias, o.lo)
			x += np
		}
		cs := b.n * hw
		dst := b.act[o.out]
		unpackRow(dst[pos*hw+y*wd:], cs, tmp, fp, o.f, wd)
		if o.act == actTanh {
			for r := range o.f {
				out := dst[r*cs+pos*hw+y*wd:][:wd]
				for x, v := range out {
					out[x] = float32(math.Tanh(float64(v)))
				}
			}
		}
	}
}

// unpackRow copies a row of w output pixels, channel-last in src (fp
// floats a pixel), to f channel-major planes: dst[r*cs+x] = src[x*fp+r].
func unpackRow(dst []float32, cs int, src []float32, fp, f, w int) {
	if hasAVX512 && quantSIMD && f > 0 && w > 0 {
		_, _ = dst[(f-1)*cs+w-1], src[(w-1)*fp+f-1]
		unpackRowAVX512(&dst[0], cs, &src[0], fp, f, w)
		return
	}
	unpackRowGo(dst, cs, src, fp, f, w)
}

func unpackRowGo(dst []float32, cs int, src []float32, fp, f, w int) {
	for r := range f {
		out := dst[r*cs:][:w]
		for x := range out {
			out[x] = src[x*fp+r]
		}
	}
}
