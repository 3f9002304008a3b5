package cuda

import (
	"errors"
	"fmt"
)

// EnvLibDir names the environment variable with more directories to search
// for the NVIDIA libraries, colon-separated, after Options.LibDirs.
const EnvLibDir = "TENGEN_CUDA_LIB_DIR"

// Options configures a Backend.
type Options struct {
	// MaxBatch is the batch size the device buffers are first allocated
	// for; a larger batch grows them (once per stream). Default 32.
	MaxBatch int
	// Device is the CUDA device ordinal. Default 0.
	Device int
	// Streams is the number of Forward calls that may run at once, each on
	// its own CUDA stream with its own buffers, so that one batch's copies
	// overlap another's kernels. Default 2.
	Streams int
	// LibDirs are directories searched for libcuda, cuBLAS and NVRTC after
	// the system's own locations and before those of TENGEN_CUDA_LIB_DIR.
	// A directory of pip-installed CUDA wheels (site-packages, its nvidia
	// folder, or a virtual environment) is searched in its nvidia/*/lib
	// folders too.
	LibDirs []string
}

// EnsureDefaults fills zero fields with their defaults.
func (o *Options) EnsureDefaults() {
	if o.MaxBatch == 0 {
		o.MaxBatch = 32
	}
	if o.Streams == 0 {
		o.Streams = 2
	}
}

// Validate reports whether the options are usable (after EnsureDefaults).
func (o Options) Validate() error {
	switch {
	case o.MaxBatch < 1:
		return fmt.Errorf("nets/cuda: MaxBatch %d < 1", o.MaxBatch)
	case o.Device < 0:
		return fmt.Errorf("nets/cuda: Device %d < 0", o.Device)
	case o.Streams < 1 || o.Streams > 16:
		return fmt.Errorf("nets/cuda: Streams %d outside [1, 16]", o.Streams)
	}
	return nil
}

// ErrUnavailable is matched (errors.Is) by the errors that mean this
// machine cannot run the backend at all: a library missing, no device,
// or a binary built without GPU support. Other errors (a kernel that
// does not compile, memory exhausted) are failures of a usable GPU.
var ErrUnavailable = errors.New("nets/cuda: GPU unavailable")

// ErrClosed is returned by Forward after Close.
var ErrClosed = errors.New("nets/cuda: backend closed")

// unavailableError is an error that matches ErrUnavailable.
type unavailableError struct{ msg string }

func (e *unavailableError) Error() string        { return e.msg }
func (e *unavailableError) Is(target error) bool { return target == ErrUnavailable }

func unavailable(format string, args ...any) error {
	return &unavailableError{msg: fmt.Sprintf(format, args...)}
}
