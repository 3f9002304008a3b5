package qgemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestConvInt8 checks the direct-convolution kernels (assembly where the
// CPU has them, and the Go ones) against a naive sum over the quantised
// weights, for every tile width and output-channel count up to 4 vectors
// and past one block, in both store modes; the assembly and Go kernels
// must agree bit for bit.
func TestConvInt8(t *testing.T) {
	for _, wide := range []bool{false, true} {
		testConv(t, wide)
	}
}

func testConv(t *testing.T, wide bool) {
	inMax := 0
	if wide {
		inMax = 1000
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for _, c := range []struct{ f, c, k int }{{1, 1, 1}, {16, 16, 3}, {24, 29, 5}, {64, 64, 3}, {48, 7, 3}, {80, 20, 1}, {130, 33, 3}} {
		wt := make([]float32, c.f*c.c*c.k*c.k)
		for i := range wt {
			wt[i] = float32(rng.NormFloat64())
		}
		goW := newConvInt8(wt, c.f, c.c, c.k, inMax, nil)
		ws := []*ConvInt8{goW}
		if a := asmConv(wide); a != nil {
			ws = append(ws, newConvInt8(wt, c.f, c.c, c.k, inMax, a))
		}
		eb := goW.pixelBytes() / goW.Cp // bytes per value
		const wp, hp = 14, 9            // padded input map
		in := make([]byte, wp*hp*goW.pixelBytes())
		pix := func(i int) int64 { // value i of the input
			if wide {
				return int64(int16(uint16(in[2*i]) | uint16(in[2*i+1])<<8))
			}
			return int64(in[i])
		}
		for i := range wp * hp * goW.Cp {
			if i%goW.Cp >= c.c {
				continue
			}
			if !wide {
				in[i] = byte(rng.IntN(256))
				continue
			}
			v := uint16(int16(rng.IntN(2*goW.InMax+1) - goW.InMax))
			in[2*i], in[2*i+1] = byte(v), byte(v>>8)
		}
		offs := goW.Offsets(wp)
		scale, bias := make([]float32, goW.Fp), make([]float32, goW.Fp)
		for r := range c.f {
			scale[r] = goW.Scale[r] * 0.01
			bias[r] = float32(rng.NormFloat64())
		}
		for np := 1; np <= ConvTileMax; np++ {
			p0 := (1*wp + 2) * goW.Cp // output pixel (1, 2), in values
			want := make([]float32, np*goW.Fp)
			for j := range np {
				for r := range c.f {
					var acc int64
					for i := range c.k {
						for jj := range c.k {
							for ch := range c.c {
								q := math.RoundToEven(float64(wt[((r*c.c+ch)*c.k+i)*c.k+jj] / goW.Scale[r]))
								acc += int64(q) * pix(p0+offs[i*c.k+jj]/eb+j*goW.Cp+ch)
							}
						}
					}
					want[j*goW.Fp+r] = float32(float32(acc)*scale[r]) + bias[r]
				}
			}
			var f32s [][]float32
			var u8s [][]byte
			for _, w := range ws {
				ostride := w.Fp + 3
				f := make([]float32, (np-1)*ostride+w.Fp)
				w.TileF32(np, in[p0*eb:], offs, f, ostride, scale, bias, -1)
				u := make([]byte, (np-1)*ostride+w.Fp)
				w.TileU8(np, in[p0*eb:], offs, u, ostride, scale, bias)
				for j := range np {
					for r := range w.Fp {
						wv := want[j*w.Fp+r]
						if got := f[j*ostride+r]; got != max(wv, -1) {
							t.Fatalf("wide %v f=%d c=%d k=%d np=%d pixel %d channel %d: f32 %v, want %v", wide, c.f, c.c, c.k, np, j, r, got, max(wv, -1))
						}
						if got, wu := u[j*ostride+r], QuantizeU8(wv, 1); got != wu {
							t.Fatalf("f=%d c=%d k=%d np=%d pixel %d channel %d: u8 %v, want %v", c.f, c.c, c.k, np, j, r, got, wu)
						}
					}
				}
				f32s, u8s = append(f32s, f), append(u8s, u)
			}
			if len(ws) == 2 {
				for i := range f32s[0] {
					if math.Float32bits(f32s[0][i]) != math.Float32bits(f32s[1][i]) || u8s[0][i] != u8s[1][i] {
						t.Fatalf("f=%d np=%d: assembly and Go differ at %d", c.f, np, i)
					}
				}
			}
		}
	}
}
