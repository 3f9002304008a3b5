//go:build linux && (amd64 || arm64) && !tengen_nocuda

package cuda

import (
	"fmt"

	"github.com/ebitengine/purego"
)

// gpuSupport says whether this binary can load the NVIDIA libraries.
const gpuSupport = true

// errNoSupport is nil: this build can load the libraries.
var errNoSupport error

// dlopen loads a shared library by path or bare name; handles are never
// closed (the libraries stay for the life of the process).
func dlopen(path string) (uintptr, error) {
	return purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
}

// bindSymbols points each symbol's Go function at the C function of that
// name in the library h (loaded from path). A missing symbol that is not
// optional is an error; an optional one leaves its function nil.
func bindSymbols(h uintptr, path string, syms []symbol) error {
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
