package cuda

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// touch creates the files (and their folders) under root.
func touch(t *testing.T, root string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// testSearcher is a searcher over the real file system with the given
// system directories (none by default) instead of the machine's.
func testSearcher(dirs []string, env string, system ...string) searcher {
	s := newSearcher(dirs)
	s.env = env
	s.system = system
	return s
}

func paths(as []attempt) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.path)
	}
	return out
}

// TestSearchOrder checks where the libraries are looked for: each name
// (newest version first) by the loader, then in the system directories,
// then the option's directories, then the environment's, wheel folders
// expanded.
func TestSearchOrder(t *testing.T) {
	root := t.TempDir()
	touch(t, root,
		"sys/libcublas.so.12",
		"sys/libnvrtc.so.12",
		// A virtual environment with CUDA 13 wheels (nvidia/cu13/lib).
		"venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcublas.so.13",
		"venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcublasLt.so.13",
		"venv/lib/python3.12/site-packages/nvidia/cu13/lib/libnvrtc.so.13",
		"venv/lib/python3.12/site-packages/nvidia/cu13/lib/libnvrtc-builtins.so.13.0",
		// CUDA 12 wheels named by their nvidia folder.
		"site/nvidia/cublas/lib/libcublas.so.12",
		"site/nvidia/cublas/lib/libcublasLt.so.12",
		"site/nvidia/cuda_nvrtc/lib/libnvrtc.so.12",
		"site/nvidia/cuda_nvrtc/lib/libnvrtc-builtins.so.12.8",
		// A plain folder.
		"plain/libcuda.so.1",
	)
	j := func(p ...string) string { return filepath.Join(append([]string{root}, p...)...) }
	cu13 := j("venv/lib/python3.12/site-packages/nvidia/cu13/lib")
	s := testSearcher([]string{j("venv")}, j("site/nvidia")+"::"+j("plain"), j("sys"), j("no-such-system-dir"))

	got := s.attempts(libCuBLAS)
	want := []attempt{
		{path: "libcublas.so.13"},
		{path: filepath.Join(cu13, "libcublas.so.13"), deps: []string{filepath.Join(cu13, "libcublasLt.so.13")}},
		{path: "libcublas.so.12"},
		{path: j("sys/libcublas.so.12")},
		{path: j("site/nvidia/cublas/lib/libcublas.so.12"), deps: []string{j("site/nvidia/cublas/lib/libcublasLt.so.12")}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cuBLAS attempts:\n got %v\nwant %v", got, want)
	}

	got = s.attempts(libNVRTC)
	want = []attempt{
		{path: "libnvrtc.so.13"},
		{path: filepath.Join(cu13, "libnvrtc.so.13"), deps: []string{filepath.Join(cu13, "libnvrtc-builtins.so.13.0")}},
		{path: "libnvrtc.so.12"},
		{path: j("sys/libnvrtc.so.12")},
		{path: j("site/nvidia/cuda_nvrtc/lib/libnvrtc.so.12"), deps: []string{j("site/nvidia/cuda_nvrtc/lib/libnvrtc-builtins.so.12.8")}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("NVRTC attempts:\n got %v\nwant %v", got, want)
	}

	if got, want := paths(s.attempts(libCUDA)), []string{"libcuda.so.1", j("plain/libcuda.so.1")}; !slices.Equal(got, want) {
		t.Errorf("libcuda attempts = %v; want %v", got, want)
	}
}

// TestExpandDir checks the wheel layouts: a virtual environment,
// site-packages, its nvidia folder, a lib folder.
func TestExpandDir(t *testing.T) {
	root := t.TempDir()
	touch(t, root,
		"venv/lib/python3.11/site-packages/nvidia/cublas/lib/x",
		"venv/lib/python3.11/site-packages/nvidia/cuda_nvrtc/lib/x",
		"site/nvidia/cu13/lib/x",
		"toolkit/lib64/x",
		"toolkit/lib/x",
	)
	s := testSearcher(nil, "")
	j := func(p ...string) string { return filepath.Join(append([]string{root}, p...)...) }
	tests := []struct {
		dir  string
		want []string
	}{
		{j("venv"), []string{j("venv"), j("venv/lib"),
			j("venv/lib/python3.11/site-packages/nvidia/cublas/lib"), j("venv/lib/python3.11/site-packages/nvidia/cuda_nvrtc/lib")}},
		{j("site"), []string{j("site"), j("site/nvidia/cu13/lib")}},
		{j("site/nvidia"), []string{j("site/nvidia"), j("site/nvidia/cu13/lib")}},
		{j("toolkit"), []string{j("toolkit"), j("toolkit/lib"), j("toolkit/lib64")}},
		{j("missing"), nil},
	}
	for _, tc := range tests {
		if got := s.expandDir(tc.dir); !slices.Equal(got, tc.want) {
			t.Errorf("expandDir(%s) =\n %v\nwant\n %v", tc.dir, got, tc.want)
		}
	}
}

// TestEnvVar checks that TENGEN_CUDA_LIB_DIR is read by newSearcher and
// split at colons after the option's directories.
func TestEnvVar(t *testing.T) {
	t.Setenv(EnvLibDir, "/a:/b::/c")
	s := newSearcher([]string{"/opt", ""})
	if got, want := s.userDirs(), []string{"/opt", "/a", "/b", "/c"}; !slices.Equal(got, want) {
		t.Errorf("userDirs = %v; want %v", got, want)
	}
}

func TestSystemDirs(t *testing.T) {
	amd := systemDirs("amd64")
	arm := systemDirs("arm64")
	for _, c := range []struct {
		dirs []string
		want []string
	}{
		{amd, []string{"/usr/lib/x86_64-linux-gnu", "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/lib/wsl/lib"}},
		{arm, []string{"/usr/lib/aarch64-linux-gnu", "/usr/local/cuda/targets/sbsa-linux/lib"}},
	} {
		for _, w := range c.want {
			if !slices.Contains(c.dirs, w) {
				t.Errorf("system dirs %v lack %s", c.dirs, w)
			}
		}
	}
	if amd[0] != "/usr/lib/x86_64-linux-gnu" {
		t.Errorf("the distribution's directory should come first: %v", amd)
	}
}

// fakeLoader is a dlopen that loads only the given paths and records the
// calls; other paths fail as glibc's dlopen does for a missing file,
// except those in broken, which fail with the given message.
type fakeLoader struct {
	ok     map[string]bool
	broken map[string]string
	calls  []string
}

func (f *fakeLoader) dlopen(path string) (uintptr, error) {
	f.calls = append(f.calls, path)
	if f.ok[path] {
		return uintptr(len(f.calls)), nil
	}
	if msg, bad := f.broken[path]; bad {
		return 0, errors.New(msg)
	}
	return 0, errors.New(path + ": cannot open shared object file: No such file or directory")
}

func TestOpenLoadsDepsFirst(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "w/nvidia/cu13/lib/libcublas.so.13", "w/nvidia/cu13/lib/libcublasLt.so.13")
	dir := filepath.Join(root, "w/nvidia/cu13/lib")
	s := testSearcher([]string{filepath.Join(root, "w")}, "")
	f := &fakeLoader{ok: map[string]bool{filepath.Join(dir, "libcublas.so.13"): true, filepath.Join(dir, "libcublasLt.so.13"): true}}
	h, path, err := s.open(libCuBLAS, f.dlopen)
	if err != nil || h == 0 || path != filepath.Join(dir, "libcublas.so.13") {
		t.Fatalf("open = %v, %q, %v", h, path, err)
	}
	want := []string{"libcublas.so.13", filepath.Join(dir, "libcublasLt.so.13"), filepath.Join(dir, "libcublas.so.13")}
	if !slices.Equal(f.calls, want) {
		t.Errorf("dlopen calls %v; want %v", f.calls, want)
	}
	// Found by the loader: no directory searched.
	f = &fakeLoader{ok: map[string]bool{"libcublas.so.13": true}}
	if _, path, err := s.open(libCuBLAS, f.dlopen); err != nil || path != "libcublas.so.13" || len(f.calls) != 1 {
		t.Errorf("open = %q, %v after %v; want the bare name at once", path, err, f.calls)
	}
}

// TestOpenErrors checks the messages when nothing loads: a missing
// library, a library that exists but does not load, a missing directory.
func TestOpenErrors(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "d/libnvrtc.so.13")
	sys := filepath.Join(root, "sys")

	s := testSearcher(nil, "", sys)
	_, _, err := s.open(libCUDA, (&fakeLoader{}).dlopen)
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("missing libcuda: %v does not match ErrUnavailable", err)
	}
	msg := fmt.Sprint(err)
	for _, want := range []string{"nets/cuda: libcuda.so.1 not found (searched ", "dynamic loader", sys, EnvLibDir + " (unset)", "): no NVIDIA driver"} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing libcuda: %q lacks %q", msg, want)
		}
	}

	d := filepath.Join(root, "d")
	s = testSearcher(nil, d+":"+filepath.Join(root, "gone"))
	lib := filepath.Join(d, "libnvrtc.so.13")
	f := &fakeLoader{broken: map[string]string{lib: lib + ": wrong ELF class: ELFCLASS32"}}
	_, _, err = s.open(libNVRTC, f.dlopen)
	msg = fmt.Sprint(err)
	for _, want := range []string{"nets/cuda: cannot load NVRTC: ", "libnvrtc.so.13: wrong ELF class", filepath.Join(root, "gone") + " (missing)", "pip install nvidia-cuda-nvrtc"} {
		if !strings.Contains(msg, want) {
			t.Errorf("broken NVRTC: %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "No such file") {
		t.Errorf("broken NVRTC: %q repeats the loader's misses of bare names", msg)
	}

	// A bare name that exists but misses a dependency is news (glibc
	// names the dependency).
	f = &fakeLoader{broken: map[string]string{"libcublas.so.13": "libcublasLt.so.13: cannot open shared object file: No such file or directory"}}
	_, _, err = testSearcher(nil, "").open(libCuBLAS, f.dlopen)
	if msg := fmt.Sprint(err); !strings.Contains(msg, "cannot load cuBLAS: libcublasLt.so.13: cannot open") {
		t.Errorf("missing dependency: %q", msg)
	}
}

// TestUnavailableHere checks the error of New and Probe on a machine
// without the NVIDIA driver (skipped where one is installed).
func TestUnavailableHere(t *testing.T) {
	if _, err := Probe(Options{}); err == nil {
		t.Skip("a GPU is usable here")
	}
	t.Setenv(EnvLibDir, t.TempDir())
	_, err := Probe(Options{})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Probe = %v; want an error matching ErrUnavailable", err)
	}
	msg := err.Error()
	if gpuSupport {
		if !strings.HasPrefix(msg, "nets/cuda: ") || !strings.Contains(msg, "searched") {
			t.Errorf("Probe error %q should say what was searched", msg)
		}
	} else if !strings.Contains(msg, "tengen_nocuda") && !strings.Contains(msg, "no GPU support") {
		t.Errorf("Probe error %q should say how to build with GPU support", msg)
	}
	t.Logf("Probe: %v", err)
}
