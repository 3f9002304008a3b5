//go:build openblas

package tape

// The netlib bindings leave the library to the user; link OpenBLAS
// (libopenblas-dev) for the whole binary from here.

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// With the openblas build tag gorgonia's matrix products (and so its
// convolutions, after im2col) run on OpenBLAS through gonum's netlib cgo
// bindings.
func init() { G.Use(netlib.Implementation{}) }

const blasName = "openblas"
