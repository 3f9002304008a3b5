package sgemm

import (
	"fmt"
	"runtime"
	"sync"
)

// defaultKernel is the fastest kernel this CPU runs.
var defaultKernel = func() *kernel {
	if ks := asmKernels(); len(ks) > 0 {
		return ks[0]
	}
	return goKernel
}()

// KernelName names the micro-kernel Sgemm uses on this CPU, e.g.
// "avx512-12x32", "avx2-6x16" or "go4x4".
func KernelName() string { return defaultKernel.name }

// parallelFlops is the size (2·m·n·k) from which a product is split over
// goroutines: below it, handing work to other goroutines costs more than it
// saves.
var parallelFlops = 1 << 21 // a var so tests can force splitting

// Context holds the scratch buffers of Sgemm calls so that steady-state
// calls do not allocate. The zero value is ready to use. A Context must not
// be used by two goroutines at once; one Context per goroutine (or a
// sync.Pool of them) is the intended use.
type Context struct {
	// Threads caps the goroutines one call uses; 0 means GOMAXPROCS.
	Threads int

	kern *kernel // nil: defaultKernel; tests force others
	p    problem // the current call's arguments
	ws   []workspace
	jobs []job
	wg   sync.WaitGroup
}

// workspace is one worker's packing buffers.
type workspace struct {
	a, b, tmp []float32
}

// problem is one call's arguments.
type problem struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	c              []float32
	ldc            int
	pa             *PackedA // op(A) packed ahead for this kernel, or nil
}

// PackedA is a matrix A (m x k, row-major) packed once into the panels
// the micro-kernel reads, for products that reuse A across many calls
// (a convolution's weights): Context.SgemmPackedA then skips packing A.
type PackedA struct {
	m, k int
	kern *kernel
	kc   int // the kc block run uses for k
	mbR  int // m rounded up to the kernel's mr
	data []float32
	src  []float32 // A itself, for kernels other than kern
	lda  int
}

// kcBlock returns the kc block run uses for depth k: k split evenly into
// blocks of at most the kernel's kc (576 -> 288+288).
func kcBlock(kn *kernel, k int) int {
	n := (k + kn.kc - 1) / kn.kc
	return (k + n - 1) / n
}

// PackA packs the m x k row-major matrix a (row stride lda) for the
// default kernel. a is kept (not copied) for other kernels: it must not
// change while the PackedA is used.
func PackA(m, k int, a []float32, lda int) *PackedA {
	kn := defaultKernel
	p := problem{m: m, k: k, a: a, lda: lda}
	checkMat("a", false, m, k, a, lda)
	pa := &PackedA{m: m, k: k, kern: kn, kc: kcBlock(kn, max(k, 1)), mbR: roundUp(m, kn.mr), src: a, lda: lda}
	pa.data = make([]float32, pa.mbR*k)
	for pc := 0; pc < k; pc += pa.kc {
		packA(pa.data[pa.mbR*pc:], &p, 0, m, pc, min(pa.kc, k-pc), kn.mr)
	}
	return pa
}

// SgemmPackedA computes C = alpha·A·op(B) + beta·C with A packed by
// PackA (m x k); the other arguments are Sgemm's.
func (ctx *Context) SgemmPackedA(pa *PackedA, transB bool, n int, alpha float32, b []float32, ldb int, beta float32, c []float32, ldc int) {
	kn := ctx.kern
	if kn == nil {
		kn = defaultKernel
	}
	if kn != pa.kern {
		ctx.Sgemm(false, transB, pa.m, n, pa.k, alpha, pa.src, pa.lda, b, ldb, beta, c, ldc)
		return
	}
	ctx.sgemm(problem{false, transB, pa.m, n, pa.k, alpha, beta, pa.src, pa.lda, b, ldb, c, ldc, pa})
}

// maxPrepackA bounds (in float32s) the A packed whole by run.
const maxPrepackA = 1 << 19

var ctxPool = sync.Pool{New: func() any { return new(Context) }}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// where op(A) is m×k (A is stored m×k with row stride lda, or k×m when
// transA), op(B) is k×n (stored k×n with row stride ldb, or n×k when
// transB) and C is m×n with row stride ldc. When beta is 0, C is written
// without being read (NaNs in C do not propagate). Arguments follow cblas
// with CblasRowMajor; invalid sizes, strides or short slices panic.
// Sgemm is safe for concurrent use; it draws a Context from a pool.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ctx := ctxPool.Get().(*Context)
	ctx.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	ctxPool.Put(ctx)
}

// Sgemm is the package-level Sgemm using ctx's buffers.
func (ctx *Context) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ctx.sgemm(problem{transA, transB, m, n, k, alpha, beta, a, lda, b, ldb, c, ldc, nil})
}

func (ctx *Context) sgemm(prob problem) {
	ctx.p = prob
	defer func() { ctx.p = problem{} }() // drop references to the caller's slices
	p := &ctx.p
	m, n, k := p.m, p.n, p.k
	p.check()
	if m == 0 || n == 0 {
		return
	}
	if p.alpha == 0 || k == 0 {
		scaleC(p)
		return
	}
	kern := ctx.kern
	if kern == nil {
		kern = defaultKernel
	}
	threads := ctx.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	if f := 2 * float64(m) * float64(n) * float64(k) / float64(parallelFlops); f < float64(threads) {
		threads = max(int(f), 1)
	}
	mUnits := (m + kern.mr - 1) / kern.mr
	nUnits := (n + kern.nr - 1) / kern.nr
	// Split along N unless M offers more tiles: each worker packs all of A
	// (when splitting N) or all of B (when splitting M), and B is usually
	// the big one.
	splitN := nUnits >= mUnits
	units := mUnits
	if splitN {
		units = nUnits
	}
	threads = min(threads, units)
	if len(ctx.ws) < threads {
		ctx.ws = append(ctx.ws, make([]workspace, threads-len(ctx.ws))...)
		ctx.jobs = make([]job, threads)
	}
	if threads == 1 {
		ctx.ws[0].run(kern, p, 0, m, 0, n)
		return
	}
	ctx.wg.Add(threads - 1)
	lo := 0
	for t := range threads {
		hi := lo + (units-lo)/(threads-t) // tiles split evenly
		var i0, i1, j0, j1 int
		if splitN {
			i0, i1, j0, j1 = 0, m, lo*kern.nr, min(hi*kern.nr, n)
		} else {
			i0, i1, j0, j1 = lo*kern.mr, min(hi*kern.mr, m), 0, n
		}
		lo = hi
		if t == threads-1 {
			ctx.ws[t].run(kern, p, i0, i1, j0, j1)
			break
		}
		ctx.jobs[t] = job{ws: &ctx.ws[t], kern: kern, p: p, i0: i0, i1: i1, j0: j0, j1: j1, wg: &ctx.wg}
		submit(&ctx.jobs[t])
	}
	ctx.wg.Wait()
	for t := range ctx.jobs {
		ctx.jobs[t] = job{} // drop references to the caller's slices
	}
}

func (p *problem) check() {
	if p.m < 0 || p.n < 0 || p.k < 0 {
		panic(fmt.Sprintf("sgemm: negative size m=%d n=%d k=%d", p.m, p.n, p.k))
	}
	checkMat("a", p.transA, p.m, p.k, p.a, p.lda)
	checkMat("b", p.transB, p.k, p.n, p.b, p.ldb)
	checkMat("c", false, p.m, p.n, p.c, p.ldc)
}

// checkMat panics unless x holds an r×c matrix (c×r when trans) with row
// stride ld.
func checkMat(name string, trans bool, r, c int, x []float32, ld int) {
	if trans {
		r, c = c, r
	}
	if ld < max(1, c) {
		panic(fmt.Sprintf("sgemm: ld%s=%d < %d", name, ld, max(1, c)))
	}
	if r > 0 && c > 0 && len(x) < (r-1)*ld+c {
		panic(fmt.Sprintf("sgemm: len(%s)=%d < %d", name, len(x), (r-1)*ld+c))
	}
}

// scaleC sets C = beta·C (C = 0 when beta is 0).
func scaleC(p *problem) {
	if p.beta == 1 {
		return
	}
	for i := range p.m {
		row := p.c[i*p.ldc : i*p.ldc+p.n]
		if p.beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= p.beta
		}
	}
}

// run computes the block C[i0:i1, j0:j1] of p with the Goto/BLIS loop nest.
func (w *workspace) run(kn *kernel, p *problem, i0, i1, j0, j1 int) {
	mr, nr := kn.mr, kn.nr
	kcMax := kcBlock(kn, p.k)
	ncMax := min(kn.nc, roundUp(j1-j0, nr))
	mcMax := min(kn.mc, roundUp(i1-i0, mr))
	// Packing pays when a panel is reused. A panel that meets only one or
	// two panels of the other operand is read in place (when its layout
	// allows), and only a ragged last panel is packed, zero-padded.
	directA := j1-j0 <= 2*nr && p.pa == nil
	directB := !p.transB && i1-i0 <= 2*mr
	aRS, aSS := p.lda, 1 // op(A)(i, l) is a[i*aRS + l*aSS]
	if p.transA {
		aRS, aSS = 1, p.lda
	}
	// When all of op(A)'s rows fit one mc block, pack A once for every kc
	// block; B then streams through in narrow nc blocks that stay in L2.
	mbR := roundUp(i1-i0, mr)
	prepacked := !directA && mbR <= mcMax && mbR*p.k <= maxPrepackA
	aRows := mbR // the row panels' height in w.a (or p.pa.data)
	switch {
	case p.pa != nil: // packed ahead: every row panel, every kc block
		ncMax = min(kn.ncPre, ncMax)
		aRows = p.pa.mbR
	case prepacked:
		ncMax = min(kn.ncPre, ncMax)
		w.a = grow(w.a, mbR*p.k)
		for pc := 0; pc < p.k; pc += kcMax {
			packA(w.a[mbR*pc:], p, i0, i1-i0, pc, min(kcMax, p.k-pc), mr)
		}
	default:
		w.a = grow(w.a, mcMax*kcMax)
	}
	apack := w.a
	if p.pa != nil {
		apack = p.pa.data
	}
	w.b = grow(w.b, kcMax*ncMax)
	w.tmp = grow(w.tmp, mr*nr)
	tmp := w.tmp[:mr*nr]
	c := p.c
	for jc := j0; jc < j1; jc += ncMax {
		nb := min(ncMax, j1-jc)
		for pc := 0; pc < p.k; pc += kcMax {
			kb := min(kcMax, p.k-pc)
			beta := p.beta
			if pc > 0 {
				beta = 1
			}
			if !directB {
				packB(w.b, p, kn, pc, kb, jc, nb)
			} else if full := nb / nr * nr; full < nb {
				packB(w.b, p, kn, pc, kb, jc+full, nb-full)
			}
			for ic := i0; ic < i1; ic += mcMax {
				mb := min(mcMax, i1-ic)
				aOff := 0 // this block's panels in apack
				if p.pa != nil {
					aOff = aRows*pc + ic*kb
				} else if prepacked {
					aOff = mbR * pc
				} else if !directA {
					packA(w.a, p, ic, mb, pc, kb, mr)
				} else if full := mb / mr * mr; full < mb {
					packA(w.a, p, ic+full, mb-full, pc, kb, mr)
				}
				for jr := 0; jr < nb; jr += nr {
					nrr := min(nr, nb-jr)
					bp, bss := &w.b[0], nr
					switch {
					case !directB:
						bp = &w.b[jr*kb]
					case nrr == nr:
						bp, bss = &p.b[pc*p.ldb+jc+jr], p.ldb
					}
					for ir := 0; ir < mb; ir += mr {
						mrr := min(mr, mb-ir)
						ap, ars, ass := &apack[0], 1, mr
						switch {
						case !directA:
							ap = &apack[aOff+ir*kb]
						case mrr == mr:
							ap, ars, ass = &p.a[(ic+ir)*aRS+pc*aSS], aRS, aSS
						}
						off := (ic+ir)*p.ldc + jc + jr
						if mrr == mr && nrr == nr {
							kn.fn(kb, ap, ars, ass, bp, bss, &c[off], p.ldc, p.alpha, beta)
							continue
						}
						kn.fn(kb, ap, ars, ass, bp, bss, &tmp[0], nr, p.alpha, 0)
						for r := range mrr {
							t := tmp[r*nr : r*nr+nrr]
							cr := c[off+r*p.ldc : off+r*p.ldc+nrr]
							if beta == 0 {
								copy(cr, t)
								continue
							}
							for j, v := range t {
								cr[j] = v + beta*cr[j]
							}
						}
					}
				}
			}
		}
	}
}

// packA packs op(A)[ic:ic+mb, pc:pc+kb] into mr-row panels: panel q holds,
// for each of the kb steps, mr consecutive values (zero past row mb).
func packA(dst []float32, p *problem, ic, mb, pc, kb, mr int) {
	a, lda := p.a, p.lda
	for ir := 0; ir < mb; ir += mr {
		mrr := min(mr, mb-ir)
		d := dst[ir*kb : ir*kb+mr*kb]
		if p.transA { // A(i, l) = a[l*lda+i]
			for l := range kb {
				src := a[(pc+l)*lda+ic+ir : (pc+l)*lda+ic+ir+mrr]
				dl := d[l*mr : l*mr+mr]
				copy(dl, src)
				clear(dl[mrr:])
			}
			continue
		}
		for r := range mrr { // A(i, l) = a[i*lda+l]
			src := a[(ic+ir+r)*lda+pc : (ic+ir+r)*lda+pc+kb]
			for l, v := range src {
				d[l*mr+r] = v
			}
		}
		for r := mrr; r < mr; r++ {
			for l := range kb {
				d[l*mr+r] = 0
			}
		}
	}
}

// packB packs op(B)[pc:pc+kb, jc:jc+nb] into nr-column panels: panel q
// holds, for each of the kb steps, nr consecutive values (zero past column
// nb).
func packB(dst []float32, p *problem, kn *kernel, pc, kb, jc, nb int) {
	b, ldb, nr := p.b, p.ldb, kn.nr
	for jr := 0; jr < nb; jr += nr {
		nrr := min(nr, nb-jr)
		d := dst[jr*kb : jr*kb+nr*kb]
		if !p.transB { // B(l, j) = b[l*ldb+j]
			if nrr == nr && kn.copyRows != nil {
				first := pc*ldb + jc + jr
				_ = b[first+(kb-1)*ldb+nr-1] // the last value copied
				kn.copyRows(&d[0], &b[first], ldb, kb)
				continue
			}
			for l := range kb {
				src := b[(pc+l)*ldb+jc+jr : (pc+l)*ldb+jc+jr+nrr]
				dl := d[l*nr : l*nr+nr]
				copy(dl, src)
				clear(dl[nrr:])
			}
			continue
		}
		for j := range nrr { // B(l, j) = b[j*ldb+l]
			src := b[(jc+jr+j)*ldb+pc : (jc+jr+j)*ldb+pc+kb]
			for l, v := range src {
				d[l*nr+j] = v
			}
		}
		for j := nrr; j < nr; j++ {
			for l := range kb {
				d[l*nr+j] = 0
			}
		}
	}
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// grow returns s with length at least n, reusing its storage when it can.
func grow(s []float32, n int) []float32 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float32, n)
}
