package cpu

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
)

// quantTestValues returns n activations in steps of step: ties of the
// rounding, zeros of both signs, negatives, values past the clamp, and,
// when special, NaN and infinities.
func quantTestValues(rng *rand.Rand, n int, step float32, lim int, special bool) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch k := rng.IntN(12); {
		case k == 0:
			x[i] = float32(math.Copysign(0, -1))
		case k == 1:
			x[i] = (float32(rng.IntN(2*lim+2)-lim-1) + 0.5) * step // a tie
		case k == 2:
			x[i] = float32(rng.IntN(4*lim)-2*lim) * step * 1.25
		case k == 3 && special:
			x[i] = []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}[rng.IntN(3)]
		default:
			x[i] = float32(rng.NormFloat64()) * step * float32(lim) / 2
		}
	}
	return x
}

// TestQuantRowSIMD checks the AVX-512 quantisation of activation rows to
// u8 and int16 pixels against the Go loop byte for byte, on odd widths
// (pixel blocks with remainders, one pixel), channel counts (groups with
// channels left to Go) and strides.
func TestQuantRowSIMD(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for _, wide := range []bool{false, true} {
		for _, w := range []int{1, 2, 15, 16, 17, 19, 33} {
			for _, c := range []int{1, 2, 3, 4, 5, 7, 16, 29, 64} {
				name := fmt.Sprintf("wide%v/w%d/c%d", wide, w, c)
				q := quantFor(3.7)
				cp := (c + 15) / 16 * 16
				pb := cp
				if wide {
					q = quantParams{step: 1.0 / 7, wide: true, lim: 511}
					pb = 2 * cp
				}
				cs := w*3 + 1
				src := quantTestValues(rng, c*cs, q.step, q.lim, true)
				want := make([]byte, w*pb+3)
				for i := range want {
					want[i] = byte(rng.Uint32())
				}
				got := append([]byte(nil), want...)
				inv := 1 / q.step
				quantRowGo(want, src, cs, 0, c, w, pb, inv, q)
				quantRow(got, src, cs, c, w, pb, inv, q)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("%s: byte %d (pixel %d) = %d, want %d", name, i, i/pb, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestAbsMaxSIMD checks the AVX-512 largest magnitude against the Go loop
// (NaN winning), on lengths around its 16 and 32 value steps.
func TestAbsMaxSIMD(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(8, 8))
	for n := range 70 {
		for _, special := range []bool{false, true} {
			x := quantTestValues(rng, n, 0.01, 255, special && n > 0 && rng.IntN(2) == 0)
			got, want := absMaxAVX512Slice(x), absMaxGo(x)
			if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
				t.Fatalf("n %d: absMax = %v, want %v", n, got, want)
			}
		}
	}
}

func absMaxAVX512Slice(x []float32) float32 {
	if len(x) == 0 {
		return absMaxAVX512(nil, 0)
	}
	return absMaxAVX512(&x[0], len(x))
}

// TestUnpackRowSIMD checks the AVX-512 channel-last to channel-major copy
// of a row of output pixels against the Go loop.
func TestUnpackRowSIMD(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, w := range []int{1, 5, 16, 17, 19, 40} {
		for _, f := range []int{1, 3, 16, 17, 64} {
			fp := (f + 15) / 16 * 16
			cs := 2*w + 3
			src := randPlanes(rng, w*fp)
			want := make([]float32, f*cs)
			for i := range want {
				want[i] = -5
			}
			got := append([]float32(nil), want...)
			unpackRowGo(want, cs, src, fp, f, w)
			unpackRow(got, cs, src, fp, f, w)
			if i, ok := sameBits(got, want); !ok {
				t.Fatalf("w%d/f%d: dst[%d] = %v, want %v", w, f, i, got[i], want[i])
			}
		}
	}
}

// TestInt8ForwardSIMD runs Int8 networks with the Int8 passes' AVX-512
// kernels and with their Go loops: every output the same bits, at batch
// 1 and an odd batch, on both board sizes.
func TestInt8ForwardSIMD(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	defer func() { quantSIMD = true }()
	for _, size := range []int{9, 19} {
		spec := nets.DefaultSpec(size)
		w, err := netstest.RandomWeights(spec, rand.New(rand.NewPCG(uint64(size), 3)))
		if err != nil {
			t.Fatal(err)
		}
		const n = 5
		in, err := CalibrationInputs(spec, n, 4)
		if err != nil {
			t.Fatal(err)
		}
		cal, err := Calibrate(w, in, n, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, batch := range []int{1, n} {
			var pol [2][]float32
			var val [2][]float32
			for i, simd := range []bool{false, true} {
				quantSIMD = simd
				be, err := New(w, Options{MaxBatch: batch, Threads: 2, Precision: Int8, Calibration: cal})
				if err != nil {
					t.Fatal(err)
				}
				pol[i], val[i] = make([]float32, batch*spec.Moves()), make([]float32, batch)
				if err := be.Forward(context.Background(), in[:batch*len(in)/n], batch, pol[i], val[i]); err != nil {
					t.Fatal(err)
				}
				be.Close()
			}
			if i, ok := sameBits(pol[1], pol[0]); !ok {
				t.Errorf("%dx%d batch %d: policy[%d] = %v, want %v", size, size, batch, i, pol[1][i], pol[0][i])
			}
			if i, ok := sameBits(val[1], val[0]); !ok {
				t.Errorf("%dx%d batch %d: value[%d] = %v, want %v", size, size, batch, i, val[1][i], val[0][i])
			}
		}
	}
}

// TestIm2colSIMD checks the AVX-512 im2col against the Go loops on odd
// maps (one pixel, rows of 1 to 32), kernels, and column blocks that start
// and end inside rows and positions.
func TestIm2colSIMD(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(10, 10))
	for _, sh := range []struct{ h, w int }{{1, 1}, {2, 3}, {5, 4}, {9, 9}, {19, 19}, {3, 32}, {4, 17}} {
		for _, k := range []int{1, 3, 5} {
			for _, c := range []int{1, 3} {
				n := 3
				hw := sh.h * sh.w
				cs := n*hw + 2
				src := randPlanes(rng, c*cs)
				for range 6 {
					c0 := rng.IntN(n * hw)
					cnt := 1 + rng.IntN(n*hw-c0)
					want := make([]float32, c*k*k*cnt+5)
					for i := range want {
						want[i] = -3
					}
					got := append([]float32(nil), want...)
					im2colGo(src, cs, c, sh.h, sh.w, k, c0, cnt, want)
					im2col(src, cs, c, sh.h, sh.w, k, c0, cnt, got)
					if i, ok := sameBits(got, want); !ok {
						t.Fatalf("%dx%d k%d c%d cols [%d, %d): col[%d] = %v, want %v", sh.h, sh.w, k, c, c0, c0+cnt, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestDot4F64SIMD checks the four-position float64 dot products against
// dotF64AVX512 bit for bit (the value head takes either), on lengths
// around the 8 and 32 value steps, including ties of zeros of both signs.
func TestDot4F64SIMD(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(11, 11))
	for n := 1; n <= 101; n++ {
		ldx := n + 3
		a := randPlanes(rng, n)
		b := randPlanes(rng, 4*ldx)
		if n%5 == 0 {
			for i := range a {
				a[i] = float32(math.Copysign(0, -1)) // -0 products
			}
		}
		x := make([]float64, len(b))
		for i, v := range b {
			x[i] = float64(v)
		}
		var out [4]float64
		dot4F64AVX512(&a[0], &x[0], ldx, n, &out[0])
		for p := range 4 {
			want := dotF64AVX512(&a[0], &b[p*ldx], n)
			if math.Float64bits(out[p]) != math.Float64bits(want) {
				t.Fatalf("n %d position %d: %v, want %v", n, p, out[p], want)
			}
		}
	}
}
