package gtptest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/gtp"
)

// Player is a deterministic gtp.Player: it ranks the legal moves by a hash
// of the position and the point, skips its own single-point eyes and the
// moves avoid/allow rule out, and plays the best (Pass when none is
// left). Its analysis shows the best three moves with made-up, fixed
// statistics. The zero value is ready to use; set the fields before use.
type Player struct {
	// Reports is how many analysis reports GenMove and Analyze send at
	// once (default 1 when there is a Report func), before anything else.
	Reports int
	// Periodic makes Analyze report every Interval after that until its
	// context ends (as a real engine does); otherwise it just waits.
	Periodic bool
	// Delay makes GenMove think this long (less if the budget or ctx says
	// so).
	Delay time.Duration
	// ResignAfter makes GenMove resign once this many moves have been
	// played (0: never).
	ResignAfter int
	// Fail makes GenMove and Analyze fail with this error.
	Fail error
	// Scores makes the Player a gtp.Estimator: its reports carry made-up
	// score leads and a root ownership of +1 for every Black stone, -1
	// for every White stone and 0 elsewhere (kata-analyze).
	Scores bool

	mu    sync.Mutex
	calls []Call
}

// Call records one call to the Player.
type Call struct {
	Method string // "GenMove" or "Analyze"
	Color  board.Color
	Moves  int // moves played in the game at the call
	Opts   gtp.SearchOptions
}

var (
	_ gtp.Player    = (*Player)(nil)
	_ gtp.Estimator = (*Player)(nil)
)

// Estimates implements gtp.Estimator.
func (p *Player) Estimates() bool { return p.Scores }

// Calls returns the calls so far (Opts without Report).
func (p *Player) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Call(nil), p.calls...)
}

func (p *Player) log(method string, g *board.Game, c board.Color, opts gtp.SearchOptions) {
	opts.Report = nil
	p.mu.Lock()
	p.calls = append(p.calls, Call{Method: method, Color: c, Moves: g.MoveNumber(), Opts: opts})
	p.mu.Unlock()
}

// GenMove implements gtp.Player.
func (p *Player) GenMove(ctx context.Context, g *board.Game, c board.Color, opts gtp.SearchOptions) (board.Point, bool, error) {
	p.log("GenMove", g, c, opts)
	if p.Fail != nil {
		return board.Pass, false, p.Fail
	}
	ranked := Ranked(g, c, opts)
	if opts.Report != nil {
		for range max(p.Reports, 1) {
			opts.Report(p.analysis(g, Stats(ranked)))
		}
	}
	if d := p.Delay; d > 0 {
		if opts.Budget > 0 {
			d = min(d, opts.Budget)
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	if p.ResignAfter > 0 && g.MoveNumber() >= p.ResignAfter {
		return board.Pass, true, nil
	}
	if len(ranked) == 0 {
		return board.Pass, false, nil
	}
	return ranked[0], false, nil
}

// Analyze implements gtp.Player.
func (p *Player) Analyze(ctx context.Context, g *board.Game, c board.Color, opts gtp.SearchOptions) error {
	p.log("Analyze", g, c, opts)
	if p.Fail != nil {
		return p.Fail
	}
	if opts.Report == nil {
		return errors.New("gtptest: Analyze without Report")
	}
	stats := p.analysis(g, Stats(Ranked(g, c, opts)))
	for range max(p.Reports, 1) {
		opts.Report(stats)
	}
	if !p.Periodic || opts.Interval <= 0 {
		<-ctx.Done()
		return nil
	}
	tick := time.NewTicker(opts.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			opts.Report(stats)
		}
	}
}

// analysis wraps stats into a report, with the made-up estimates when
// p.Scores.
func (p *Player) analysis(g *board.Game, stats []gtp.MoveStat) gtp.Analysis {
	a := gtp.Analysis{Moves: stats, Root: gtp.RootInfo{Visits: 200, Winrate: 0.55}}
	if !p.Scores {
		return a
	}
	for i := range a.Moves {
		a.Moves[i].ScoreLead, a.Moves[i].ScoreStdev, a.Moves[i].HasScore = 3.5-float64(i), 10, true
	}
	a.Root.ScoreLead, a.Root.ScoreStdev, a.Root.HasScore = 2.5, 12, true
	pos := g.Position()
	for _, pt := range board.Points(g.Size()) {
		v := float32(0)
		switch pos.At(pt) {
		case board.Black:
			v = 1
		case board.White:
			v = -1
		}
		a.Root.Ownership = append(a.Root.Ownership, v)
	}
	return a
}

// Ranked returns c's candidate moves in g, best first: legal, not c's
// own single-point eyes, not avoided, allowed when an allow list applies
// to c at the root.
func Ranked(g *board.Game, c board.Color, opts gtp.SearchOptions) []board.Point {
	pos := g.Position()
	rootFilter := func(fs []gtp.MoveFilter) (map[board.Point]bool, bool) {
		m := map[board.Point]bool{}
		any := false
		for _, f := range fs {
			if f.Color == c && f.UntilDepth >= 1 {
				any = true
				for _, pt := range f.Moves {
					m[pt] = true
				}
			}
		}
		return m, any
	}
	avoid, _ := rootFilter(opts.Avoid)
	allow, restrict := rootFilter(opts.Allow)
	var moves []board.Point
	for _, pt := range g.LegalMoves(c, nil) {
		if pos.IsEye(c, pt) || avoid[pt] || (restrict && !allow[pt]) {
			continue
		}
		moves = append(moves, pt)
	}
	key := func(pt board.Point) uint64 { return mix(pos.Hash() ^ uint64(pt)*0x9e3779b97f4a7c15 ^ uint64(c)) }
	// Insertion sort by key, descending: small lists, no allocation games.
	for i := 1; i < len(moves); i++ {
		for j := i; j > 0 && key(moves[j]) > key(moves[j-1]); j-- {
			moves[j], moves[j-1] = moves[j-1], moves[j]
		}
	}
	return moves
}

// Stats makes up the analysis of the best three ranked moves.
func Stats(ranked []board.Point) []gtp.MoveStat {
	n := min(len(ranked), 3)
	stats := make([]gtp.MoveStat, n)
	for i := range n {
		pv := []board.Point{ranked[i]}
		if len(ranked) > n {
			pv = append(pv, ranked[n])
		}
		w := 0.6 - 0.1*float64(i)
		stats[i] = gtp.MoveStat{
			Move:    ranked[i],
			Visits:  100 >> i,
			Winrate: w,
			Prior:   0.5 / float64(i+1),
			LCB:     w - 0.05,
			Order:   i,
			PV:      pv,
		}
	}
	return stats
}

// mix is SplitMix64's finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
