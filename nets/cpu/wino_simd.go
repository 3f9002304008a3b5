package cpu

// The AVX-512 Winograd transforms (simd_amd64.s) take one tile row's run
// of at most winoSegMax tiles at a time and loop over the channels
// themselves; the Go here cuts a block of tiles into such runs and works
// out their masks. They do the float32 operations of winoInput and
// winoOutput in the same order: the results are the same bit for bit
// (TestWinoSIMD).

// winoSegMax is the most tiles of a tile row the AVX-512 transforms take
// in one call: their 2n+2 input columns fit two 16-lane vectors.
const winoSegMax = 15

// winoInIdx holds the VPERMT2PS indices that pick, from a row q of 32
// columns, q[2t], q[2t+1], q[2t+2] and q[2t+3] into lane t (the last
// lane of the two shifted ones is unused).
var winoInIdx = func() (x [64]int32) {
	for t := range 16 {
		x[t], x[16+t] = int32(2*t), int32(2*t+1)
		x[32+t], x[48+t] = int32((2*t+2)%32), int32((2*t+3)%32)
	}
	return x
}()

// winoOutIdx holds the VPERMT2PS indices that interleave two vectors a, b
// into a0 b0 a1 b1 ... (the first 16 lanes, then the next 16).
var winoOutIdx = func() (x [32]int32) {
	for t := range 16 {
		x[t] = int32(t/2 + 16*(t%2))
		x[16+t] = int32(8 + t/2 + 16*(t%2))
	}
	return x
}()

// lanes returns a mask of the bits [lo, hi) (0 <= lo, hi <= 32).
func lanes(lo, hi int) uint32 {
	if hi <= lo {
		return 0
	}
	return uint32((uint64(1)<<hi - 1) &^ (uint64(1)<<lo - 1))
}

// winoSeg is one run of at most winoSegMax consecutive tiles of a tile
// row, as the AVX-512 kernels read it (simd_amd64.s has its offsets;
// TestWinoSegLayout checks them).
type winoSeg struct {
	in   int // input: offset of row y0-1, column x0-1 in its channel
	out  int // output: offset of row y0, column x0 in its channel
	p    int // first tile in the block
	rows int // input: bit k set when row y0-1+k is in the map
	last int // output: 2 when row y0+1 is in the map, else 0

	inMask  uint32 // input: bit l set when column x0-1+l is in the map (l < 2n+2)
	outMask uint32 // output: bit l set when column x0+l is in the map (l < 2n)
	nMask   uint32 // the n tiles
	_       uint32
}

// winoSegs cuts tiles [t0, t0+pb) of n positions of h x w maps into runs
// of one tile row, at most winoSegMax tiles each, into segs (which has
// room for pb), and returns them and the last position they touch.
func winoSegs(segs []winoSeg, h, w, t0, pb int) ([]winoSeg, int) {
	tx, ty := (w+1)/2, (h+1)/2
	tp, hw := tx*ty, h*w
	segs = segs[:0]
	pos := 0
	for p := 0; p < pb; {
		var r int
		pos, r = (t0+p)/tp, (t0+p)%tp
		y0, x0 := 2*(r/tx), 2*(r%tx)
		n := min(tx-r%tx, pb-p, winoSegMax)
		s := winoSeg{
			in: pos*hw + (y0-1)*w + x0 - 1, out: pos*hw + y0*w + x0, p: p,
			// Input lane l is column x0-1+l: in the map for l in [1-x0, w+1-x0).
			inMask:  lanes(max(0, 1-x0), min(2*n+2, w+1-x0)),
			outMask: lanes(0, min(2*n, w-x0)),
			nMask:   lanes(0, n),
		}
		for k := range 4 {
			if y := y0 - 1 + k; y >= 0 && y < h {
				s.rows |= 1 << k
			}
		}
		if y0+1 < h {
			s.last = 2
		}
		segs = append(segs, s)
		p += n
	}
	return segs, pos
}

// winoInputAVX512 is winoInput with the AVX-512 kernel; segs is scratch
// for pb segments.
func winoInputAVX512(src []float32, cs, c, h, w, t0, pb int, v []float32, segs []winoSeg) {
	segs, last := winoSegs(segs, h, w, t0, pb)
	stride := winoStride(c, pb)
	_ = v[15*stride+(c-1)*pb+pb-1]   // the kernel's last write
	_ = src[(c-1)*cs+(last+1)*h*w-1] // its last read
	winoInAVX512(&src[0], cs, c, w, &segs[0], len(segs), &v[0], stride, pb, &winoInIdx[0])
}

// winoOutputAVX512 is winoOutput with the AVX-512 kernel for act actNone
// or actReLU; segs is scratch for pb segments.
func winoOutputAVX512(m, dst []float32, cs, f, h, w, t0, pb int, bias []float32, act actKind, segs []winoSeg) {
	segs, last := winoSegs(segs, h, w, t0, pb)
	stride := winoStride(f, pb)
	_ = m[15*stride+(f-1)*pb+pb-1] // the kernel's last read
	_ = dst[(f-1)*cs+(last+1)*h*w-1]
	_ = bias[f-1]
	relu := 0
	if act == actReLU {
		relu = 1
	}
	winoOutAVX512(&m[0], stride, pb, f, &dst[0], w, cs, &bias[0], relu, &segs[0], len(segs), &winoOutIdx[0])
}
