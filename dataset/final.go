package dataset

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/rollout"
	"github.com/tengen-go/tengen/sgf"
)

// FinalConfig configures the dead stone removal of Count.
type FinalConfig struct {
	// Playouts is the number of playouts that judge the stones: heavy
	// ones (rollout.DefaultPolicy) unless Light is set. Default 400.
	Playouts int
	// Light judges with light random playouts (board.Position.Ownership),
	// the older judge: on the final positions of 80 counted 19x19
	// validation games they agree with GNU Go's final_status_list dead on
	// 49 positions, heavy playouts on 75 (docs/networks.md).
	Light bool
	// Seed seeds their generator: the same position and seed give the
	// same verdict. Default 1.
	Seed uint64
	// Resigned gives a game that ended by resignation targets too
	// (GameFinal): the playouts' ownership of its last position, each
	// point given to the side that owns it in at least three quarters of
	// them (owner mean |o| >= 0.5) and to neither otherwise, and the
	// area margin of that. An estimate, not a count: it is kept only
	// when it names the recorded winner (as a count must).
	Resigned bool
	// DeadBelow: a chain is dead when the mean playout ownership of its
	// stones, from its owner's view (+1: still its own at the end), is
	// below it. Default -0.3: the opponent owns the stones in at least
	// 65% of the playouts. (On the shared 9x9 games -0.2 to -0.4 agree
	// with GNU Go about equally; a seki's chains measure -0.2 to 0.)
	DeadBelow float64
}

// DefaultFinalConfig returns 400 playouts, seed 1, DeadBelow -0.3.
func DefaultFinalConfig() FinalConfig {
	return FinalConfig{Playouts: 400, Seed: 1, DeadBelow: -0.3}
}

// EnsureDefaults fills zero fields with the defaults.
func (c *FinalConfig) EnsureDefaults() {
	d := DefaultFinalConfig()
	if c.Playouts == 0 {
		c.Playouts = d.Playouts
	}
	if c.Seed == 0 {
		c.Seed = d.Seed
	}
	if c.DeadBelow == 0 {
		c.DeadBelow = d.DeadBelow
	}
}

// Final is a counted final position: who owns each point and the score.
type Final struct {
	Size int
	// Owner holds, per point of board.Points(Size), +1 where Black owns
	// the point (a live black stone, or an empty or dead-stone point whose
	// region reaches only black stones), -1 for White, 0 for neither
	// (dame, the liberties of a seki).
	Owner []int8
	// Score is Black's area minus White's minus komi.
	Score float64
	// Dead lists the stones removed as dead, in board order.
	Dead []board.Point
}

// Count scores the final position p by area after removing dead stones,
// with komi: the method is deliberately simple.
//
//  1. Playouts from p (cfg.Playouts of them from a generator seeded with
//     cfg.Seed, half with toMove first and half with the opponent first,
//     since whoever moves first in a seki tends to lose it) estimate who
//     owns each point at the end: heavy playouts (rollout.DefaultPolicy:
//     they answer ataris, capture, play nakade and avoid big
//     self-ataris, so they neither kill living groups by filling their
//     liberties nor leave dead ones standing), or light ones with
//     cfg.Light.
//  2. A chain whose stones' mean ownership, from its owner's view, is
//     below cfg.DeadBelow is dead: the playouts capture it most of the
//     time. A chain in seki survives about as often as not and stays.
//  3. Dead chains are removed; every live stone counts for its colour,
//     and every empty region (dead stones' points included) for the
//     colour whose stones alone it touches (Tromp-Taylor area).
//
// The playouts fill dame and capture stones that are short of liberties,
// so a group alive in the game may die in them; that is why a chain must
// be lost in most playouts, not half, before it is removed. The test
// against GNU Go's final_status_list measures the agreement.
func Count(p *board.Position, toMove board.Color, komi float64, cfg FinalConfig) Final {
	cfg.EnsureDefaults()
	size := p.Size()
	pts := board.Points(size)
	// Half the playouts with each side first: whoever moves first in a
	// seki tends to fill a shared liberty and lose it.
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6f776e))
	half := max(1, cfg.Playouts/2)
	var own []float32
	if cfg.Light {
		own = p.Ownership(toMove, rng, half, nil)
		other := p.Ownership(toMove.Opponent(), rng, half, nil)
		for i := range own {
			own[i] = (own[i] + other[i]) / 2
		}
	} else {
		own = rollout.DefaultPolicy().Ownership(p, toMove, komi, 2*half, rng)
	}
	index := func(pt board.Point) int { x, y := pt.XY(); return y*size + x } // Points order
	q := *p
	isDead := make([]bool, len(pts))
	seen := make([]bool, len(pts))
	var chain, dead []board.Point
	for i, pt := range pts {
		c := p.At(pt)
		if c == board.Empty || seen[i] {
			continue
		}
		chain = p.Chain(pt, chain)
		var sum float64
		for _, s := range chain {
			seen[index(s)] = true
			sum += float64(own[index(s)])
		}
		mean := sum / float64(len(chain))
		if c == board.White {
			mean = -mean
		}
		if mean < cfg.DeadBelow {
			for _, s := range chain {
				isDead[index(s)] = true
			}
		}
	}
	for i, pt := range pts {
		if isDead[i] {
			dead = append(dead, pt)
		}
	}
	if len(dead) > 0 {
		// Place, not Play: removing stones is no move.
		_ = q.Place(board.Empty, dead)
	}
	f := Final{Size: size, Owner: q.AreaOwners(nil), Dead: dead}
	var b, w int
	for _, o := range f.Owner {
		switch o {
		case 1:
			b++
		case -1:
			w++
		}
	}
	f.Score = float64(b-w) - komi
	return f
}

// Reasons a game has no final targets (GameFinal).
var (
	ErrNotCounted  = errors.New("dataset: the game was not counted (resignation, time, forfeit, no result or no final passes)")
	ErrResultClash = errors.New("dataset: the count disagrees with the recorded result")
)

// GameFinal returns the counted end of a game record: the final position
// of its main line scored by Count (with the game's komi, the side to
// move after the last move first in the playouts). A game counts when it
// was played to a counted end: its result is a score or a draw (B+3.5,
// W+0.5, 0), or its main line ends with two passes and its result is not
// a resignation, a loss on time or a forfeit; with cfg.Resigned a
// resigned game gets the playouts' estimate of its end instead (estimate).
// It fails with ErrNotCounted otherwise, and with ErrResultClash when the
// record gives a winner (or a draw) and the count another: the record
// was scored by other rules, the dead stones were judged differently, or
// the record is wrong; such targets are not trusted. Under territory scoring (the "japanese"
// rules: Japanese, Korean, or no RU) the count is first converted: area
// and territory margins differ by the stones each side put on the board
// (handicap and other setup stones included), so a 9-stone handicap game
// reads about 8 points better for Black by area than by territory. Only
// the winner is compared (seki and the rules' details move a close count
// by a point or so); a recorded draw accepts a count within 2 points. The
// targets (Final.Score, Final.Owner) stay those of area scoring, the
// rules tengen plays by.
func GameFinal(g Game, cfg FinalConfig) (Final, error) {
	class, winner, _ := ResultClass(g.Info.Result)
	switch {
	case class == "resign" && cfg.Resigned:
	case class == "resign", class == "time", class == "forfeit":
		return Final{}, ErrNotCounted
	}
	rg := sgf.Replay(g.Root)
	if rg.Err != nil || rg.Board == nil {
		return Final{}, fmt.Errorf("dataset: %s: %w", g.ID, rg.Err)
	}
	bg := rg.Board
	if class != "score" && class != "resign" && bg.ConsecutivePasses() < 2 {
		return Final{}, ErrNotCounted
	}
	var f Final
	if class == "resign" {
		f = estimate(bg.Position(), bg.ToMove(), bg.Komi(), cfg)
	} else {
		f = Count(bg.Position(), bg.ToMove(), bg.Komi(), cfg)
	}
	if class == "score" || class == "resign" {
		s := f.Score
		if g.Info.Rules.Name == "japanese" {
			s -= float64(placedMargin(bg.Position()))
		}
		switch {
		case winner == board.Black && !(s > 0),
			winner == board.White && !(s < 0),
			winner == board.Empty && math.Abs(s) > 2:
			return f, fmt.Errorf("%w: %s by the record, %s by the count", ErrResultClash, g.Info.Result, formatScore(s))
		}
	}
	return f, nil
}

// estimate is the end of a game that stopped before it was finished
// (FinalConfig.Resigned): each point goes to the side that owns it in the
// playouts' mean by at least 0.5, to neither otherwise; Score is the area
// margin so counted, komi included; Dead lists the stones given to the
// opponent.
func estimate(p *board.Position, toMove board.Color, komi float64, cfg FinalConfig) Final {
	cfg.EnsureDefaults()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6f776e))
	own := rollout.DefaultPolicy().Ownership(p, toMove, komi, 2*max(1, cfg.Playouts/2), rng)
	f := Final{Size: p.Size(), Owner: make([]int8, len(own)), Score: -komi}
	for i, pt := range board.Points(p.Size()) {
		switch {
		case own[i] >= 0.5:
			f.Owner[i] = 1
		case own[i] <= -0.5:
			f.Owner[i] = -1
		}
		f.Score += float64(f.Owner[i])
		if c := p.At(pt); c == board.Black && f.Owner[i] == -1 || c == board.White && f.Owner[i] == 1 {
			f.Dead = append(f.Dead, pt)
		}
	}
	return f
}

// placedMargin returns the stones Black has put on the board minus those
// White has (setup stones included): the stones on the board plus those
// the opponent captured. It is what area scoring counts beyond territory
// scoring: each side's area holds its live stones, its territory the
// prisoners it took instead.
func placedMargin(p *board.Position) int {
	return p.Stones(board.Black) + p.Captures(board.White) - p.Stones(board.White) - p.Captures(board.Black)
}

// formatScore writes a Black-view score the way SGF results read.
func formatScore(s float64) string {
	switch {
	case s > 0:
		return "B+" + strconv.FormatFloat(s, 'f', -1, 64)
	case s < 0:
		return "W+" + strconv.FormatFloat(-s, 'f', -1, 64)
	}
	return "0"
}

// ForMover returns f's targets for a position where mover is to play,
// transformed by sym as the encoded input is: ownership per point in the
// input's frame (row-major from the top left, +1 where the mover owns the
// point) and the score from the mover's view.
func (f Final) ForMover(mover board.Color, sym nets.Symmetry) (own []int8, score float32) {
	n := f.Size
	own = make([]int8, n*n)
	sign := int8(1)
	if mover == board.White {
		sign = -1
	}
	for i, pt := range board.Points(n) {
		x, y := pt.XY()
		x, y = sym.Apply(x, y, n)
		own[y*n+x] = sign * f.Owner[i]
	}
	s := f.Score
	if mover == board.White {
		s = -s
	}
	return own, float32(s)
}

// String draws the owners: X and O for points of Black and White, '.' for
// neither.
func (f Final) String() string {
	var b strings.Builder
	for y := range f.Size {
		for x := range f.Size {
			b.WriteByte(".XO"[ownerIndex(f.Owner[y*f.Size+x])])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func ownerIndex(o int8) int {
	switch o {
	case 1:
		return 1
	case -1:
		return 2
	}
	return 0
}
