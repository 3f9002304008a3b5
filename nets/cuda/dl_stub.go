//go:build !(linux && (amd64 || arm64)) || tengen_nocuda

package cuda

import "runtime"

// gpuSupport says whether this binary can load the NVIDIA libraries.
const gpuSupport = false

// errNoSupport is why nothing loads in this build.
var errNoSupport = func() error {
	if runtime.GOOS == "linux" && (runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64") {
		return unavailable("nets/cuda: this binary was built without GPU support (-tags tengen_nocuda)")
	}
	return unavailable("nets/cuda: no GPU support on %s/%s (linux/amd64 and linux/arm64 only)", runtime.GOOS, runtime.GOARCH)
}()

func dlopen(path string) (uintptr, error) { return 0, errNoSupport }

func bindSymbols(h uintptr, path string, syms []symbol) error { return errNoSupport }
