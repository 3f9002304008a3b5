package cuda

import (
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

var globalRE = regexp.MustCompile(`extern "C" __global__ void (\w+)\(([^)]*)\)`)

// kernelCode is kernels.cu without its comments.
var kernelCode = regexp.MustCompile(`(?s)//[^\n]*|/\*.*?\*/`).ReplaceAllString(kernelSource, "")

// paramKind maps a C parameter declaration to its kernelSig letter.
func paramKind(decl string) (byte, bool) {
	decl = strings.Join(strings.Fields(decl), " ")
	i := strings.LastIndexAny(decl, " *")
	if i < 0 {
		return 0, false
	}
	typ := strings.TrimSpace(decl[:i+1])
	switch typ {
	case "float*":
		return 'p', true
	case "const float*":
		return 'P', true
	case "double*":
		return 'q', true
	case "const double*":
		return 'Q', true
	case "int":
		return 'i', true
	case "float":
		return 'f', true
	case "double":
		return 'd', true
	}
	return 0, false
}

// TestKernelSignatures parses kernels.cu and requires its kernels to be
// exactly kernelTable: every kernel the Go side launches exists as
// extern "C" __global__ with those parameters, and no other.
func TestKernelSignatures(t *testing.T) {
	found := map[string]string{}
	for _, m := range globalRE.FindAllStringSubmatch(kernelCode, -1) {
		name, params := m[1], m[2]
		var kinds []byte
		for _, p := range strings.Split(params, ",") {
			k, ok := paramKind(p)
			if !ok {
				t.Errorf("kernel %s: parameter %q is not a float/double pointer, int, float or double", name, p)
			}
			kinds = append(kinds, k)
		}
		if _, dup := found[name]; dup {
			t.Errorf("kernel %s defined twice", name)
		}
		found[name] = string(kinds)
	}
	if n := strings.Count(kernelCode, "__global__"); n != len(found) {
		t.Errorf("kernels.cu has %d __global__ and %d extern \"C\" __global__ void kernels", n, len(found))
	}
	for k, sig := range kernelTable {
		got, ok := found[sig.name]
		if !ok {
			t.Errorf("kernel %s (id %d) is not in kernels.cu", sig.name, k)
			continue
		}
		if got != sig.params {
			t.Errorf("kernel %s has parameters %q in kernels.cu, %q in kernelTable", sig.name, got, sig.params)
		}
		delete(found, sig.name)
	}
	for name := range found {
		t.Errorf("kernel %s in kernels.cu is not in kernelTable", name)
	}
}

// TestKernelRules checks what the host simulator and NVRTC rely on: no
// inter-thread communication, no includes.
func TestKernelRules(t *testing.T) {
	for _, banned := range []string{"__shared__", "__syncthreads", "atomic", "#include", "__syncwarp", "__shfl"} {
		if strings.Contains(kernelCode, banned) {
			t.Errorf("kernels.cu uses %s", banned)
		}
	}
}

func TestGeometry(t *testing.T) {
	defer func(g int) { maxGrid = g }(maxGrid)
	for _, g := range []int{1 << 16, 3} {
		maxGrid = g
		for _, total := range []int{1, 255, 256, 257, 1000, 1 << 20, math.MaxInt32} {
			grid, block, err := geometry(total)
			if err != nil {
				t.Fatalf("geometry(%d): %v", total, err)
			}
			if block == 0 || block > 1024 || grid == 0 || int(grid) > maxGrid {
				t.Errorf("geometry(%d) = %d x %d with maxGrid %d", total, grid, block, maxGrid)
			}
			// Without the cap, one thread per element at most a block over.
			if int(grid) < maxGrid && (int(grid)*int(block) < total || int(grid-1)*int(block) >= total) {
				t.Errorf("geometry(%d) = %d x %d does not just cover it", total, grid, block)
			}
		}
	}
	for _, total := range []int{0, -1, math.MaxInt32 + 1} {
		if _, _, err := geometry(total); err == nil {
			t.Errorf("geometry(%d) = nil error", total)
		}
	}
}

func TestCheckArgs(t *testing.T) {
	ok := []karg{argPtr(8), argInt(4), argInt(actReLU)}
	if err := checkArgs(kActivate, ok); err != nil {
		t.Errorf("activate: %v", err)
	}
	bad := map[string][]karg{
		"too few":       ok[:2],
		"too many":      append(ok[:3:3], argInt(1)),
		"float for int": {argPtr(8), argF32(4), argInt(1)},
		"int for ptr":   {argInt(8), argInt(4), argInt(1)},
		"int overflow":  {argPtr(8), argInt(math.MaxInt32 + 1), argInt(1)},
	}
	for name, args := range bad {
		if err := checkArgs(kActivate, args); err == nil {
			t.Errorf("%s: checkArgs = nil", name)
		}
	}
	if err := checkArgs(numKernels, nil); err == nil {
		t.Error("unknown kernel accepted")
	}
	lrn := []karg{argPtr(8), argPtr(16), argInt(3), argInt(5), argInt(5), argF32(2), argF32(1e-5), argF64(0.75)}
	if err := checkArgs(kLRN, lrn); err != nil {
		t.Errorf("lrn: %v", err)
	}
	lrn[7] = argF32(0.75)
	if err := checkArgs(kLRN, lrn); err == nil {
		t.Error("lrn with a float beta accepted (the kernel takes a double)")
	}
}

// TestPackArgs checks the parameter block cuLaunchKernel reads: pointer
// i points at slot i, which holds the value in the parameter's own size
// (little-endian).
func TestPackArgs(t *testing.T) {
	var block [2 * maxKernelArgs]uint64
	args := []karg{argPtr(0x1234_5678_9abc), argInt(-7), argF32(1.5), argF64(-2.25)}
	ptrs := packArgs(unsafe.Pointer(&block[0]), args)
	if uintptr(ptrs) != uintptr(unsafe.Pointer(&block[maxKernelArgs])) {
		t.Fatalf("pointer array at %p; want after the %d value slots", ptrs, maxKernelArgs)
	}
	for i := range args {
		if got, want := uintptr(block[maxKernelArgs+i]), uintptr(unsafe.Pointer(&block[i])); got != want {
			t.Errorf("pointer %d = %#x; want slot %d at %#x", i, got, i, want)
		}
	}
	// The slots as the kernel reads them: its parameter's size from the
	// slot's start.
	if got := *(*uint64)(unsafe.Pointer(&block[0])); got != 0x1234_5678_9abc {
		t.Errorf("pointer argument = %#x", got)
	}
	if got := *(*int32)(unsafe.Pointer(&block[1])); got != -7 {
		t.Errorf("int argument = %d", got)
	}
	if got := *(*float32)(unsafe.Pointer(&block[2])); got != 1.5 {
		t.Errorf("float argument = %v", got)
	}
	if got := *(*float64)(unsafe.Pointer(&block[3])); got != -2.25 {
		t.Errorf("double argument = %v", got)
	}
}

// refColGemm is the column-major GEMM of cuBLAS's documentation on a
// memory of float64 where a devPtr is an element index:
// C = alpha*op(A)*op(B) + beta*C, C not read when beta == 0.
func refColGemm(mem []float64, g colGemm) {
	at := func(p devPtr, i int) float64 { return mem[int(p)+i] }
	for j := range g.n {
		for i := range g.m {
			var s float64
			for l := range g.k {
				var a, b float64
				if g.transA {
					a = at(g.a, l+i*g.lda)
				} else {
					a = at(g.a, i+l*g.lda)
				}
				if g.transB {
					b = at(g.b, j+l*g.ldb)
				} else {
					b = at(g.b, l+j*g.ldb)
				}
				s += a * b
			}
			c := &mem[int(g.c)+i+j*g.ldc]
			if g.beta == 0 {
				*c = g.alpha * s
			} else {
				*c = g.alpha*s + g.beta**c
			}
		}
	}
}

// refRowGemm is the row-major GEMM of gemm's contract on the same memory.
func refRowGemm(mem []float64, g gemm) {
	for i := range g.m {
		for j := range g.n {
			var s float64
			for l := range g.k {
				var a, b float64
				if g.transA {
					a = mem[int(g.a)+l*g.lda+i]
				} else {
					a = mem[int(g.a)+i*g.lda+l]
				}
				if g.transB {
					b = mem[int(g.b)+j*g.ldb+l]
				} else {
					b = mem[int(g.b)+l*g.ldb+j]
				}
				s += a * b
			}
			c := &mem[int(g.c)+i*g.ldc+j]
			if g.beta == 0 {
				*c = g.alpha * s
			} else {
				*c = g.alpha*s + g.beta**c
			}
		}
	}
}

// TestColMajor checks the row-major to cuBLAS mapping: for random shapes,
// every transpose combination and padded strides, cuBLAS's column-major
// GEMM on the mapped arguments (a reference implementation of its
// documented semantics) computes what the row-major GEMM computes, and
// the mapped call passes cuBLAS's argument checks.
func TestColMajor(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		g := gemm{transA: rng.IntN(2) == 0, transB: rng.IntN(2) == 0,
			m: 1 + rng.IntN(7), n: 1 + rng.IntN(7), k: 1 + rng.IntN(7), alpha: 1 + rng.Float64(), beta: float64(rng.IntN(2))}
		rowsA, colsA := g.m, g.k
		if g.transA {
			rowsA, colsA = g.k, g.m
		}
		rowsB, colsB := g.k, g.n
		if g.transB {
			rowsB, colsB = g.n, g.k
		}
		g.lda, g.ldb, g.ldc = colsA+rng.IntN(3), colsB+rng.IntN(3), g.n+rng.IntN(3)
		sizeA, sizeB, sizeC := rowsA*g.lda, rowsB*g.ldb, g.m*g.ldc
		g.a, g.b, g.c = 1, devPtr(1+sizeA), devPtr(1+sizeA+sizeB) // element offsets
		mem := make([]float64, 1+sizeA+sizeB+sizeC+1)
		for i := range mem {
			mem[i] = rng.NormFloat64()
		}
		want := slices.Clone(mem)
		refRowGemm(want, g)
		c := g.colMajor()
		if err := c.validate(); err != nil {
			t.Fatalf("trial %d: %+v maps to %+v: %v", trial, g, c, err)
		}
		got := slices.Clone(mem)
		refColGemm(got, c)
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("trial %d: %+v mapped to %+v: memory[%d] = %v; want %v", trial, g, c, i, got[i], want[i])
			}
		}
	}
}

func TestColGemmValidate(t *testing.T) {
	good := colGemm{m: 4, n: 3, k: 2, a: 0, lda: 4, b: 0, ldb: 2, c: 0, ldc: 4}
	if err := good.validate(); err != nil {
		t.Fatal(err)
	}
	for name, g := range map[string]colGemm{
		"lda":      {m: 4, n: 3, k: 2, lda: 3, ldb: 2, ldc: 4},
		"lda T":    {transA: true, m: 4, n: 3, k: 2, lda: 1, ldb: 2, ldc: 4},
		"ldb":      {m: 4, n: 3, k: 2, lda: 4, ldb: 1, ldc: 4},
		"ldb T":    {transB: true, m: 4, n: 3, k: 2, lda: 4, ldb: 2, ldc: 4},
		"ldc":      {m: 4, n: 3, k: 2, lda: 4, ldb: 2, ldc: 3},
		"negative": {m: -1, n: 3, k: 2, lda: 4, ldb: 2, ldc: 4},
		"huge":     {m: 1 << 31, n: 1, k: 1, lda: 1 << 31, ldb: 1, ldc: 1 << 31},
	} {
		if err := g.validate(); err == nil {
			t.Errorf("%s: validate(%+v) = nil", name, g)
		}
	}
}
