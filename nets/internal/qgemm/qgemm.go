package qgemm

import (
	"fmt"
	"math"
	"unsafe"
)

// NR is the column width of a micro-kernel tile and of a packed B panel.
const NR = 32

// kernelFunc computes the mr×NR tile c[r][j] = max(acc[r][j]·scale[r] +
// bias[r], lo) over k steps of the packed panels: a holds mr dwords per
// step, b NR dwords per step (see the package documentation for what a
// dword carries), c has row stride ldc (in float32s).
type kernelFunc func(k int, a, b *uint32, c *float32, ldc int, scale, bias *float32, lo float32)

// kernel is one micro-kernel with its B packing routine.
type kernel struct {
	name string
	mr   int
	fn   kernelFunc
	// packBF16 writes k2 steps of a full B panel (rows 2·k2 of NR
	// values, ld apart) as bf16 pairs; packU8 writes k4 steps (rows 4·k4)
	// as u8 quads scaled by inv. Nil: the Go packing runs.
	packBF16 func(dst *uint32, src *float32, ld, k2 int)
	packU8   func(dst *uint32, src *float32, ld, k4 int, inv float32)
}

var (
	goBF16 = &kernel{name: "go-bf16-8x32", mr: 8, fn: kernGoBF16(8)}
	goInt8 = &kernel{name: "go-int8-8x32", mr: 8, fn: kernGoInt8(8)}
)

// bestBF16 and bestInt8 are the kernels new matrices use.
var (
	bestBF16 = first(asmBF16(), goBF16)
	bestInt8 = first(asmInt8(), goInt8)
)

func first(ks []*kernel, fallback *kernel) *kernel {
	if len(ks) > 0 {
		return ks[0]
	}
	return fallback
}

// HasBF16 reports whether the bf16 kernels run in assembly on this CPU
// (AVX512_BF16); without it they run in slow pure Go.
func HasBF16() bool { return len(asmBF16()) > 0 }

// HasInt8 reports whether the int8 kernels run in assembly on this CPU
// (AVX512_VNNI); without it they run in slow pure Go.
func HasInt8() bool { return len(asmInt8()) > 0 }

// BF16KernelName and Int8KernelName name the kernels new matrices use,
// e.g. "avx512bf16-8x32" or "go-bf16-8x32".
func BF16KernelName() string { return bestBF16.name }

// Int8KernelName: see BF16KernelName.
func Int8KernelName() string { return bestInt8.name }

// BF16ToFloat32 widens a bfloat16.
func BF16ToFloat32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// Float32ToBF16 rounds x to the nearest bfloat16, ties to even (NaNs are
// not preserved: the network path has none).
func Float32ToBF16(x float32) uint16 {
	u := math.Float32bits(x)
	u += 0x7fff + (u>>16)&1
	return uint16(u >> 16)
}

// QuantizeU8 returns x/scale rounded to the nearest integer (ties to
// even) and clamped to [0, 255], as the int8 packing does: x·inv is
// rounded to float32 first, inv being 1/scale.
func QuantizeU8(x, inv float32) uint8 {
	p := x * inv
	if !(p > 0) {
		return 0
	}
	if p > 255 {
		return 255
	}
	return uint8(math.RoundToEven(float64(p)))
}

// matrix is what both formats share: an m×k matrix packed in mr-row
// panels of ks steps each.
type matrix struct {
	m, k, ks int
	kern     *kernel
	a        []uint32 // ceil(m/mr) panels × ks steps × mr dwords
}

func (w *matrix) mp() int { return roundUp(w.m, w.kern.mr) }

// BF16Matrix is an m×k weight matrix rounded to bf16 and packed.
type BF16Matrix struct {
	matrix
	ones []float32 // the kernel's scale: mp ones
}

// NewBF16Matrix rounds the row-major m×k matrix w (row stride k) to bf16
// and packs it for this CPU's kernel.
func NewBF16Matrix(w []float32, m, k int) *BF16Matrix { return newBF16Matrix(w, m, k, bestBF16) }

func newBF16Matrix(w []float32, m, k int, kern *kernel) *BF16Matrix {
	checkMat("w", m, k, w, max(1, k))
	ks := max(1, (k+1)/2)
	x := &BF16Matrix{matrix: matrix{m: m, k: k, ks: ks, kern: kern}}
	mr := kern.mr
	x.a = make([]uint32, x.mp()*ks)
	at := func(r, l int) uint32 {
		if r >= m || l >= k {
			return 0
		}
		return uint32(Float32ToBF16(w[r*k+l]))
	}
	for r := range x.mp() {
		p, rr := r/mr, r%mr
		for s := range ks {
			x.a[(p*ks+s)*mr+rr] = at(r, 2*s) | at(r, 2*s+1)<<16
		}
	}
	x.ones = make([]float32, x.mp())
	for i := range x.ones {
		x.ones[i] = 1
	}
	return x
}

// Int8Matrix is an m×k weight matrix quantised to int8, symmetric, one
// scale per row, and packed.
type Int8Matrix struct {
	matrix
	// Scale[r] is row r's step: w[r][l] ≈ q[r][l]·Scale[r], q in
	// [-127, 127].
	Scale []float32
}

// NewInt8Matrix quantises the row-major m×k matrix w (row stride k) and
// packs it for this CPU's kernel.
func NewInt8Matrix(w []float32, m, k int) *Int8Matrix { return newInt8Matrix(w, m, k, bestInt8) }

func newInt8Matrix(w []float32, m, k int, kern *kernel) *Int8Matrix {
	checkMat("w", m, k, w, max(1, k))
	ks := max(1, (k+3)/4)
	x := &Int8Matrix{matrix: matrix{m: m, k: k, ks: ks, kern: kern}}
	mr := kern.mr
	x.a = make([]uint32, x.mp()*ks)
	x.Scale = make([]float32, m)
	q := make([]int8, k)
	for r := range x.mp() {
		p, rr := r/mr, r%mr
		clear(q)
		if r < m {
			var amax float32
			for _, v := range w[r*k : r*k+k] {
				amax = max(amax, float32(math.Abs(float64(v))))
			}
			s := amax / 127
			if s == 0 {
				s = 1
			}
			x.Scale[r] = s
			for l, v := range w[r*k : r*k+k] {
				q[l] = int8(max(-127, min(127, math.RoundToEven(float64(v/s)))))
			}
		}
		for s := range ks {
			var d uint32
			for i := range 4 {
				if l := 4*s + i; l < k {
					d |= uint32(uint8(q[l])) << (8 * i)
				}
			}
			x.a[(p*ks+s)*mr+rr] = d
		}
	}
	return x
}

// Dims returns the matrix's rows and columns.
func (w *matrix) Dims() (m, k int) { return w.m, w.k }

// Context holds one goroutine's buffers. The zero value is ready; a
// Context must not be used by two goroutines at once.
type Context struct {
	b           []uint32
	tmp         []float32
	scale, bias []float32
}

// BF16 computes C = act(W·B + bias): B is k×n (row stride ldb), C m×n
// (row stride ldc), bias m values (nil: none), act ReLU when relu is set.
// B's values are rounded to bf16 as they are packed.
func (ctx *Context) BF16(w *BF16Matrix, n int, b []float32, ldb int, c []float32, ldc int, bias []float32, relu bool) {
	ctx.run(&w.matrix, false, w.ones, 1, n, b, ldb, c, ldc, bias, relu)
}

// Int8 computes C = act(W·B + bias) as BF16 does, with B quantised to
// uint8 in steps of bScale (values clamped to [0, 255·bScale]: B must be
// non-negative) and W to int8 per row, the int32 products scaled back by
// Scale[r]·bScale.
func (ctx *Context) Int8(w *Int8Matrix, n int, b []float32, ldb int, bScale float32, c []float32, ldc int, bias []float32, relu bool) {
	if !(bScale > 0) || math.IsInf(float64(bScale), 0) {
		panic(fmt.Sprintf("qgemm: activation scale %v", bScale))
	}
	ctx.scale = grow(ctx.scale, w.mp())
	for r := range ctx.scale {
		ctx.scale[r] = 0
		if r < w.m {
			ctx.scale[r] = w.Scale[r] * bScale
		}
	}
	ctx.run(&w.matrix, true, ctx.scale, 1/bScale, n, b, ldb, c, ldc, bias, relu)
}

func (ctx *Context) run(w *matrix, int8 bool, scale []float32, inv float32, n int, b []float32, ldb int, c []float32, ldc int, bias []float32, relu bool) {
	m, k, ks, kern := w.m, w.k, w.ks, w.kern
	mr := kern.mr
	if n < 0 {
		panic(fmt.Sprintf("qgemm: n = %d", n))
	}
	if m == 0 || n == 0 {
		return
	}
	checkMat("b", k, n, b, ldb)
	checkMat("c", m, n, c, ldc)
	if bias != nil && len(bias) < m {
		panic(fmt.Sprintf("qgemm: len(bias) = %d < %d", len(bias), m))
	}
	ctx.bias = grow(ctx.bias, w.mp())
	clear(ctx.bias)
	copy(ctx.bias, bias[:min(len(bias), m)])
	ctx.b = grow(ctx.b, ks*NR)
	ctx.tmp = grow(ctx.tmp, mr*NR)
	lo := float32(math.Inf(-1))
	if relu {
		lo = 0
	}
	per := 2 // K values per step
	if int8 {
		per = 4
	}
	for j0 := 0; j0 < n; j0 += NR {
		nc := min(NR, n-j0)
		full := 0 // steps packed in assembly
		if nc == NR && k >= per {
			if int8 && kern.packU8 != nil {
				full = k / 4
				kern.packU8(&ctx.b[0], &b[j0], ldb, full, inv)
			} else if !int8 && kern.packBF16 != nil {
				full = k / 2
				kern.packBF16(&ctx.b[0], &b[j0], ldb, full)
			}
		}
		if int8 {
			packU8Go(ctx.b, b, ldb, full, ks, k, j0, nc, inv)
		} else {
			packBF16Go(ctx.b, b, ldb, full, ks, k, j0, nc)
		}
		for ir := 0; ir < m; ir += mr {
			mrr := min(mr, m-ir)
			ap := &w.a[ir*ks]
			if mrr == mr && nc == NR {
				kern.fn(ks, ap, &ctx.b[0], &c[ir*ldc+j0], ldc, &scale[ir], &ctx.bias[ir], lo)
				continue
			}
			kern.fn(ks, ap, &ctx.b[0], &ctx.tmp[0], NR, &scale[ir], &ctx.bias[ir], lo)
			for r := range mrr {
				copy(c[(ir+r)*ldc+j0:][:nc], ctx.tmp[r*NR:][:nc])
			}
		}
	}
}

// packBF16Go packs steps [s0, ks) of columns [j0, j0+nc) of B into
// dst (NR dwords per step, zero past nc and past row k).
func packBF16Go(dst []uint32, b []float32, ldb, s0, ks, k, j0, nc int) {
	at := func(l, j int) uint32 {
		if l >= k || j >= nc {
			return 0
		}
		return uint32(Float32ToBF16(b[l*ldb+j0+j]))
	}
	for s := s0; s < ks; s++ {
		d := dst[s*NR:][:NR]
		for j := range d {
			d[j] = at(2*s, j) | at(2*s+1, j)<<16
		}
	}
}

// packU8Go packs steps [s0, ks) of columns [j0, j0+nc) of B into
// dst, quantised by QuantizeU8.
func packU8Go(dst []uint32, b []float32, ldb, s0, ks, k, j0, nc int, inv float32) {
	for s := s0; s < ks; s++ {
		d := dst[s*NR:][:NR]
		for j := range d {
			var v uint32
			for i := range 4 {
				if l := 4*s + i; l < k && j < nc {
					v |= uint32(QuantizeU8(b[l*ldb+j0+j], inv)) << (8 * i)
				}
			}
			d[j] = v
		}
	}
}

// kernGoBF16 returns the portable bf16 kernel for mr rows. It sums each
// step's high then low product in float32, as Intel's description of
// VDPBF16PS does.
func kernGoBF16(mr int) kernelFunc {
	return func(k int, ap, bp *uint32, cp *float32, ldc int, scp, bip *float32, lo float32) {
		a := unsafe.Slice(ap, k*mr)
		b := unsafe.Slice(bp, k*NR)
		var acc [NR]float32
		for r := range mr {
			clear(acc[:])
			for l := range k {
				x := a[l*mr+r]
				xl, xh := BF16ToFloat32(uint16(x)), BF16ToFloat32(uint16(x>>16))
				for j, y := range b[l*NR : l*NR+NR] {
					acc[j] += float32(xh * BF16ToFloat32(uint16(y>>16)))
					acc[j] += float32(xl * BF16ToFloat32(uint16(y)))
				}
			}
			storeRow(acc[:], cp, r, ldc, scp, bip, lo)
		}
	}
}

// kernGoInt8 returns the portable int8 kernel for mr rows.
func kernGoInt8(mr int) kernelFunc {
	return func(k int, ap, bp *uint32, cp *float32, ldc int, scp, bip *float32, lo float32) {
		a := unsafe.Slice(ap, k*mr)
		b := unsafe.Slice(bp, k*NR)
		var acc [NR]int32
		var out [NR]float32
		for r := range mr {
			clear(acc[:])
			for l := range k {
				x := a[l*mr+r]
				x0, x1, x2, x3 := int32(int8(x)), int32(int8(x>>8)), int32(int8(x>>16)), int32(int8(x>>24))
				for j, y := range b[l*NR : l*NR+NR] {
					acc[j] += x0*int32(uint8(y)) + x1*int32(uint8(y>>8)) + x2*int32(uint8(y>>16)) + x3*int32(uint8(y>>24))
				}
			}
			for j, v := range acc {
				out[j] = float32(v)
			}
			storeRow(out[:], cp, r, ldc, scp, bip, lo)
		}
	}
}

// storeRow writes row r of a tile: max(acc·scale[r] + bias[r], lo).
func storeRow(acc []float32, cp *float32, r, ldc int, scp, bip *float32, lo float32) {
	c := unsafe.Slice((*float32)(unsafe.Add(unsafe.Pointer(cp), 4*r*ldc)), NR)
	s := *(*float32)(unsafe.Add(unsafe.Pointer(scp), 4*r))
	bi := *(*float32)(unsafe.Add(unsafe.Pointer(bip), 4*r))
	for j, v := range acc {
		v = float32(v*s) + bi
		if !(v > lo) {
			v = lo
		}
		c[j] = v
	}
}

// checkMat panics unless x holds an r×c matrix with row stride ld.
func checkMat(name string, r, c int, x []float32, ld int) {
	if r < 0 || c < 0 || ld < max(1, c) {
		panic(fmt.Sprintf("qgemm: %s is %dx%d with stride %d", name, r, c, ld))
	}
	if r > 0 && c > 0 && len(x) < (r-1)*ld+c {
		panic(fmt.Sprintf("qgemm: len(%s)=%d < %d", name, len(x), (r-1)*ld+c))
	}
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
