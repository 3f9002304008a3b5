//go:build !amd64

package sgemm

// asmKernels lists the assembly kernels this CPU can run: none off amd64.
func asmKernels() []*kernel { return nil }
