package sgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// kernels returns every kernel this machine can run, the portable one last.
func kernels() []*kernel { return append(asmKernels(), goKernel) }

// naive is the reference: C = alpha·op(A)·op(B) + beta·C in float64, with
// beta == 0 ignoring C. It also returns, per element, the bound
// Σ|alpha·a·b| + |beta·c| used for the error tolerance.
func naive(p *problem) (want, bound []float64) {
	want = make([]float64, p.m*p.n)
	bound = make([]float64, p.m*p.n)
	for i := range p.m {
		for j := range p.n {
			var s, sb float64
			for l := range p.k {
				var av, bv float32
				if p.transA {
					av = p.a[l*p.lda+i]
				} else {
					av = p.a[i*p.lda+l]
				}
				if p.transB {
					bv = p.b[j*p.ldb+l]
				} else {
					bv = p.b[l*p.ldb+j]
				}
				s += float64(av) * float64(bv)
				sb += math.Abs(float64(av) * float64(bv))
			}
			s *= float64(p.alpha)
			sb *= math.Abs(float64(p.alpha))
			if p.beta != 0 {
				cv := float64(p.beta) * float64(p.c[i*p.ldc+j])
				s += cv
				sb += math.Abs(cv)
			}
			want[i*p.n+j], bound[i*p.n+j] = s, sb
		}
	}
	return want, bound
}

// randProblem makes a problem with strides pad beyond the minimum, random
// contents and C filled with NaN when beta is 0.
func randProblem(r *rand.Rand, transA, transB bool, m, n, k, pad int, alpha, beta float32) *problem {
	p := &problem{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	p.lda, p.ldb, p.ldc = max(ac, 1)+pad, max(bc, 1)+pad, max(n, 1)+pad
	fill := func(rows, ld int) []float32 {
		x := make([]float32, rows*ld)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		return x
	}
	p.a, p.b, p.c = fill(ar, p.lda), fill(br, p.ldb), fill(m, p.ldc)
	if beta == 0 {
		for i := range p.c {
			p.c[i] = float32(math.NaN())
		}
	}
	return p
}

// check runs p through ctx and compares with naive, also checking that
// the padding of C is untouched.
func check(t *testing.T, ctx *Context, p *problem) {
	t.Helper()
	orig := append([]float32(nil), p.c...)
	want, bound := naive(p)
	ctx.Sgemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c, p.ldc)
	tol := float64(p.k+2) * 1.2e-7
	bad := 0
	for i := range p.m {
		for j := range p.ldc {
			got := p.c[i*p.ldc+j]
			if j >= p.n {
				if !(got == orig[i*p.ldc+j] || math.IsNaN(float64(got)) && math.IsNaN(float64(orig[i*p.ldc+j]))) {
					t.Fatalf("padding C[%d][%d] changed: %v -> %v", i, j, orig[i*p.ldc+j], got)
				}
				continue
			}
			w := want[i*p.n+j]
			if math.IsNaN(float64(got)) || math.Abs(float64(got)-w) > tol*bound[i*p.n+j]+1e-30 {
				if bad++; bad <= 5 {
					t.Errorf("C[%d][%d] = %v; want %v (bound %g)", i, j, got, w, bound[i*p.n+j])
				}
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d wrong elements", bad)
	}
}

func TestSgemmShapes(t *testing.T) {
	defer func(old int) { parallelFlops = old }(parallelFlops)
	parallelFlops = 1 << 10 // split even small products
	shapes := []struct{ m, n, k int }{
		{0, 0, 0}, {0, 5, 3}, {4, 0, 3}, {3, 4, 0},
		{1, 1, 1}, {1, 7, 1}, {7, 1, 9}, {1, 1, 300}, {2, 3, 4},
		{5, 15, 7}, {6, 16, 8}, {7, 17, 9}, {12, 32, 5}, {13, 33, 257},
		{11, 31, 256}, {25, 65, 3}, {64, 96, 75}, {130, 47, 300},
		{150, 5, 513}, {40, 150, 600}, {3, 2100, 17}, {40, 2049, 9}, {300, 9, 40},
	}
	r := rand.New(rand.NewPCG(1, 2))
	threadCounts := []int{1, 3}
	if raceEnabled {
		threadCounts = []int{3} // the split products only; see race_on_test.go
	}
	for _, kn := range kernels() {
		for _, threads := range threadCounts {
			ctx := &Context{Threads: threads, kern: kn}
			for _, s := range shapes {
				for tr := range 4 {
					transA, transB := tr&1 != 0, tr&2 != 0
					for _, ab := range [][2]float32{{1, 0}, {-0.5, 1}, {2, 0.25}, {0, 3}, {0, 0}} {
						pad := r.IntN(3)
						name := fmt.Sprintf("%s/t%d/%dx%dx%d/tA=%v/tB=%v/a=%v/b=%v/pad=%d",
							kn.name, threads, s.m, s.n, s.k, transA, transB, ab[0], ab[1], pad)
						p := randProblem(r, transA, transB, s.m, s.n, s.k, pad, ab[0], ab[1])
						t.Run(name, func(t *testing.T) { check(t, ctx, p) })
					}
				}
			}
		}
	}
}

// TestSgemmLarge covers products that span several cache blocks in every
// dimension and are split over goroutines.
func TestSgemmLarge(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("large products (skipped with -short and under -race)")
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, kn := range kernels() {
		for _, s := range []struct{ m, n, k int }{{301, 2200, 600}, {64, 4133, 576}, {362, 32, 722}} {
			ctx := &Context{kern: kn}
			p := randProblem(r, false, false, s.m, s.n, s.k, 3, 1, 0.5)
			t.Run(fmt.Sprintf("%s/%dx%dx%d", kn.name, s.m, s.n, s.k), func(t *testing.T) { check(t, ctx, p) })
		}
	}
}

// TestSgemmGonum compares the package-level Sgemm with gonum's.
func TestSgemmGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var impl gonum.Implementation
	for i := range 40 {
		m, n, k := 1+r.IntN(90), 1+r.IntN(90), 1+r.IntN(90)
		transA, transB := r.IntN(2) == 1, r.IntN(2) == 1
		p := randProblem(r, transA, transB, m, n, k, r.IntN(4), float32(r.NormFloat64()), float32(r.NormFloat64()))
		c := append([]float32(nil), p.c...)
		tA, tB := blas.NoTrans, blas.NoTrans
		if transA {
			tA = blas.Trans
		}
		if transB {
			tB = blas.Trans
		}
		impl.Sgemm(tA, tB, m, n, k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
		Sgemm(transA, transB, m, n, k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c, p.ldc)
		for j := range c {
			if d := math.Abs(float64(c[j] - p.c[j])); d > 1e-4*float64(k)*(1+math.Abs(float64(c[j]))) {
				t.Fatalf("case %d (%dx%dx%d tA=%v tB=%v): c[%d] = %v; gonum %v", i, m, n, k, transA, transB, j, p.c[j], c[j])
			}
		}
	}
}

func FuzzSgemm(f *testing.F) {
	f.Add(uint8(7), uint8(17), uint8(9), uint8(0), uint64(1))
	f.Add(uint8(13), uint8(33), uint8(255), uint8(0xff), uint64(2))
	f.Add(uint8(1), uint8(1), uint8(1), uint8(0x5a), uint64(3))
	f.Fuzz(func(t *testing.T, m, n, k, flags uint8, seed uint64) {
		r := rand.New(rand.NewPCG(seed, 7))
		alphas := []float32{1, 0, -1.5, 0.5}
		betas := []float32{0, 1, -0.5, 2}
		p := randProblem(r, flags&1 != 0, flags&2 != 0, int(m%80), int(n%80), int(k), int(flags>>6),
			alphas[flags>>2&3], betas[flags>>4&3])
		ks := kernels()
		check(t, &Context{kern: ks[int(seed%uint64(len(ks)))], Threads: 1 + int(seed>>8)%3}, p)
	})
}

// TestSgemmConcurrent runs calls from several goroutines at once, each
// split over workers, for the race detector.
func TestSgemmConcurrent(t *testing.T) {
	defer func(old int) { parallelFlops = old }(parallelFlops)
	parallelFlops = 1 << 10
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 9))
			for range 5 {
				p := randProblem(r, r.IntN(2) == 1, r.IntN(2) == 1, 1+r.IntN(60), 1+r.IntN(200), 1+r.IntN(60), 1, 1, 0.5)
				c := append([]float32(nil), p.c...)
				(&Context{Threads: 1}).Sgemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
				Sgemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c, p.ldc)
				for i := range c {
					if c[i] != p.c[i] {
						t.Errorf("goroutine %d: parallel c[%d] = %v; serial %v", g, i, p.c[i], c[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

func TestSgemmAllocs(t *testing.T) {
	defer func(old int) { parallelFlops = old }(parallelFlops)
	parallelFlops = 1 << 10
	r := rand.New(rand.NewPCG(8, 9))
	p := randProblem(r, false, false, 64, 300, 70, 0, 1, 0)
	for _, threads := range []int{1, 2} {
		ctx := &Context{Threads: threads}
		call := func() {
			ctx.Sgemm(false, false, p.m, p.n, p.k, 1, p.a, p.lda, p.b, p.ldb, 0, p.c, p.ldc)
		}
		call()
		if n := testing.AllocsPerRun(20, call); n != 0 {
			t.Errorf("threads=%d: %v allocations per call; want 0", threads, n)
		}
	}
}

func TestSgemmPanics(t *testing.T) {
	x := make([]float32, 16)
	for _, tc := range []struct {
		name          string
		m, n, k       int
		lda, ldb, ldc int
		a             []float32
	}{
		{"negative m", -1, 2, 2, 2, 2, 2, x},
		{"small lda", 2, 2, 3, 2, 2, 2, x},
		{"small ldc", 2, 3, 2, 2, 3, 2, x},
		{"short a", 4, 2, 4, 4, 2, 2, x[:15]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			Sgemm(false, false, tc.m, tc.n, tc.k, 1, tc.a, tc.lda, x, tc.ldb, 0, x, tc.ldc)
		})
	}
}

// TestSgemmPackedA: products with A packed ahead give Sgemm's bits (the
// same panels, the same loop order), over odd shapes, splits over
// goroutines in N and in M, and kernels other than the one A was packed
// for (which fall back to Sgemm).
func TestSgemmPackedA(t *testing.T) {
	defer func(old int) { parallelFlops = old }(parallelFlops)
	parallelFlops = 1 << 10
	shapes := []struct{ m, n, k int }{
		{1, 1, 1}, {7, 1, 9}, {5, 15, 7}, {8, 32, 8}, {13, 33, 257}, {64, 256, 450},
		{64, 40, 576}, {130, 47, 300}, {300, 9, 40}, {40, 2049, 9}, {150, 5, 513},
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, kn := range kernels() {
		for _, threads := range []int{1, 3} {
			for _, s := range shapes {
				for _, transB := range []bool{false, true} {
					for _, ab := range [][2]float32{{1, 0}, {-0.5, 1}} {
						name := fmt.Sprintf("%s/t%d/%dx%dx%d/tB=%v/a=%v/b=%v", kn.name, threads, s.m, s.n, s.k, transB, ab[0], ab[1])
						t.Run(name, func(t *testing.T) {
							p := randProblem(r, false, transB, s.m, s.n, s.k, r.IntN(3), ab[0], ab[1])
							pa := PackA(s.m, s.k, p.a, p.lda)
							want := append([]float32(nil), p.c...)
							ctx := &Context{Threads: threads, kern: kn}
							ctx.Sgemm(false, transB, s.m, s.n, s.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, want, p.ldc)
							got := append([]float32(nil), p.c...)
							ctx.SgemmPackedA(pa, transB, s.n, p.alpha, p.b, p.ldb, p.beta, got, p.ldc)
							for i := range got {
								if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
									t.Fatalf("C[%d] = %v; Sgemm gives %v", i, got[i], want[i])
								}
							}
						})
					}
				}
			}
		}
	}
}
