package mcts

import (
	"errors"
	"fmt"
	"time"
)

// Config holds the search parameters fixed for a Searcher's life.
type Config struct {
	Threads int // search goroutines (default 1)
	// MaxNodes is the node arena limit (default 4,000,000, about 350 MB
	// when full). A full tree stops growing, not searching: its leaves
	// are evaluated without children until the next move frees nodes.
	MaxNodes int

	// PUCT: c(N) = CInit + log((1+N+CBase)/CBase) (AlphaZero).
	CInit float64
	CBase float64
	// FPUReduction: an unvisited child's value is the parent's value minus
	// FPUReduction*sqrt(sum of the priors of visited children) (Leela Zero).
	// RootFPUReduction is used at the root.
	FPUReduction     float64
	RootFPUReduction float64
	// VirtualLoss is how many losses an in-flight visit counts as.
	VirtualLoss int

	// Dirichlet noise at the root (self-play): alpha 0 turns it off;
	// NoiseAlphaFor gives Leela Zero's size-scaled alpha.
	NoiseAlpha   float64
	NoiseEpsilon float64

	// RAVEEquiv turns on RAVE (Gelly & Silver 2011) when the evaluator
	// plays moves past the leaf (an AMAFEvaluator): a child's value
	// blends its mean with its all-moves-as-first mean, the latter
	// weighted beta = a/(n + a + n*a/RAVEEquiv) for n visits and a
	// AMAF visits (the minimum-MSE schedule; RAVEEquiv is the number of
	// visits at which both count the same). 0 turns RAVE off.
	RAVEEquiv float64

	// ExpandVisits is the visit at which a leaf gets its children: its
	// earlier visits evaluate it (a playout from it) without growing the
	// tree, as Pachi's expand_p and Fuego's expansion threshold do, so
	// that lines visited once cost no nodes (on 19x19 a leaf has about
	// 300 children). 1 (the default) expands every leaf at its first
	// visit: right for a network evaluator, whose evaluation brings the
	// priors anyway; 0 means 1. The root always expands.
	ExpandVisits int

	// Seed fixes every random choice (noise, temperature sampling).
	Seed uint64
}

// DefaultConfig returns parameters for play: one thread, no noise.
func DefaultConfig() Config {
	return Config{
		Threads:          1,
		MaxNodes:         4_000_000,
		CInit:            1.25,
		CBase:            19652,
		FPUReduction:     0.25,
		RootFPUReduction: 0.25,
		VirtualLoss:      3,
		NoiseEpsilon:     0.25,
		ExpandVisits:     1,
		Seed:             1,
	}
}

// NoiseAlphaFor returns the Dirichlet alpha Leela Zero uses for a board
// size: 0.03 * 361 / size^2.
func NoiseAlphaFor(size int) float64 { return 0.03 * 361 / float64(size*size) }

// ErrConfig is wrapped by configuration errors.
var ErrConfig = errors.New("mcts: bad config")

// Validate reports the first bad parameter.
func (c Config) Validate() error {
	switch {
	case c.Threads < 1:
		return fmt.Errorf("%w: threads %d", ErrConfig, c.Threads)
	case c.ExpandVisits < 0:
		return fmt.Errorf("%w: expand visits %d", ErrConfig, c.ExpandVisits)
	case c.MaxNodes < 2:
		return fmt.Errorf("%w: max nodes %d", ErrConfig, c.MaxNodes)
	case c.CInit <= 0 || c.CBase <= 0:
		return fmt.Errorf("%w: c_init %v, c_base %v", ErrConfig, c.CInit, c.CBase)
	case c.FPUReduction < 0 || c.RootFPUReduction < 0:
		return fmt.Errorf("%w: negative FPU reduction", ErrConfig)
	case c.VirtualLoss < 0:
		return fmt.Errorf("%w: virtual loss %d", ErrConfig, c.VirtualLoss)
	case c.RAVEEquiv < 0:
		return fmt.Errorf("%w: RAVE equivalence %v", ErrConfig, c.RAVEEquiv)
	case c.NoiseAlpha < 0 || c.NoiseEpsilon < 0 || c.NoiseEpsilon > 1:
		return fmt.Errorf("%w: noise alpha %v epsilon %v", ErrConfig, c.NoiseAlpha, c.NoiseEpsilon)
	}
	return nil
}

// Limits bound one search. Zero fields are no limit; a search with no
// limit at all runs until its context ends (pondering, analysis).
type Limits struct {
	Visits   int           // root visits, reused ones included
	Playouts int           // new simulations in this search
	Time     time.Duration // wall time
}
