package qgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// shapes covers ragged rows (m not a multiple of 8 or 12), ragged columns
// (n not a multiple of 32), odd k and k not a multiple of 4, a k of 0, and
// the network's 64×576 conv GEMM.
var shapes = []struct{ m, n, k int }{
	{1, 1, 1}, {8, 32, 2}, {8, 32, 4}, {7, 31, 3}, {9, 33, 5}, {12, 32, 8},
	{13, 65, 13}, {8, 32, 0}, {16, 64, 1}, {24, 96, 17}, {64, 256, 576},
	{64, 100, 577}, {3, 40, 1153},
}

func bf16Kernels() []*kernel {
	return append(asmBF16(), goBF16, &kernel{name: "go-bf16-12x32", mr: 12, fn: kernGoBF16(12)})
}
func int8Kernels() []*kernel {
	return append(asmInt8(), goInt8, &kernel{name: "go-int8-12x32", mr: 12, fn: kernGoInt8(12)})
}

// problem is random operands with padded strides and a guarded C.
type problem struct {
	m, n, k, ldb, ldc int
	w, b, bias, c     []float32
}

const guard = -12345

func newProblem(rng *rand.Rand, m, n, k int, nonNeg bool) *problem {
	p := &problem{m: m, n: n, k: k, ldb: n + 3, ldc: n + 5}
	p.w = make([]float32, m*k)
	for i := range p.w {
		p.w[i] = float32(rng.NormFloat64())
	}
	p.b = make([]float32, max(0, (k-1)*p.ldb+n))
	for i := range p.b {
		v := float32(rng.NormFloat64())
		if nonNeg {
			v = float32(math.Abs(float64(v))) * 3
			if rng.IntN(4) == 0 {
				v = 0
			}
		}
		p.b[i] = v
	}
	p.bias = make([]float32, m)
	for i := range p.bias {
		p.bias[i] = float32(rng.NormFloat64())
	}
	p.c = make([]float32, (m-1)*p.ldc+n+2)
	for i := range p.c {
		p.c[i] = guard
	}
	return p
}

// checkGuards reports C values outside the m×n matrix that were written.
func (p *problem) checkGuards(t *testing.T) {
	t.Helper()
	for i, v := range p.c {
		if r, j := i/p.ldc, i%p.ldc; (r >= p.m || j >= p.n) && v != guard {
			t.Fatalf("c[%d] (row %d, column %d) written outside the matrix: %v", i, r, j, v)
		}
	}
}

// TestBF16 runs every bf16 kernel (the VDPBF16PS ones where the CPU has
// AVX512_BF16) against a float64 reference on the bf16-rounded operands.
func TestBF16(t *testing.T) {
	if len(asmBF16()) == 0 {
		t.Log("no AVX512_BF16: only the Go kernels run")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kern := range bf16Kernels() {
		for _, s := range shapes {
			for _, relu := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%dx%dx%d/relu=%v", kern.name, s.m, s.n, s.k, relu), func(t *testing.T) {
					p := newProblem(rng, s.m, s.n, s.k, false)
					w := newBF16Matrix(p.w, s.m, s.k, kern)
					var ctx Context
					ctx.BF16(w, s.n, p.b, p.ldb, p.c, p.ldc, p.bias, relu)
					p.checkGuards(t)
					r := func(x float32) float64 { return float64(BF16ToFloat32(Float32ToBF16(x))) }
					for i := range s.m {
						for j := range s.n {
							want, mag := float64(p.bias[i]), math.Abs(float64(p.bias[i]))
							for l := range s.k {
								x := r(p.w[i*s.k+l]) * r(p.b[l*p.ldb+j])
								want += x
								mag += math.Abs(x)
							}
							if relu {
								want = max(want, 0)
							}
							got := float64(p.c[i*p.ldc+j])
							if math.Abs(got-want) > 1e-6*mag+1e-30 {
								t.Fatalf("c[%d][%d] = %v; want %v (error %.3g of magnitude %.3g)", i, j, got, want, math.Abs(got-want), mag)
							}
						}
					}
				})
			}
		}
	}
}

// TestInt8 runs every int8 kernel (the VPDPBUSD ones where the CPU has
// AVX512_VNNI) against an exact reference: the same quantisation, integer
// dot products, the same float32 dequantisation.
func TestInt8(t *testing.T) {
	if len(asmInt8()) == 0 {
		t.Log("no AVX512_VNNI: only the Go kernels run")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, kern := range int8Kernels() {
		for _, s := range shapes {
			for _, relu := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%dx%dx%d/relu=%v", kern.name, s.m, s.n, s.k, relu), func(t *testing.T) {
					p := newProblem(rng, s.m, s.n, s.k, true)
					w := newInt8Matrix(p.w, s.m, s.k, kern)
					const bScale = 0.03 // clamps the largest values
					var ctx Context
					ctx.Int8(w, s.n, p.b, p.ldb, bScale, p.c, p.ldc, p.bias, relu)
					p.checkGuards(t)
					inv := 1 / float32(bScale)
					for i := range s.m {
						sc := w.Scale[i]
						for j := range s.n {
							var acc int32
							for l := range s.k {
								q := int32(max(-127, min(127, math.RoundToEven(float64(p.w[i*s.k+l]/sc)))))
								acc += q * int32(QuantizeU8(p.b[l*p.ldb+j], inv))
							}
							want := float32(float32(acc)*(sc*bScale)) + p.bias[i]
							if relu {
								want = max(want, 0)
							}
							if got := p.c[i*p.ldc+j]; got != want {
								t.Fatalf("c[%d][%d] = %v; want %v", i, j, got, want)
							}
						}
					}
				})
			}
		}
	}
}

// TestQuantizationError bounds the int8 path's error against float64 on
// the exact operands: about half a step of each operand per product.
func TestQuantizationError(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	p := newProblem(rng, 64, 96, 576, true)
	w := NewInt8Matrix(p.w, p.m, p.k)
	var bmax float32
	for _, v := range p.b {
		bmax = max(bmax, v)
	}
	var ctx Context
	ctx.Int8(w, p.n, p.b, p.ldb, bmax/255, p.c, p.ldc, nil, false)
	var d, r float64
	for i := range p.m {
		for j := range p.n {
			var want float64
			for l := range p.k {
				want += float64(p.w[i*p.k+l]) * float64(p.b[l*p.ldb+j])
			}
			e := float64(p.c[i*p.ldc+j]) - want
			d += e * e
			r += want * want
		}
	}
	if rel := math.Sqrt(d / r); rel > 0.02 {
		t.Errorf("int8 relative error %.3g > 0.02", rel)
	} else {
		t.Logf("int8 relative error %.3g", rel)
	}
}

func TestFloat32ToBF16(t *testing.T) {
	for _, c := range []struct {
		x    float32
		want uint16
	}{
		{1, 0x3f80},
		{math.Float32frombits(0x3f808000), 0x3f80}, // tie, even below
		{math.Float32frombits(0x3f818000), 0x3f82}, // tie, even above
		{math.Float32frombits(0x3f808001), 0x3f81},
		{-2, 0xc000},
		{0, 0},
	} {
		if got := Float32ToBF16(c.x); got != c.want {
			t.Errorf("Float32ToBF16(%v) = %#x; want %#x", c.x, got, c.want)
		}
	}
}

// TestPackAsm checks the assembly packing against the Go packing
// bit for bit.
func TestPackAsm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, kern := range append(asmBF16(), asmInt8()...) {
		for _, k := range []int{4, 8, 12, 576} {
			p := newProblem(rng, 1, NR, k, kern.packU8 != nil)
			per := 2
			if kern.packU8 != nil {
				per = 4
			}
			ks := k / per
			got, want := make([]uint32, ks*NR), make([]uint32, ks*NR)
			if kern.packU8 != nil {
				kern.packU8(&got[0], &p.b[0], p.ldb, ks, 1/0.03)
				packU8Go(want, p.b, p.ldb, 0, ks, k, 0, NR, 1/0.03)
			} else {
				kern.packBF16(&got[0], &p.b[0], p.ldb, ks)
				packBF16Go(want, p.b, p.ldb, 0, ks, k, 0, NR)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s k=%d: dword %d = %#x; want %#x", kern.name, k, i, got[i], want[i])
				}
			}
		}
	}
}
