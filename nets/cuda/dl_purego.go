//go:build linux && (amd64 || arm64) && !tengen_nocuda

package cuda

import (
	"fmt"
	"runtime"

	"github.com/ebitengine/purego"
)

// gpuSupport says whether this binary can load the NVIDIA libraries.
const gpuSupport = true

// errNoSupport is nil: this build can load the libraries.
var errNoSupport error

// dlopen loads a shared library by path or bare name; handles are never
// closed (the libraries stay for the life of the process). The goroutine
// keeps its OS thread through the call: purego.Dlopen reads dlerror()
// after dlopen() fails, and dlerror's message is per thread, so a
// goroutine moved between the two read an empty one (seen when other
// tests ran beside TestBackendCUDA).
func dlopen(path string) (uintptr, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
}

// bindSymbols points each symbol's Go function at the C function of that
// name in the library h (loaded from path). A missing symbol that is not
// optional is an error; an optional one leaves its function nil.
func bindSymbols(h uintptr, path string, syms []symbol) error {
	runtime.LockOSThread() // dlsym and dlerror on one thread, as in dlopen
	defer runtime.UnlockOSThread()
	for _, s := range syms {
		addr, err := purego.Dlsym(h, s.name)
		if err != nil || addr == 0 {
			if s.optional {
				continue
			}
			return fmt.Errorf("nets/cuda: %s has no %s (too old a version?)", path, s.name)
		}
		purego.RegisterFunc(s.fn, addr)
	}
	return nil
}
