package train

import (
	"context"
	"errors"
	"math/rand/v2"

	"github.com/tengen-go/tengen/dataset"
)

// Position is a place in a Source's data: the next example a pass would
// deliver. Epoch counts passes over the data from 0; Game and Move are the
// source's own coordinates (for SGF sets: the ordinal of a game among the
// accepted, not skipped games, and the number of that game's examples
// already delivered).
type Position struct {
	Epoch int `json:"epoch"`
	Game  int `json:"game"`
	Move  int `json:"move"`
}

// Source streams training examples in a fixed order, one pass at a time.
type Source interface {
	// Pass calls fn for every example from 'from' to the end of the data,
	// in order, with the position just after the example (where a pass
	// resuming after it must start). Examples of different epochs may
	// differ (other symmetries). The Example is reused after fn returns.
	// Pass returns fn's error, ctx's, or a read error; bad records are
	// the source's business, not errors.
	Pass(ctx context.Context, from Position, fn func(next Position, ex *dataset.Example) error) error
}

// ErrNoData is returned when a whole pass delivers no example.
var ErrNoData = errors.New("train: no training examples")

// SGFSource streams the examples of an SGF set (dataset.Examples), with
// the board symmetries of each epoch drawn from Config.Seed and the epoch.
type SGFSource struct {
	Config dataset.ExampleConfig
	// Stats, if set, receives each pass's dataset statistics.
	Stats func(epoch int, st dataset.Stats)
}

// Pass implements Source.
func (s *SGFSource) Pass(ctx context.Context, from Position, fn func(Position, *dataset.Example) error) error {
	cfg := s.Config
	cfg.StartGame = from.Game
	cfg.Seed = EpochSeed(s.Config.Seed, from.Epoch)
	if cfg.Order != 0 {
		cfg.Order = EpochSeed(cfg.Order, from.Epoch) | 1 // a new game order each epoch, never 0 (archive order)
	}
	game, move := -1, 0
	st, err := dataset.Examples(ctx, cfg, func(ordinal int, ex *dataset.Example) error {
		if ordinal != game {
			game, move = ordinal, 0
		}
		move++
		if ordinal == from.Game && move <= from.Move {
			return nil
		}
		return fn(Position{Epoch: from.Epoch, Game: ordinal, Move: move}, ex)
	})
	if s.Stats != nil {
		s.Stats(from.Epoch, st)
	}
	return err
}

// EpochSeed is the symmetry seed of an epoch: seed for epoch 0, a
// different one for every later epoch.
func EpochSeed(seed uint64, epoch int) uint64 {
	return seed ^ uint64(epoch)*0x9e3779b97f4a7c15
}

// Sample returns up to n examples of cfg (typically the validation games,
// cfg.Only), taking each with probability 1/every by a generator seeded
// with seed, in data order, and stopping at n. The same data and seed give
// the same sample.
func Sample(ctx context.Context, cfg dataset.ExampleConfig, n, every int, seed uint64) ([]dataset.Example, dataset.Stats, error) {
	rng := rand.New(rand.NewPCG(seed, 0x76616c6964)) // "valid"
	every = max(every, 1)
	var out []dataset.Example
	st, err := dataset.Examples(ctx, cfg, func(_ int, ex *dataset.Example) error {
		if rng.IntN(every) != 0 {
			return nil
		}
		c := *ex
		if ex.PolicyDist != nil {
			c.PolicyDist = append([]float32(nil), ex.PolicyDist...)
		}
		out = append(out, c)
		if len(out) >= n {
			return dataset.ErrStop
		}
		return nil
	})
	return out, st, err
}
