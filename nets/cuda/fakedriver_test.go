package cuda

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The fake driver: testdata/fakecuda.cpp built as libcuda.so.1,
// libcublas.so.13 and libnvrtc.so.13 for the host. TestFakeDriver runs
// the GPU tests in a child process (this test binary again) that loads
// those instead of NVIDIA's, so that the real loading, purego bindings,
// contexts, launch parameter blocks, cuBLAS calls and the NVRTC cubin/PTX
// choice run without a GPU. A child, because the libraries stay loaded
// for the life of the process.

// fakeEnv names the directory of the fake libraries in the child.
const fakeEnv = "TENGEN_TEST_FAKECUDA"

// fakeDriver is true in the child: the GPU tests shrink their work (the
// fake runs kernels and GEMMs as plain loops on one core).
var fakeDriver = os.Getenv(fakeEnv) != ""

func init() {
	if dir := os.Getenv(fakeEnv); dir != "" {
		searcherFor = func([]string) searcher {
			s := newSearcher([]string{dir})
			s.system, s.env, s.noLoader = nil, "", true
			return s
		}
	}
}

// buildFake builds the three libraries into a temporary directory.
func buildFake(t *testing.T) string {
	t.Helper()
	cxx, err := exec.LookPath("g++")
	if err != nil {
		t.Skip("no g++ to build the fake driver")
	}
	dir := t.TempDir()
	inc, err := dispatchCases(map[byte]string{
		'p': "*(float**)p[%d]", 'P': "*(const float**)p[%d]",
		'q': "*(double**)p[%d]", 'Q': "*(const double**)p[%d]",
		'i': "*(int*)p[%d]", 'f': "*(float*)p[%d]", 'd': "*(double*)p[%d]",
	})
	if err != nil {
		t.Fatal(err)
	}
	var names strings.Builder
	names.WriteString("static const char* kernelNames[] = {")
	for _, sig := range kernelTable {
		fmt.Fprintf(&names, "%q, ", sig.name)
	}
	names.WriteString("nullptr};\n")
	src := names.String() + "static bool launchKernel(int id, unsigned grid, unsigned block, void** p) {\n    switch (id) {\n" +
		inc + "    default:\n        return false;\n    }\n    return true;\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "fakedispatch.inc"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cpp, _ := filepath.Abs("testdata/fakecuda.cpp")
	pkg, _ := filepath.Abs(".")
	for lib, def := range map[string]string{"libcuda.so.1": "FAKE_DRIVER", "libcublas.so.13": "FAKE_CUBLAS", "libnvrtc.so.13": "FAKE_NVRTC"} {
		cmd := exec.Command(cxx, "-std=c++17", "-O2", "-shared", "-fPIC", "-Wall", "-Wno-unused-parameter", "-Wno-unused-function",
			"-D"+def, "-I", dir, "-I", pkg, "-o", filepath.Join(dir, lib), cpp)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", lib, err, out)
		}
	}
	return dir
}

// gpuTests are the tests the child runs, each of which must pass there.
var gpuTests = []string{"TestConformanceGPU", "TestDefaultSpecGPU", "TestConcurrentGPU", "TestGemmGPU", "TestMeasureSgemmGPU", "TestFakeDriverChild"}

func TestFakeDriver(t *testing.T) {
	if fakeDriver {
		t.Skip("the child runs the GPU tests")
	}
	if !gpuSupport {
		t.Skip("the fake driver needs a binary that can load libraries (not built with -tags tengen_nocuda)")
	}
	dir := buildFake(t)
	for _, cubinFails := range []string{"0", "1"} {
		cmd := exec.Command(os.Args[0], "-test.v", "-test.run", "^("+strings.Join(gpuTests, "|")+")$")
		cmd.Env = append(os.Environ(), fakeEnv+"="+dir, "FAKECUDA_CUBIN_FAILS="+cubinFails)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child (cubins fail: %s): %v\n%s", cubinFails, err, out)
		}
		for _, name := range gpuTests {
			if !strings.Contains(string(out), "--- PASS: "+name+" ") {
				t.Errorf("child (cubins fail: %s): %s did not pass:\n%s", cubinFails, name, out)
			}
		}
		want := map[string]string{"0": "kernels loaded as sm_90", "1": "kernels loaded as compute_90"}[cubinFails]
		if !strings.Contains(string(out), want) {
			t.Errorf("child (cubins fail: %s): no %q in\n%s", cubinFails, want, out)
		}
	}
}

// TestFakeDriverChild checks, in the child, that the fake was loaded and
// which NVRTC target the kernels loaded as.
func TestFakeDriverChild(t *testing.T) {
	if !fakeDriver {
		t.Skip("runs in TestFakeDriver's child")
	}
	info, err := Probe(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "Fake GPU (host)" || info.Major != 9 || info.Minor != 0 || info.DriverVersion != 13000 || info.NVRTCVersion != "13.0" {
		t.Errorf("Probe = %+v; want the fake", info)
	}
	if !strings.HasPrefix(info.Driver, os.Getenv(fakeEnv)) {
		t.Errorf("driver loaded from %s, not the fake's folder", info.Driver)
	}
	d, err := openDevice(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	t.Logf("kernels loaded as %s", d.target)
}
