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
	lim := float32(o.q.lim)
	for it := lo; it < hi; it++ {
		pos, y := it/l.h, it%l.h
		if o.q.wide && y == 0 {
			var m float32
			for ch := range o.c {
				for _, v := range src[pos*posStride+ch*chStride:][:hw] {
					m = max(m, v, -v)
				}
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
		for ch := range o.c {
			in := src[pos*posStride+ch*chStride+y*l.w:][:l.w]
			if o.q.wide {
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
		for r := range o.f {
			out := dst[r*cs+pos*hw+y*wd:][:wd]
			for x := range out {
				out[x] = tmp[x*fp+r]
			}
			if o.act == actTanh {
				for x, v := range out {
					out[x] = float32(math.Tanh(float64(v)))
				}
			}
		}
	}
}
