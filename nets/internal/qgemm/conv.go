package qgemm

import (
	"fmt"
	"math"
	"unsafe"
)

// ConvInt8 is a k×k convolution (f output channels, c input channels)
// quantised to int8 per output channel, as [Int8Matrix] quantises a row,
// and packed for the direct-convolution kernels. They read the input
// where it lies, with no im2col and no packing: u8 pixels, channel-last
// (Cp bytes per pixel, zero past c), in a map padded by k/2 on each side
// with the input's zero point, so that the k×k taps of an output pixel
// are fixed offsets from it. A step of the kernel broadcasts 4 input
// channels of a pixel (VPDPBUSD's u8 operand) against 16 output
// channels' 4 weights (its s8 operand); a tile is up to 6 pixels × 64
// output channels.
type ConvInt8 struct {
	F, C, K int
	Cp      int // bytes per input pixel: C rounded up to 16
	Fp      int // F rounded up to 16
	// Scale[r] is output channel r's weight step (zero past F).
	Scale []float32
	// Wide: pixels and weights are int16 (VPDPWSSD): Cp channels of 2
	// bytes per pixel, inputs within ±InMax (no zero point; 255 for u8
	// inputs); see NewConvInt16.
	Wide  bool
	InMax int
	w     []uint32 // per 64 output channels: K·K taps × Cp/4 steps × up to 4 vectors × 16 dwords
	tiles *[4][6]convTileFunc
}

// convTileFunc computes np output pixels × 16·mv channels (see
// gen_kernels.go's genConv): taps·g steps of mv weight vectors from w,
// pixel j's bytes of tap t at a + offs[t] + j·cp + 4·step, pixel j's
// output at out + j·ostride bytes.
type convTileFunc func(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

// ConvTileMax is the most pixels one Tile call computes.
const ConvTileMax = 6

// NewConvInt8 quantises the weights wt (f × c × k × k, row-major) and
// packs them for this CPU's kernels.
func NewConvInt8(wt []float32, f, c, k int) *ConvInt8 {
	return newConvInt8(wt, f, c, k, 0, asmConv(false))
}

// NewConvInt16 is NewConvInt8 with int16 pixels and weights, for a layer
// whose accuracy int8 does not keep (the first, on the encoder's planes):
// inputs must lie within ±inMax (no zero point; at most 32767), and the
// weights get as many levels (per output channel, up to 32767) as keep
// the int32 sums of c·k·k products from overflowing. It runs at half the
// int8 rate.
func NewConvInt16(wt []float32, f, c, k, inMax int) *ConvInt8 {
	return newConvInt8(wt, f, c, k, inMax, asmConv(true))
}

// newConvInt8 makes an int8 convolution when inMax is 0, else an int16 one.
func newConvInt8(wt []float32, f, c, k, inMax int, tiles *[4][6]convTileFunc) *ConvInt8 {
	wide := inMax > 0
	ckk := c * k * k
	if f < 1 || c < 1 || k < 1 || len(wt) < f*ckk {
		panic(fmt.Sprintf("qgemm: conv weights %d for %d×%d×%d×%d", len(wt), f, c, k, k))
	}
	if tiles == nil {
		tiles = &goConvTiles
		if wide {
			tiles = &goConv16Tiles
		}
	}
	x := &ConvInt8{F: f, C: c, K: k, Cp: roundUp(c, 16), Fp: roundUp(f, 16), Wide: wide, InMax: 255, tiles: tiles}
	wmax := 127.0
	if wide {
		if inMax > 32767 {
			panic(fmt.Sprintf("qgemm: int16 inputs up to %d", inMax))
		}
		x.InMax = inMax
		wmax = float64(min(32767, math.MaxInt32/(ckk*inMax)))
	}
	x.Scale = make([]float32, x.Fp)
	q := make([]int16, x.Fp*ckk)
	for r := range f {
		row := wt[r*ckk : (r+1)*ckk]
		var amax float32
		for _, v := range row {
			amax = max(amax, float32(math.Abs(float64(v))))
		}
		s := float32(float64(amax) / wmax)
		if s == 0 {
			s = 1
		}
		x.Scale[r] = s
		for l, v := range row {
			qv := int16(max(-wmax, min(wmax, math.RoundToEven(float64(v/s)))))
			q[r*ckk+l] = qv
		}
	}
	taps, g := k*k, x.steps()
	x.w = make([]uint32, taps*g*x.Fp)
	i := 0
	for f0 := 0; f0 < x.Fp; f0 += 64 {
		mv := min(4, (x.Fp-f0)/16)
		for t := range taps {
			for s := range g {
				for r := f0; r < f0+16*mv; r++ {
					var d uint32
					per := 4
					if wide {
						per = 2
					}
					for b := range per {
						if ch := per*s + b; r < f && ch < c {
							v := uint32(uint16(q[r*ckk+ch*taps+t]))
							if !wide {
								v &= 0xff
							}
							d |= v << (32 / per * b)
						}
					}
					x.w[i] = d
					i++
				}
			}
		}
	}
	return x
}

// Offsets returns the K·K tap offsets (in bytes) of an input map of
// width wp pixels (padding included): tap (i, j) of an output pixel at
// input byte p reads p + offs[i·K+j]. The output pixel (y, x) of a map
// padded by K/2 lies, for this purpose, at input pixel (y, x) of the
// padded map: its taps cover (y..y+K-1, x..x+K-1).
func (w *ConvInt8) Offsets(wp int) []int {
	offs := make([]int, 0, w.K*w.K)
	for i := range w.K {
		for j := range w.K {
			offs = append(offs, (i*wp+j)*w.pixelBytes())
		}
	}
	return offs
}

// pixelBytes is the size of an input pixel; steps the kernel steps per tap.
func (w *ConvInt8) pixelBytes() int {
	if w.Wide {
		return 2 * w.Cp
	}
	return w.Cp
}

func (w *ConvInt8) steps() int { return w.pixelBytes() / 4 }

// TileF32 computes np (1 to ConvTileMax) consecutive output pixels, every
// channel: out[j·ostride + r] = max(acc·scale[r] + bias[r], lo) for
// r < Fp, where acc is the int32 sum over taps t and input channels of
// the weights times the bytes at in[offs[t] + j·Cp + channel].
func (w *ConvInt8) TileF32(np int, in []byte, offs []int, out []float32, ostride int, scale, bias []float32, lo float32) {
	w.check(np, in, offs, len(out), ostride, scale, bias)
	w.tile(np, in, offs, unsafe.Pointer(&out[0]), 4*ostride, 4, scale, bias, 0, lo)
}

// TileU8 is TileF32 storing bytes: the value clamped to [0, 255] and
// rounded to the nearest integer (even on ties).
func (w *ConvInt8) TileU8(np int, in []byte, offs []int, out []byte, ostride int, scale, bias []float32) {
	w.check(np, in, offs, len(out), ostride, scale, bias)
	w.tile(np, in, offs, unsafe.Pointer(&out[0]), ostride, 1, scale, bias, 1, 0)
}

func (w *ConvInt8) check(np int, in []byte, offs []int, nout, ostride int, scale, bias []float32) {
	if np < 1 || np > ConvTileMax {
		panic(fmt.Sprintf("qgemm: conv tile of %d pixels", np))
	}
	if len(offs) != w.K*w.K {
		panic(fmt.Sprintf("qgemm: %d tap offsets for a %d×%d convolution", len(offs), w.K, w.K))
	}
	hi := 0
	for _, o := range offs {
		if o < 0 {
			panic("qgemm: negative tap offset")
		}
		hi = max(hi, o)
	}
	if len(in) < hi+np*w.pixelBytes() || nout < (np-1)*ostride+w.Fp || ostride < w.Fp || len(scale) < w.Fp || len(bias) < w.Fp {
		panic(fmt.Sprintf("qgemm: conv tile buffers too short (in %d, out %d, stride %d, scale %d, bias %d)", len(in), nout, ostride, len(scale), len(bias)))
	}
}

func (w *ConvInt8) tile(np int, in []byte, offs []int, out unsafe.Pointer, ostride, esize int, scale, bias []float32, mode int, lo float32) {
	taps, g := w.K*w.K, w.steps()
	for f0 := 0; f0 < w.Fp; f0 += 64 {
		mv := min(4, (w.Fp-f0)/16)
		w.tiles[mv-1][np-1](taps, g, &w.w[taps*g*16*f0/16], &in[0], &offs[0], w.pixelBytes(),
			unsafe.Add(out, f0*esize), ostride, &scale[f0], &bias[f0], mode, lo)
	}
}

// goConvTiles and goConv16Tiles are the portable kernels: the same values
// as the assembly.
var goConvTiles, goConv16Tiles = goTiles(false), goTiles(true)

func goTiles(wide bool) (t [4][6]convTileFunc) {
	for mv := 1; mv <= 4; mv++ {
		for np := 1; np <= 6; np++ {
			t[mv-1][np-1] = convTileGo(mv, np, wide)
		}
	}
	return t
}

func convTileGo(mv, np int, wide bool) convTileFunc {
	return func(taps, g int, wp *uint32, a *byte, offsp *int, cp int, out unsafe.Pointer, ostride int, scp, bip *float32, mode int, lo float32) {
		w := unsafe.Slice(wp, taps*g*mv*16)
		offs := unsafe.Slice(offsp, taps)
		scale, bias := unsafe.Slice(scp, 16*mv), unsafe.Slice(bip, 16*mv)
		var acc [64]int32
		for j := range np {
			clear(acc[:])
			for t, o := range offs {
				px := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(a), o+j*cp)), 4*g)
				if wide {
					for s := range g {
						x0, x1 := int32(int16(uint16(px[4*s])|uint16(px[4*s+1])<<8)), int32(int16(uint16(px[4*s+2])|uint16(px[4*s+3])<<8))
						for r, d := range w[(t*g+s)*mv*16:][:mv*16] {
							acc[r] += x0*int32(int16(d)) + x1*int32(int16(d>>16))
						}
					}
					continue
				}
				for s := range g {
					x0, x1, x2, x3 := int32(px[4*s]), int32(px[4*s+1]), int32(px[4*s+2]), int32(px[4*s+3])
					for r, d := range w[(t*g+s)*mv*16:][:mv*16] {
						acc[r] += x0*int32(int8(d)) + x1*int32(int8(d>>8)) + x2*int32(int8(d>>16)) + x3*int32(int8(d>>24))
					}
				}
			}
			dst := unsafe.Add(out, j*ostride)
			for r := range 16 * mv {
				v := float32(float32(acc[r])*scale[r]) + bias[r]
				if mode == 0 {
					if !(v > lo) {
						v = lo
					}
					*(*float32)(unsafe.Add(dst, 4*r)) = v
					continue
				}
				if !(v > 0) {
					v = 0
				}
				if !(v < 255) {
					v = 255
				}
				*(*byte)(unsafe.Add(dst, r)) = uint8(math.RoundToEven(float64(v)))
			}
		}
	}
}
