package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/mcts"
)

func init() { benchmarks["play"] = benchPlay }

// playPositions is the number of positions bench play searches a row
// on, each from its own random game (so no tree is reused).
const playPositions = 4

// playRow is the search speed of the engine tengen gtp runs, with its
// embedded network and defaults, at one --feature-playouts.
type playRow struct {
	Size      int    `json:"size"`
	Evaluator string `json:"evaluator"`         // what --evaluator auto resolves to
	Network   string `json:"network,omitempty"` // where it runs, e.g. "cpu int8 x2"
	// FeaturePlayouts is the playouts behind a v3 network's playout
	// planes (0: the network has none, or no network).
	FeaturePlayouts int     `json:"feature_playouts,omitempty"`
	Positions       int     `json:"positions"`
	Visits          int     `json:"visits"` // new visits, all positions
	Seconds         float64 `json:"seconds"`
	VisitsPS        float64 `json:"visits_per_s"`
	// XBaseline is VisitsPS over the size's first row (the first
	// --feature-playouts), measured in the same run.
	XBaseline float64 `json:"x_baseline"`
}

type playTable struct {
	Rows []playRow `json:"rows"`
}

func (t playTable) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%5s %-9s %-14s %16s %9s %10s %11s\n", "size", "evaluator", "network", "feature playouts", "positions", "visits/s", "x baseline")
	for _, r := range t.Rows {
		fp, network := "-", r.Network
		if r.FeaturePlayouts > 0 {
			fp = strconv.Itoa(r.FeaturePlayouts)
		}
		if network == "" {
			network = "-"
		}
		fmt.Fprintf(&b, "%2dx%-2d %-9s %-14s %16s %9d %10.1f %10.2fx\n", r.Size, r.Size, r.Evaluator, network, fp, r.Positions, r.VisitsPS, r.XBaseline)
	}
	return b.String()
}

// benchPlay measures what a player gets: the search of tengen gtp with
// its defaults (embedded networks, --evaluator auto, the play precision,
// its goroutines and backend pool), in new visits a second over
// playPositions positions of --seconds each, for each --feature-playouts
// (the first is the baseline; sizes whose network has no playout planes
// get one row).
func benchPlay(ctx context.Context, e env, o benchOptions) (any, error) {
	var t playTable
	dur := time.Duration(o.seconds * float64(time.Second))
	for _, size := range o.sizes {
		var base float64
		for i, fp := range o.featurePlayouts {
			row, v3, err := playSpeed(ctx, size, fp, dur, o.seed)
			if err != nil {
				return nil, err
			}
			if i == 0 {
				base = row.VisitsPS
			}
			row.XBaseline = row.VisitsPS / base
			t.Rows = append(t.Rows, row)
			if !v3 {
				break // the other counts change nothing
			}
		}
	}
	return t, nil
}

// playSpeed measures one row; v3 says the size's network has playout
// planes.
func playSpeed(ctx context.Context, size, featurePlayouts int, dur time.Duration, seed uint64) (row playRow, v3 bool, err error) {
	fs := pflag.NewFlagSet("bench play", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := engineFlags(fs)
	args := []string{"--time", dur.String(), "--seed", strconv.FormatUint(seed, 10), "--feature-playouts", strconv.Itoa(featurePlayouts)}
	if err := fs.Parse(args); err != nil {
		return row, false, usageError("bench play: %v", err)
	}
	if err := cfg.validate(); err != nil {
		return row, false, fmt.Errorf("bench play: %w", err)
	}
	eng, err := newEngine(*cfg, io.Discard)
	if err != nil {
		return row, false, err
	}
	defer eng.Close()
	row = playRow{Size: size, Evaluator: eng.evaluatorName(size), Positions: playPositions}
	if n, ok := eng.nets[size]; ok {
		row.Network = n.label()
		if fp := n.eval.FeaturePlayouts(); fp > 0 {
			row.FeaturePlayouts, v3 = fp, true
		}
	}
	for i := range playPositions {
		g, err := randomPosition(size, 4*i*size*size/81, seed+uint64(i))
		if err != nil {
			return row, v3, err
		}
		s, err := eng.setGame(g, g.ToMove())
		if err != nil {
			return row, v3, err
		}
		mo := searchOptions(gtp.SearchOptions{}, g.ToMove(), g)
		mo.Limits = mcts.Limits{Time: dur}
		res, err := s.Search(ctx, mo)
		if err != nil {
			return row, v3, err
		}
		row.Visits += res.Playouts
		row.Seconds += res.Elapsed.Seconds()
	}
	row.VisitsPS = float64(row.Visits) / row.Seconds
	return row, v3, nil
}

// randomPosition plays moves random legal moves (no passes, none into
// the mover's own eyes) from the empty board, komi 7.
func randomPosition(size, moves int, seed uint64) (*board.Game, error) {
	g, err := board.NewGame(size, 7, board.DefaultRules())
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x706c6179))
	for range moves {
		var legal []board.Point
		for _, pt := range board.Points(size) {
			if g.Legal(g.ToMove(), pt) && !g.Position().IsEye(g.ToMove(), pt) {
				legal = append(legal, pt)
			}
		}
		if len(legal) == 0 {
			break
		}
		if err := g.Play(g.ToMove(), legal[rng.IntN(len(legal))]); err != nil {
			return nil, err
		}
	}
	return g, nil
}
