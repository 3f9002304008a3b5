//go:build openblas

package tape

const openblasTag = true
