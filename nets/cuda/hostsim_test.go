package cuda

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/tengen-go/tengen/internal/testenv"
)

// The host simulator: testdata/hostsim.cpp with kernels.cu compiled by
// the C++ compiler stands in for the GPU behind the device interface, so
// that the backend (plan, buffers, launch arguments and geometry, GEMM
// mappings, streams) runs end to end without one. It checks the CUDA C
// as C++: the index arithmetic, bounds (AddressSanitizer) and results;
// it cannot check what only a GPU shows (the CUDA toolchain, the driver,
// timing, concurrency inside a kernel, which the kernels avoid).

var (
	simOnce  sync.Once
	simPath  string // the built simulator
	simErr   error
	simNoCXX bool // no compiler: skip rather than fail
	simASan  bool
)

// buildSim compiles the simulator once per test binary.
func buildSim() (string, error) {
	simOnce.Do(func() {
		cxx, err := exec.LookPath("g++")
		if err != nil {
			if cxx, err = exec.LookPath("c++"); err != nil {
				simErr, simNoCXX = fmt.Errorf("no C++ compiler (g++ or c++) to build the host simulator"), true
				return
			}
		}
		dir, err := os.MkdirTemp("", "tengen-hostsim-")
		if err != nil {
			simErr = err
			return
		}
		inc, err := dispatchCases(map[byte]string{
			'p': "(float*)(uintptr_t)a[%d]", 'P': "(const float*)(uintptr_t)a[%d]",
			'q': "(double*)(uintptr_t)a[%d]", 'Q': "(const double*)(uintptr_t)a[%d]",
			'i': "(int)(int32_t)(uint32_t)a[%d]", 'f': "f32(a[%d])", 'd': "f64(a[%d])",
		})
		if err != nil {
			simErr = err
			return
		}
		if err := os.WriteFile(filepath.Join(dir, "dispatch.inc"), []byte(inc), 0o644); err != nil {
			simErr = err
			return
		}
		src, err := filepath.Abs("testdata/hostsim.cpp")
		if err != nil {
			simErr = err
			return
		}
		pkg, _ := filepath.Abs(".")
		out := filepath.Join(dir, "hostsim")
		base := []string{"-std=c++17", "-O1", "-g", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
			"-I", dir, "-I", pkg, "-o", out, src}
		asan := append([]string{"-fsanitize=address", "-fno-omit-frame-pointer"}, base...)
		msg, err := exec.Command(cxx, asan...).CombinedOutput()
		if err == nil {
			simPath, simASan = out, true
			return
		}
		msg2, err2 := exec.Command(cxx, base...).CombinedOutput()
		if err2 != nil {
			simErr = fmt.Errorf("building the host simulator: %v\n%s\n(with AddressSanitizer: %v\n%s)", err2, msg2, err, msg)
			return
		}
		simPath = out
	})
	return simPath, simErr
}

// dispatchCases returns the C++ switch cases that call each kernel of
// kernelTable (case id: run([&] { name(args); }, grid, block); break;),
// with arg giving the expression of argument i of a kind.
func dispatchCases(arg map[byte]string) (string, error) {
	var b strings.Builder
	for id, sig := range kernelTable {
		fmt.Fprintf(&b, "    case %d:\n        run([&] { %s(", id, sig.name)
		for i := range len(sig.params) {
			if i > 0 {
				b.WriteString(", ")
			}
			f, ok := arg[sig.params[i]]
			if !ok {
				return "", fmt.Errorf("kernel %s: unknown parameter kind %q", sig.name, sig.params[i])
			}
			fmt.Fprintf(&b, f, i)
		}
		b.WriteString("); }, grid, block);\n        break;\n")
	}
	return b.String(), nil
}

// simDevice is a device backed by one simulator process, shared by all
// the backends of a test (close leaves it running; stop ends it).
type simDevice struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	w      *bufio.Writer
	r      *bufio.Reader
	stderr *testenv.SyncBuffer
	dead   error

	entered  atomic.Int64
	allocs   map[devPtr]int // live device allocations
	host     int            // live host buffers
	streams  int            // live streams
	launches [numKernels]int
	gemms    int
}

var _ device = (*simDevice)(nil)

var simInfo = DeviceInfo{Name: "host simulator", Major: 0, Minor: 0}

// startSim starts a simulator for t. It skips t where there is no C++
// compiler, and fails it when the simulator does not build.
func startSim(t testing.TB) *simDevice {
	t.Helper()
	path, err := buildSim()
	if err != nil && simNoCXX {
		t.Skipf("no host simulator: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path)
	cmd.Env = append(os.Environ(), "ASAN_OPTIONS=detect_leaks=0:abort_on_error=0")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d := &simDevice{cmd: cmd, w: bufio.NewWriter(stdin), r: bufio.NewReader(stdout), stderr: &testenv.SyncBuffer{}, allocs: map[devPtr]int{}}
	cmd.Stderr = d.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	return d
}

// call sends one command and reads the status; read reads the rest of
// the reply. The simulator dying (an AddressSanitizer report) fails every
// later call with its stderr.
func (d *simDevice) call(cmd []byte, read func(r io.Reader) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dead != nil {
		return d.dead
	}
	if d.entered.Load() <= 0 {
		return errors.New("hostsim: device used outside enter/leave")
	}
	die := func(err error) error {
		d.w = nil
		d.cmd.Process.Kill()
		d.cmd.Wait()
		d.dead = fmt.Errorf("hostsim died (%v):\n%s", err, d.stderr.String())
		return d.dead
	}
	if _, err := d.w.Write(cmd); err != nil {
		return die(err)
	}
	if err := d.w.Flush(); err != nil {
		return die(err)
	}
	status, err := d.r.ReadByte()
	if err != nil {
		return die(err)
	}
	if status != 0 {
		var n uint32
		if err := binary.Read(d.r, binary.LittleEndian, &n); err != nil {
			return die(err)
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(d.r, msg); err != nil {
			return die(err)
		}
		return fmt.Errorf("hostsim: %s", msg)
	}
	if read != nil {
		if err := read(d.r); err != nil {
			return die(err)
		}
	}
	return nil
}

func le(vals ...any) []byte {
	var b bytes.Buffer
	for _, v := range vals {
		binary.Write(&b, binary.LittleEndian, v)
	}
	return b.Bytes()
}

func (d *simDevice) enter() func() {
	d.entered.Add(1)
	return func() { d.entered.Add(-1) }
}

func (d *simDevice) alloc(bytes int) (devPtr, error) {
	var p uint64
	err := d.call(append([]byte{'A'}, le(uint64(bytes))...), func(r io.Reader) error {
		return binary.Read(r, binary.LittleEndian, &p)
	})
	if err != nil {
		return 0, err
	}
	d.mu.Lock()
	d.allocs[devPtr(p)] = bytes
	d.mu.Unlock()
	return devPtr(p), nil
}

func (d *simDevice) free(p devPtr) error {
	if p == 0 {
		return nil
	}
	d.mu.Lock()
	_, ok := d.allocs[p]
	delete(d.allocs, p)
	d.mu.Unlock()
	if !ok {
		return fmt.Errorf("hostsim: free of %#x, not allocated", uint64(p))
	}
	return d.call(append([]byte{'F'}, le(uint64(p))...), nil)
}

// inBounds reports whether [p, p+n) lies in one live allocation.
func (d *simDevice) inBounds(p devPtr, n int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for base, size := range d.allocs {
		if p >= base && uint64(p)+uint64(n) <= uint64(base)+uint64(size) {
			return nil
		}
	}
	return fmt.Errorf("hostsim: copy of %d bytes at %#x outside any allocation", n, uint64(p))
}

func (d *simDevice) upload(dst devPtr, src unsafe.Pointer, n int) error {
	if err := d.inBounds(dst, n); err != nil {
		return err
	}
	cmd := append([]byte{'W'}, le(uint64(dst), uint64(n))...)
	return d.call(append(cmd, unsafe.Slice((*byte)(src), n)...), nil)
}

func (d *simDevice) allocHost(floats int) ([]float32, error) {
	d.mu.Lock()
	d.host++
	d.mu.Unlock()
	h := make([]float32, floats)
	for i := range h {
		h[i] = float32(math.NaN())
	}
	return h, nil
}

func (d *simDevice) freeHost(h []float32) error {
	if h == nil {
		return nil
	}
	d.mu.Lock()
	d.host--
	d.mu.Unlock()
	return nil
}

func (d *simDevice) newStream() (stream, error) {
	d.mu.Lock()
	d.streams++
	d.mu.Unlock()
	return &simStream{d: d}, nil
}

// close does not stop the simulator: the test's backends share it.
func (d *simDevice) close() error { return nil }

// live reports the allocations, host buffers and streams not released.
func (d *simDevice) live() (allocs, host, streams int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.allocs), d.host, d.streams
}

// simStream runs every call at once (the simulator is synchronous).
type simStream struct {
	d         *simDevice
	destroyed bool
}

func (s *simStream) htod(dst devPtr, src []float32) error {
	if len(src) == 0 {
		return nil
	}
	return s.d.upload(dst, unsafe.Pointer(&src[0]), 4*len(src))
}

func (s *simStream) dtoh(dst []float32, src devPtr) error {
	n := 4 * len(dst)
	if n == 0 {
		return nil
	}
	if err := s.d.inBounds(src, n); err != nil {
		return err
	}
	return s.d.call(append([]byte{'R'}, le(uint64(src), uint64(n))...), func(r io.Reader) error {
		_, err := io.ReadFull(r, unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), n))
		return err
	})
}

func (s *simStream) launch(k kernelID, grid, block uint32, args []karg) error {
	if err := checkArgs(k, args); err != nil {
		return err
	}
	if grid == 0 || block == 0 || block > 1024 {
		return fmt.Errorf("hostsim: kernel %s launched on %d x %d threads", k, grid, block)
	}
	cmd := append([]byte{'L'}, le(uint32(k), grid, block, uint32(len(args)))...)
	for _, a := range args {
		cmd = append(cmd, le(a.bits)...)
	}
	s.d.mu.Lock()
	s.d.launches[k]++
	s.d.mu.Unlock()
	return s.d.call(cmd, nil)
}

func (s *simStream) gemm(op byte, g colGemm) error {
	if err := g.validate(); err != nil {
		return err
	}
	b2u := func(b bool) uint8 {
		if b {
			return 1
		}
		return 0
	}
	s.d.mu.Lock()
	s.d.gemms++
	s.d.mu.Unlock()
	return s.d.call(append([]byte{op}, le(b2u(g.transA), b2u(g.transB), int32(g.m), int32(g.n), int32(g.k),
		g.alpha, g.beta, uint64(g.a), int32(g.lda), uint64(g.b), int32(g.ldb), uint64(g.c), int32(g.ldc))...), nil)
}

func (s *simStream) sgemm(g colGemm) error { return s.gemm('S', g) }
func (s *simStream) dgemm(g colGemm) error { return s.gemm('D', g) }
func (s *simStream) sync() error           { return nil }

func (s *simStream) destroy() error {
	if s.destroyed {
		return errors.New("hostsim: stream destroyed twice")
	}
	s.destroyed = true
	s.d.mu.Lock()
	s.d.streams--
	s.d.mu.Unlock()
	return nil
}

// TestHostsimBuilds makes sure the simulator builds where a C++ compiler
// exists, and says whether AddressSanitizer is on.
func TestHostsimBuilds(t *testing.T) {
	d := startSim(t)
	leave := d.enter()
	defer leave()
	p, err := d.alloc(64)
	if err != nil {
		t.Fatal(err)
	}
	if err := uploadF32(d, p, []float32{1, -2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	s, _ := d.newStream()
	defer s.destroy()
	// activate with ReLU, then read back.
	if err := launch(s, kActivate, 4, argPtr(p), argInt(4), argInt(actReLU)); err != nil {
		t.Fatal(err)
	}
	got := make([]float32, 4)
	if err := s.dtoh(got, p); err != nil {
		t.Fatal(err)
	}
	if got[0] != 1 || got[1] != 0 || got[3] != 4 {
		t.Errorf("read back %v", got)
	}
	if err := d.free(p); err != nil {
		t.Fatal(err)
	}
	if !simASan {
		t.Log("host simulator built without AddressSanitizer")
	}
	if strings.Contains(d.stderr.String(), "ERROR") {
		t.Errorf("simulator stderr: %s", d.stderr.String())
	}
}
