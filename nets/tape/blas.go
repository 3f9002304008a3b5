//go:build !openblas

package tape

// The default build uses gorgonia's default BLAS, gonum's pure-Go one.
const blasName = "gonum"
