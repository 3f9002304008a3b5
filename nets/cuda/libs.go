package cuda

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// library is one shared library to find: its file names in order of
// preference, and what to say when none loads.
type library struct {
	what  string   // for messages
	names []string // sonames, preferred first
	hint  string   // advice when it is missing
	// deps returns the files to load first from the directory where name
	// was found (glob patterns relative to it): libraries that name needs
	// but that the dynamic loader would not find by itself in a directory
	// outside its search path.
	deps func(name string) []string
}

var (
	libCUDA = library{
		what:  "libcuda",
		names: []string{"libcuda.so.1"},
		hint:  "no NVIDIA driver",
	}
	libCuBLAS = library{
		what:  "cuBLAS",
		names: []string{"libcublas.so.13", "libcublas.so.12"},
		hint:  "install cuBLAS (the CUDA toolkit, or pip install nvidia-cublas) and name its folder with --cuda-lib-dir or " + EnvLibDir,
		deps: func(name string) []string {
			return []string{strings.Replace(name, "libcublas.", "libcublasLt.", 1)}
		},
	}
	libNVRTC = library{
		what:  "NVRTC",
		names: []string{"libnvrtc.so.13", "libnvrtc.so.12"},
		hint:  "install NVRTC (the CUDA toolkit, or pip install nvidia-cuda-nvrtc) and name its folder with --cuda-lib-dir or " + EnvLibDir,
		deps: func(name string) []string {
			// libnvrtc.so.13 opens libnvrtc-builtins.so.13.<minor> itself.
			return []string{strings.Replace(name, "libnvrtc.", "libnvrtc-builtins.", 1) + ".*"}
		},
	}
)

// searcher decides where the libraries are looked for, in this order:
//
//  1. the bare file name, which the dynamic loader looks up in
//     LD_LIBRARY_PATH, its cache (/etc/ld.so.conf) and the default
//     directories;
//  2. the system directories where NVIDIA's packages put them (system);
//  3. the directories of Options.LibDirs (dirs), then those of
//     TENGEN_CUDA_LIB_DIR (env, colon-separated), each expanded by
//     expandDir for pip wheels.
//
// Each preferred name (libcublas.so.13) is looked for everywhere before
// the next (libcublas.so.12).
type searcher struct {
	dirs   []string
	env    string
	system []string
	// noLoader skips step 1 (tests that must not find the machine's
	// libraries).
	noLoader bool
	isFile   func(path string) bool
	isDir    func(path string) bool
	glob     func(pattern string) ([]string, error)
}

// searcherFor returns the searcher loadRuntime uses (a var for tests).
var searcherFor = newSearcher

// newSearcher returns the searcher for this machine.
func newSearcher(dirs []string) searcher {
	return searcher{
		dirs:   dirs,
		env:    os.Getenv(EnvLibDir),
		system: systemDirs(runtime.GOARCH),
		isFile: func(p string) bool { st, err := os.Stat(p); return err == nil && !st.IsDir() },
		isDir:  func(p string) bool { st, err := os.Stat(p); return err == nil && st.IsDir() },
		glob:   filepath.Glob,
	}
}

// systemDirs returns the directories where the driver and CUDA toolkit
// packages install their libraries on Linux, for an architecture.
func systemDirs(goarch string) []string {
	triplet, target := "x86_64-linux-gnu", "x86_64-linux"
	if goarch == "arm64" {
		triplet, target = "aarch64-linux-gnu", "sbsa-linux"
	}
	dirs := []string{
		"/usr/lib/" + triplet,
		"/usr/lib64",
		"/usr/local/cuda/lib64",
		"/usr/local/cuda/targets/" + target + "/lib",
	}
	// Versioned toolkits, newest first (cuda-13.0 before cuda-12.8).
	versioned, _ := filepath.Glob("/usr/local/cuda-*/lib64")
	slices.Sort(versioned)
	slices.Reverse(versioned)
	dirs = append(dirs, versioned...)
	return append(dirs, "/usr/lib/wsl/lib")
}

// expandDir returns dir and the folders under it where libraries may
// lie: lib and lib64, and the lib folders of pip's CUDA wheels, which
// install into site-packages/nvidia/<component>/lib (CUDA 12:
// nvidia/cublas/lib, nvidia/cuda_nvrtc/lib; CUDA 13: nvidia/cu13/lib).
// dir may be site-packages, its nvidia folder or a virtual environment.
// Only existing directories are returned, dir first, the rest sorted.
func (s searcher) expandDir(dir string) []string {
	var out []string
	add := func(p string) {
		if s.isDir(p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	add(dir)
	add(filepath.Join(dir, "lib"))
	add(filepath.Join(dir, "lib64"))
	for _, pattern := range []string{
		filepath.Join(dir, "*", "lib"),
		filepath.Join(dir, "nvidia", "*", "lib"),
		filepath.Join(dir, "lib", "python3*", "site-packages", "nvidia", "*", "lib"),
		filepath.Join(dir, "lib64", "python3*", "site-packages", "nvidia", "*", "lib"),
	} {
		matches, _ := s.glob(pattern)
		slices.Sort(matches)
		for _, m := range matches {
			add(m)
		}
	}
	return out
}

// userDirs returns the directories of Options.LibDirs and then of the
// environment variable, as given (empty entries dropped).
func (s searcher) userDirs() []string {
	var out []string
	for _, d := range s.dirs {
		if d != "" {
			out = append(out, d)
		}
	}
	for _, d := range strings.Split(s.env, ":") {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

// searchDirs returns every directory searched after the dynamic loader,
// in order, existing ones only.
func (s searcher) searchDirs() []string {
	var out []string
	for _, d := range s.system {
		if s.isDir(d) && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	for _, d := range s.userDirs() {
		for _, e := range s.expandDir(d) {
			if !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
	}
	return out
}

// attempt is one way to load a library: a bare name for the dynamic
// loader, or a path, with the files to load before it.
type attempt struct {
	path string
	deps []string
}

// attempts returns the ways to load lib, in order: for each name, the
// bare name, then the existing file of that name in each directory.
func (s searcher) attempts(lib library) []attempt {
	dirs := s.searchDirs()
	var out []attempt
	for _, name := range lib.names {
		if !s.noLoader {
			out = append(out, attempt{path: name})
		}
		for _, d := range dirs {
			p := filepath.Join(d, name)
			if !s.isFile(p) {
				continue
			}
			a := attempt{path: p}
			if lib.deps != nil {
				for _, pattern := range lib.deps(name) {
					matches, _ := s.glob(filepath.Join(d, pattern))
					slices.Sort(matches)
					a.deps = append(a.deps, matches...)
				}
			}
			out = append(out, a)
		}
	}
	return out
}

// open loads lib with dlopen, trying s.attempts in order, and returns the
// handle and the path or name that loaded. When nothing loads, the error
// matches ErrUnavailable and says where it looked; the loader's message
// is included for every file that exists but failed to load.
func (s searcher) open(lib library, dlopen func(string) (uintptr, error)) (uintptr, string, error) {
	var failures []string
	for _, a := range s.attempts(lib) {
		for _, dep := range a.deps {
			// Failures show up again when a.path itself fails.
			dlopen(dep)
		}
		h, err := dlopen(a.path)
		if err == nil {
			return h, a.path, nil
		}
		// A bare name the loader did not find is no news; any other
		// failure (a wrong architecture, a missing dependency, a file
		// found that does not load) is.
		if !(a.path == filepath.Base(a.path) && notFound(a.path, err)) {
			failures = append(failures, err.Error())
		}
	}
	var where []string
	where = append(where, "the dynamic loader's paths (LD_LIBRARY_PATH, ld.so.cache)")
	where = append(where, s.system...)
	user := s.userDirs()
	if len(user) == 0 {
		where = append(where, EnvLibDir+" (unset)")
	}
	for _, d := range user {
		if !s.isDir(d) {
			d += " (missing)"
		}
		where = append(where, d)
	}
	msg := fmt.Sprintf("nets/cuda: %s not found (searched %s)", strings.Join(lib.names, " or "), strings.Join(where, ", "))
	if len(failures) > 0 {
		msg = fmt.Sprintf("nets/cuda: cannot load %s: %s (searched %s)", lib.what, strings.Join(failures, "; "), strings.Join(where, ", "))
	}
	return 0, "", unavailable("%s: %s", msg, lib.hint)
}

// notFound reports whether err, from dlopen of name, means that name
// itself was not found (glibc: "name: cannot open shared object file: No
// such file or directory"), rather than a dependency of it (glibc names
// the dependency: "libcublasLt.so.13: cannot open ...") or a bad file.
func notFound(name string, err error) bool {
	m := err.Error()
	return strings.HasPrefix(m, name+": cannot open shared object file") && strings.Contains(m, "No such file")
}
