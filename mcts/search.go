package mcts

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tengen-go/tengen/board"
)

// Searcher owns a search tree over one game. It is not safe for concurrent
// use: one Search (or Ponder) at a time, and the game given to SetGame must
// not change while a search runs.
type Searcher struct {
	// Fixed for the searcher's life.
	cfg  Config
	eval Evaluator

	// Per game position (SetGame).
	game      *board.Game
	rules     board.Rules
	root      board.State
	rootMoves []board.Move // the game's moves at the root, for tree reuse
	rootSetup uint64       // hash of the position before the first move, for reuse

	// Mutable: the tree, under mu while a search runs.
	mu       sync.Mutex
	tree     arena
	spare    arena
	noised   bool
	rng      *rand.Rand
	treeFull bool
	refineAt int32 // PriorRefiner's threshold; 0: no refinement
	// nodeLambda is ValueRefiner's NodeLambda (1: no network values).
	nodeLambda float64
	wantOwn    bool      // this search's Options.Ownership (set before the workers start)
	own        []float64 // sum of the root's final ownership estimates, +1 Black
	ownN       int       // simulations that brought an ownership estimate
}

// NewSearcher returns a searcher evaluating leaves with eval.
func NewSearcher(eval Evaluator, cfg Config) (*Searcher, error) {
	if eval == nil {
		return nil, fmt.Errorf("%w: nil evaluator", ErrConfig)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Searcher{cfg: cfg, eval: eval, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6d637473))}
	s.nodeLambda = 1
	if r, ok := eval.(PriorRefiner); ok && r.RefineAt() > 0 {
		s.refineAt = int32(r.RefineAt())
		if vr, ok := eval.(ValueRefiner); ok {
			l := vr.NodeLambda()
			if !(l >= 0 && l <= 1) {
				return nil, fmt.Errorf("%w: node lambda %v outside [0, 1]", ErrConfig, l)
			}
			s.nodeLambda = l
		}
	}
	s.tree.reset(cfg.MaxNodes)
	return s, nil
}

// Config returns the searcher's configuration.
func (s *Searcher) Config() Config { return s.cfg }

// Evaluator returns the searcher's leaf evaluator (the analysis engine
// asks it for the root's raw policy).
func (s *Searcher) Evaluator() Evaluator { return s.eval }

// SetGame makes the game's current position the root. When the game
// continues the previous root's line by a few moves (our move and the
// opponent's), the subtree under them is kept; otherwise the tree starts
// afresh. The game must not change while a search runs.
func (s *Searcher) SetGame(g *board.Game) {
	moves := g.Moves()
	st := g.State()
	reused := false
	if s.game != nil && s.tree.at(0).state == expanded && g.Size() == s.root.Pos.Size() &&
		g.Komi() == s.root.Komi && g.Rules() == s.rules && len(moves) >= len(s.rootMoves) && len(moves)-len(s.rootMoves) <= 8 {
		same := true
		for i, m := range s.rootMoves {
			if moves[i] != m {
				same = false
				break
			}
		}
		if same {
			reused = s.advance(moves[len(s.rootMoves):], &st)
		}
	}
	if !reused {
		s.tree.reset(s.cfg.MaxNodes)
		s.treeFull = false
	}
	s.game = g
	s.rules = g.Rules()
	s.root = st
	s.rootMoves = moves
	s.noised = false
	n := g.Size() * g.Size()
	if cap(s.own) < n {
		s.own = make([]float64, n)
	}
	s.own = s.own[:n]
	clear(s.own)
	s.ownN = 0
}

// advance walks the tree down the given moves from the root and, if the
// resulting state matches want, makes that node the root.
func (s *Searcher) advance(moves []board.Move, want *board.State) bool {
	st := s.root
	idx := int32(0)
	for _, m := range moves {
		nd := s.tree.at(idx)
		if nd.state != expanded || m.Color != st.ToMove {
			return false
		}
		next := int32(-1)
		for c := nd.first; c < nd.first+nd.nchild; c++ {
			if s.tree.at(c).move == m.Point {
				next = c
				break
			}
		}
		if next < 0 || st.Play(m.Color, m.Point) != nil {
			return false
		}
		idx = next
	}
	if st.Pos.Hash() != want.Pos.Hash() || st.ToMove != want.ToMove || st.Pos.Ko() != want.Pos.Ko() {
		return false
	}
	if nd := s.tree.at(idx); nd.state == expanded && nd.nchild == 0 {
		// A game end inside the tree (two passes) that the game goes
		// on from: the root is never terminal, so start afresh.
		return false
	}
	if idx != 0 {
		s.tree.compactInto(&s.spare, idx)
		s.tree, s.spare = s.spare, s.tree
	}
	s.treeFull = false
	return true
}

// MoveStat is the analysis of one root move.
type MoveStat struct {
	Move    board.Point
	Visits  int
	Winrate float64 // for the side to move at the root, 0..1
	// ScoreLead is the mean final score estimate after the move, in
	// points for the side to move at the root (komi included), valid
	// when HasScore (an EstimateEvaluator, or game ends in the tree);
	// ScoreStdev is the spread of the estimates.
	ScoreLead  float64
	ScoreStdev float64
	HasScore   bool
	Prior      float64
	LCB        float64 // lower confidence bound of the winrate
	Order      int     // rank by visits, from 0
	PV         []board.Point
}

// Result is the outcome of a search.
type Result struct {
	Best      board.Point
	Winrate   float64 // of Best, for the side to move
	Visits    int     // root visits, reused ones included
	Playouts  int     // simulations this search
	TreeFull  bool    // the node limit was reached: the tree stopped growing
	Nodes     int
	Elapsed   time.Duration
	Moves     []MoveStat // root moves by visits
	Collision int        // simulations abandoned because another goroutine held the leaf
	// Root is the root's own estimate (RootInfo at the end).
	Root RootInfo
}

// RootInfo is the search's estimate of the root position over all its
// visits: the quantities kata-analyze and the analysis engine report
// for the position itself.
type RootInfo struct {
	Visits  int
	Winrate float64 // for the side to move, 0..1
	// ScoreLead is the mean final score in points for the side to move
	// (komi included), valid when HasScore.
	ScoreLead  float64
	ScoreStdev float64
	HasScore   bool
	// Ownership is the mean final ownership of every point (board.Points
	// order, row-major from the top left), +1 Black and -1 White; nil
	// when the evaluator gives none.
	Ownership []float32
}

// Options are per-search settings.
type Options struct {
	Limits Limits
	// Analysis, if set, receives a snapshot of the root moves and the
	// root's estimate every Interval (and once at the end) from the
	// search's own goroutine.
	Analysis func([]MoveStat, RootInfo)
	Interval time.Duration
	// Ownership asks the evaluator for the final ownership of every point
	// (RootInfo.Ownership, kata-analyze ownership, the analysis engine);
	// off, the playouts skip that count. Score leads are always kept.
	Ownership bool
	// MinMoves makes the Analysis snapshots show at least this many root
	// moves where the position has them: after the visited ones, the
	// unvisited ones by prior, with 0 visits and the root's winrate
	// (lz-analyze and kata-analyze minmoves).
	MinMoves int
	// Avoid lists root moves not to search; if Allow is not empty, only
	// those root moves are searched (lz-analyze avoid/allow).
	Avoid, Allow []board.Point
	// NoNoise skips the root Dirichlet noise of Config.NoiseAlpha for this
	// search (self-play's fast searches under playout-cap randomisation);
	// a later search of the same root may still add it.
	NoNoise bool
	// StopEarly ends the search as soon as the most visited root move
	// can no longer be overtaken within the visit and time limits (at
	// the visit rate so far), as Leela Zero and KataGo do: the time
	// saved goes to harder moves.
	StopEarly bool
	// ForcedPlayouts is KataGo's forced playouts (Wu 2019, section 3.1)
	// with this k (KataGo uses 2; 0: off): a root child with at least
	// one visit and fewer than sqrt(k * prior * the sum of the root's
	// child visits) is visited before PUCT is asked. Only self-play's full
	// searches set it, whose policy target then leaves the forced visits
	// out (Searcher.PrunedVisits); play and analysis never do.
	ForcedPlayouts float64
}

// errTreeFull stops the search when the arena cannot hold the root's
// children.
var errTreeFull = errors.New("mcts: node limit reached")

// Search runs simulations from the root until a limit is reached or ctx
// ends, and returns the root statistics. Ending by ctx is not an error.
func (s *Searcher) Search(ctx context.Context, opts Options) (Result, error) {
	if s.game == nil {
		return Result{}, errors.New("mcts: Search before SetGame")
	}
	if k := opts.ForcedPlayouts; !(k >= 0) || math.IsInf(k, 1) {
		return Result{}, fmt.Errorf("%w: forced playouts k %v", ErrConfig, k)
	}
	start := time.Now()
	if opts.Limits.Time > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Limits.Time)
		defer cancel()
	}
	s.wantOwn = opts.Ownership
	w := &worker{s: s, eval: s.eval, priors: make([]float32, s.root.Pos.Size()*s.root.Pos.Size()+1), forcedK: opts.ForcedPlayouts}
	var started, completed, collisions atomic.Int64
	// The root must be expanded before goroutines fan out.
	if s.tree.at(0).state != expanded {
		if _, err := w.simulate(ctx); err != nil {
			if errors.Is(err, errTreeFull) || ctx.Err() != nil {
				return s.result(start, 0), nil
			}
			return Result{}, err
		}
	}
	s.prepareRoot(opts)

	var firstErr error
	var errOnce sync.Once
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()
	limits := opts.Limits
	startVisits := int(s.tree.at(0).n)
	var checks atomic.Int64
	done := func() bool {
		if stopCtx.Err() != nil {
			return true
		}
		if limits.Visits > 0 {
			s.mu.Lock()
			v := s.tree.at(0).n
			s.mu.Unlock()
			if int(v) >= limits.Visits {
				return true
			}
		}
		if opts.StopEarly && checks.Add(1)%16 == 0 && s.decided(start, startVisits, limits) {
			stop()
			return true
		}
		return false
	}
	var wg sync.WaitGroup
	for t := range s.cfg.Threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := w
			if t > 0 {
				wk = &worker{s: s, eval: s.eval, priors: make([]float32, len(w.priors)), forcedK: w.forcedK}
			}
			if we, ok := s.eval.(WorkerEvaluator); ok {
				e, release := we.Worker()
				defer release()
				wk.eval = e
			}
			for !done() {
				if limits.Playouts > 0 && started.Add(1) > int64(limits.Playouts) {
					return
				}
				ok, err := wk.simulate(stopCtx)
				if err != nil {
					if !errors.Is(err, errTreeFull) && stopCtx.Err() == nil {
						errOnce.Do(func() { firstErr = err })
					}
					stop()
					return
				}
				if ok {
					completed.Add(1)
				} else {
					collisions.Add(1)
					if limits.Playouts > 0 {
						started.Add(-1) // a collision is not a playout
					}
				}
			}
		}()
	}
	// Analysis snapshots from this goroutine while the workers run.
	if opts.Analysis != nil && opts.Interval > 0 {
		finished := make(chan struct{})
		go func() { wg.Wait(); close(finished) }()
		tick := time.NewTicker(opts.Interval)
	loop:
		for {
			select {
			case <-tick.C:
				opts.Analysis(s.snapshot(opts.MinMoves), s.RootInfo())
			case <-finished:
				break loop
			}
		}
		tick.Stop()
	}
	wg.Wait()
	if firstErr != nil {
		return Result{}, firstErr
	}
	res := s.result(start, int(completed.Load()))
	res.Collision = int(collisions.Load())
	if opts.Analysis != nil {
		moves := res.Moves
		if opts.MinMoves > len(moves) {
			moves = s.snapshot(opts.MinMoves)
		}
		opts.Analysis(moves, res.Root)
	}
	return res, nil
}

// decided reports whether the most visited root move can no longer be
// overtaken: the visits still to come (by the visit limit, or by the
// time limit at this search's rate so far) are fewer than its lead over
// the second. It never decides in the first 50 ms or without a limit.
func (s *Searcher) decided(start time.Time, startVisits int, limits Limits) bool {
	elapsed := time.Since(start)
	if elapsed < 50*time.Millisecond {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	root := s.tree.at(0)
	if root.state != expanded {
		return false
	}
	left := math.Inf(1)
	if limits.Visits > 0 {
		left = float64(limits.Visits - int(root.n))
	}
	if limits.Time > 0 {
		rate := float64(int(root.n)-startVisits) / elapsed.Seconds()
		left = min(left, rate*(limits.Time-elapsed).Seconds())
	}
	if math.IsInf(left, 1) {
		return false
	}
	first, second := int32(0), int32(0)
	for c := root.first; c < root.first+root.nchild; c++ {
		nd := s.tree.at(c)
		if nd.prior < 0 {
			continue
		}
		switch n := nd.n + nd.vl; {
		case n > first:
			first, second = n, first
		case n > second:
			second = n
		}
	}
	return float64(first-second) > left
}

// prepareRoot applies root noise and the avoid/allow filters. Filtering
// sets the prior of excluded moves to zero and marks them with a huge
// negative value through prior < 0.
func (s *Searcher) prepareRoot(opts Options) {
	s.mu.Lock()
	defer s.mu.Unlock()
	root := s.tree.at(0)
	if root.state != expanded || root.nchild == 0 {
		return
	}
	children := s.tree.span(root.first, root.nchild)
	if s.cfg.NoiseAlpha > 0 && !opts.NoNoise && !s.noised && len(children) > 1 {
		noise := dirichlet(s.rng, s.cfg.NoiseAlpha, len(children))
		eps := float32(s.cfg.NoiseEpsilon)
		for i := range children {
			children[i].prior = (1-eps)*children[i].prior + eps*float32(noise[i])
		}
		s.noised = true
	}
	if len(opts.Avoid) == 0 && len(opts.Allow) == 0 {
		for i := range children {
			if children[i].prior < 0 {
				children[i].prior = -children[i].prior - 1
			}
		}
		return
	}
	in := func(pt board.Point, list []board.Point) bool {
		for _, p := range list {
			if p == pt {
				return true
			}
		}
		return false
	}
	for i := range children {
		c := &children[i]
		banned := in(c.move, opts.Avoid) || (len(opts.Allow) > 0 && !in(c.move, opts.Allow))
		if banned && c.prior >= 0 {
			c.prior = -c.prior - 1 // recoverable: -p-1 < 0
		} else if !banned && c.prior < 0 {
			c.prior = -c.prior - 1
		}
	}
}

// result builds a Result from the root.
func (s *Searcher) result(start time.Time, playouts int) Result {
	moves := s.Snapshot()
	s.mu.Lock()
	res := Result{
		Visits:   int(s.tree.at(0).n),
		Playouts: playouts,
		TreeFull: s.treeFull,
		Nodes:    s.tree.size(),
		Elapsed:  time.Since(start),
		Moves:    moves,
	}
	res.Best, res.Winrate = s.bestMove(moves)
	s.mu.Unlock()
	res.Root = s.RootInfo()
	return res
}

// RootInfo returns the root's estimate so far. Safe to call while a
// search runs (from its Analysis callback, say).
func (s *Searcher) RootInfo() RootInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	root := s.tree.at(0)
	info := RootInfo{Visits: int(root.n), Winrate: 0.5}
	if root.n > 0 {
		info.Winrate = (-s.mean(root) + 1) / 2
	}
	if root.sn > 0 {
		mean := root.score / float64(root.sn)
		info.ScoreLead, info.HasScore = -mean, true
		info.ScoreStdev = math.Sqrt(math.Max(root.score2/float64(root.sn)-mean*mean, 0))
	}
	if s.ownN > 0 {
		info.Ownership = make([]float32, len(s.own))
		for i, o := range s.own {
			info.Ownership[i] = float32(o / float64(s.ownN))
		}
	}
	return info
}

// bestMove chooses the move to play from the root: the most visited one;
// the highest prior when no root move has a visit yet (a one-visit
// search: the network's own choice). A pass is replaced by a move that
// still changes the area score (board.Position.UnsettledMoves: neutral
// points, stones to capture, an empty board), the most visited of them:
// under area scoring such a move never costs points, while a pass may;
// and when every region belongs to one side but passing would lose by
// the Tromp-Taylor count, by any sensible move (Leela Zero's rule).
// Called with the lock held.
func (s *Searcher) bestMove(moves []MoveStat) (board.Point, float64) {
	root := s.tree.at(0)
	if root.state != expanded || root.nchild == 0 {
		return board.Pass, 0
	}
	children := s.tree.span(root.first, root.nchild)
	best, winrate := board.Pass, 0.5
	if root.n > 0 { // the root's own evaluation, for the side to move
		winrate = (-s.mean(root) + 1) / 2
	}
	if len(moves) > 0 {
		best, winrate = moves[0].Move, moves[0].Winrate
	} else {
		bestPrior := float32(-1)
		for i := range children {
			if c := &children[i]; c.prior >= 0 && c.prior > bestPrior {
				best, bestPrior = c.move, c.prior
			}
		}
		if bestPrior < 0 {
			return board.Pass, 0
		}
	}
	if best != board.Pass {
		return best, winrate
	}
	open := s.root.Pos.MovesBeforePass(s.root.ToMove, s.root.Komi, nil)
	if len(open) == 0 {
		return best, winrate
	}
	// The unsettled root moves the search may play: most visited first,
	// then by prior.
	alt, altN, altPrior := int32(-1), int32(-1), float32(-1)
	for i := range children {
		c := &children[i]
		if c.prior < 0 || c.move == board.Pass || !slices.Contains(open, c.move) {
			continue
		}
		if c.n > altN || (c.n == altN && c.prior > altPrior) {
			alt, altN, altPrior = int32(i), c.n, c.prior
		}
	}
	if alt < 0 {
		return best, winrate
	}
	if c := &children[alt]; c.n > 0 {
		return c.move, (s.mean(c) + 1) / 2
	}
	return children[alt].move, winrate
}

// Snapshot returns the root moves with at least one visit that the current
// avoid/allow lists permit, most visited
// first (ties by prior), with principal variations.
func (s *Searcher) Snapshot() []MoveStat { return s.snapshot(0) }

// snapshot is Snapshot with at least least moves where the root has them:
// unvisited permitted moves follow by prior, with 0 visits and the
// root's winrate.
func (s *Searcher) snapshot(least int) []MoveStat {
	s.mu.Lock()
	defer s.mu.Unlock()
	root := s.tree.at(0)
	if root.state != expanded {
		return nil
	}
	var out []MoveStat
	for c := root.first; c < root.first+root.nchild; c++ {
		nd := s.tree.at(c)
		if nd.n == 0 || nd.prior < 0 { // unvisited, or excluded by avoid/allow (visits from an earlier search)
			continue
		}
		ms := MoveStat{
			Move:    nd.move,
			Visits:  int(nd.n),
			Winrate: (s.mean(nd) + 1) / 2,
			Prior:   float64(abs32prior(nd.prior)),
			LCB:     (nd.lcb() + 1) / 2,
			PV:      s.pv(c),
		}
		if nd.sn > 0 {
			mean := nd.score / float64(nd.sn)
			ms.ScoreLead, ms.HasScore = mean, true
			ms.ScoreStdev = math.Sqrt(math.Max(nd.score2/float64(nd.sn)-mean*mean, 0))
		}
		out = append(out, ms)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Visits != out[j].Visits {
			return out[i].Visits > out[j].Visits
		}
		return out[i].Prior > out[j].Prior
	})
	if len(out) < least {
		winrate := 0.5
		if root.n > 0 {
			winrate = (-s.mean(root) + 1) / 2
		}
		var rest []MoveStat
		for c := root.first; c < root.first+root.nchild; c++ {
			if nd := s.tree.at(c); nd.n == 0 && nd.prior >= 0 {
				rest = append(rest, MoveStat{Move: nd.move, Winrate: winrate, Prior: float64(nd.prior), PV: []board.Point{nd.move}})
			}
		}
		sort.SliceStable(rest, func(i, j int) bool { return rest[i].Prior > rest[j].Prior })
		out = append(out, rest[:min(len(rest), least-len(out))]...)
	}
	for i := range out {
		out[i].Order = i
	}
	return out
}

func abs32prior(p float32) float32 {
	if p < 0 {
		return -p - 1
	}
	return p
}

// pv follows the most visited children from node idx.
func (s *Searcher) pv(idx int32) []board.Point {
	var pv []board.Point
	for idx >= 0 && len(pv) < 32 {
		nd := s.tree.at(idx)
		pv = append(pv, nd.move)
		if nd.state != expanded {
			break
		}
		best, bestN := int32(-1), int32(0)
		for c := nd.first; c < nd.first+nd.nchild; c++ {
			if n := s.tree.at(c).n; n > bestN {
				best, bestN = c, n
			}
		}
		idx = best
	}
	return pv
}

// worker is one search goroutine's scratch space.
type worker struct {
	s      *Searcher
	eval   Evaluator
	priors []float32
	path   []int32
	moves  []board.Move
	keys   []uint64
	legal  []board.Point

	// forcedK is the search's Options.ForcedPlayouts (0: off).
	forcedK float64

	// refining: the path ends at an expanded node whose priors this
	// simulation refines (PriorRefiner) instead of evaluating a leaf.
	refining bool

	// The leaf's score and ownership estimate (EstimateEvaluator).
	est    Estimate
	ownBuf []float32
	owners []int8

	// RAVE: the playout's moves and the first-play marks by point.
	playout   []board.Move
	markStamp [1024]uint32
	markColor [1024]board.Color
	stamp     uint32
}

// simulate runs one simulation: select a leaf with virtual loss, evaluate
// it, expand it and back the value up. It returns false when it gave way to
// another goroutine evaluating the same leaf (a collision).
func (w *worker) simulate(ctx context.Context) (bool, error) {
	s := w.s
	s.mu.Lock()
	w.selectLeaf()
	if w.refining {
		s.mu.Unlock()
		return false, w.refine(ctx)
	}
	leaf := s.tree.at(w.path[len(w.path)-1])
	if leaf.state == expanding {
		// Another goroutine is evaluating this leaf: step back.
		w.undoVirtualLoss()
		s.mu.Unlock()
		time.Sleep(20 * time.Microsecond)
		return false, nil
	}
	terminal := leaf.state == expanded && leaf.nchild == 0
	// grow: this visit gives the leaf its children. Earlier visits
	// (Config.ExpandVisits) and every visit once the arena is full
	// evaluate the leaf and leave it a leaf; the root always grows.
	grow := !terminal && (len(w.path) == 1 || !s.treeFull && leaf.n+1 >= int32(s.cfg.ExpandVisits))
	if grow {
		leaf.state = expanding
	}
	s.mu.Unlock()

	st := w.replay()
	var value float32
	// Two passes in a row end the game, but only passes the search made
	// count with the game's: the root itself is never over, since play
	// may go on after two passes (GTP, KGS cleanup, Sabaki).
	over := len(w.moves) >= 1 && st.NumRecent >= 2 && st.Recent[0].Point == board.Pass && st.Recent[1].Point == board.Pass &&
		(len(w.moves) >= 2 || s.game.ConsecutivePasses() >= 1)
	if over || terminal {
		value = w.terminalEstimate(&st)
		s.mu.Lock()
		leaf = s.tree.at(w.path[len(w.path)-1])
		if leaf.state == expanding {
			leaf.state = expanded // no children: terminal
		}
		w.backup(value)
		w.backupEstimate(&st)
		s.mu.Unlock()
		return true, nil
	}
	var v float32
	var err error
	amaf := false
	w.est.HasScore, w.est.Ownership = false, nil
	if ee, ok := w.eval.(EstimateEvaluator); ok {
		if s.wantOwn {
			n := st.Pos.Size() * st.Pos.Size()
			if cap(w.ownBuf) < n {
				w.ownBuf = make([]float32, n)
			}
			w.est.Ownership = w.ownBuf[:n]
		}
		var moves *[]board.Move
		if _, ok := w.eval.(AMAFEvaluator); ok && s.cfg.RAVEEquiv > 0 {
			w.playout = w.playout[:0]
			moves, amaf = &w.playout, true
		}
		v, err = ee.EvaluateEstimate(ctx, &st, w.priors, moves, &w.est)
	} else if ae, ok := w.eval.(AMAFEvaluator); ok && s.cfg.RAVEEquiv > 0 {
		w.playout = w.playout[:0]
		v, err = ae.EvaluateAMAF(ctx, &st, w.priors, &w.playout)
		amaf = true
	} else {
		v, err = w.eval.Evaluate(ctx, &st, w.priors)
	}
	if err != nil {
		s.mu.Lock()
		if grow {
			s.tree.at(w.path[len(w.path)-1]).state = unexpanded
		}
		w.undoVirtualLoss()
		s.mu.Unlock()
		return false, err
	}
	value = v
	if grow {
		w.legalMoves(&st)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if leafIdx := w.path[len(w.path)-1]; grow && !w.expand(leafIdx) {
		// The arena is full: the tree stops growing (until the next
		// move's tree reuse frees the lines not played) and the search
		// goes on with leaves evaluated where they are. Only a root
		// that cannot get its children ends the search.
		s.tree.at(leafIdx).state = unexpanded
		s.treeFull = true
		if len(w.path) == 1 {
			w.backup(value)
			w.backupEstimate(&st)
			return true, errTreeFull
		}
	}
	raw := value
	value = w.mixNV(value)
	w.backup(value)
	w.backupEstimate(&st)
	if amaf {
		w.backupAMAF(raw)
	}
	return true, nil
}

// mixNV mixes into a leaf's evaluation v (for the side to move at the
// leaf) the network value of the deepest refined node on the path
// (ValueRefiner): nodeLambda*v + (1-nodeLambda)*nv, nv turned to the
// leaf's side to move. Without such a node, v. Lock held.
func (w *worker) mixNV(v float32) float32 {
	s := w.s
	if s.nodeLambda >= 1 {
		return v
	}
	last := len(w.path) - 1
	for k := last; k >= 0; k-- {
		nd := s.tree.at(w.path[k])
		if !nd.hasNV {
			continue
		}
		// nd.nv is for the player who moved into node k; the leaf's
		// side to move is the opponent of the one who moved into the
		// leaf, so the same player as k's mover when last-k is odd.
		nv := nd.nv
		if (last-k)%2 == 0 {
			nv = -nv
		}
		return float32(s.nodeLambda)*v + float32(1-s.nodeLambda)*nv
	}
	return v
}

// replay plays the path's moves on a copy of the root state and returns
// it, recording the superko key after each move in w.keys.
func (w *worker) replay() board.State {
	st := w.s.root
	w.keys = w.keys[:0]
	for _, m := range w.moves {
		if err := st.Play(m.Color, m.Point); err != nil {
			panic(fmt.Sprintf("mcts: tree move %v %s illegal: %v", m.Color, m.Point.GTP(st.Pos.Size()), err))
		}
		w.keys = append(w.keys, w.s.rules.SuperkoKey(st.Pos.Hash(), st.ToMove))
	}
	return st
}

// refine computes the better priors of the node ending w.path
// (PriorRefiner) and puts them on its children, keeping the avoid/allow
// marks. It counts as no simulation. Called without the lock.
func (w *worker) refine(ctx context.Context) error {
	s := w.s
	st := w.replay()
	r, ok := w.eval.(PriorRefiner)
	var err error
	var v float32
	vr, withValue := w.eval.(ValueRefiner)
	withValue = withValue && s.nodeLambda < 1
	switch {
	case withValue:
		v, err = vr.RefineValue(ctx, &st, w.priors)
	case ok:
		err = r.Refine(ctx, &st, w.priors)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	nd := s.tree.at(w.path[len(w.path)-1])
	if !ok || err != nil {
		nd.refine = unrefined
		w.undoVirtualLoss()
		return err
	}
	if withValue {
		nd.nv, nd.hasNV = -v, true // for the player who moved into the node
	}
	size := st.Pos.Size()
	children := s.tree.span(nd.first, nd.nchild)
	sum := float32(0)
	for i := range children {
		sum += max(w.priors[moveIndex(children[i].move, size)], 0)
	}
	for i := range children {
		c := &children[i]
		p := float32(1) / float32(len(children))
		if sum > 0 {
			p = max(w.priors[moveIndex(c.move, size)], 0) / sum
		}
		if c.prior < 0 { // excluded by avoid/allow: keep the mark
			p = -p - 1
		}
		c.prior = p
	}
	if len(w.path) == 1 && s.noised && len(children) > 1 {
		// The root's noise went with its old priors: add it again.
		noise := dirichlet(s.rng, s.cfg.NoiseAlpha, len(children))
		eps := float32(s.cfg.NoiseEpsilon)
		for i := range children {
			if c := &children[i]; c.prior >= 0 {
				c.prior = (1-eps)*c.prior + eps*float32(noise[i])
			}
		}
	}
	nd.refine = refined
	w.undoVirtualLoss()
	return nil
}

// backupAMAF adds the all-moves-as-first evidence of one simulation:
// for every node of the path, each child whose move the side to move
// there played first (at that point, later in the path or in the
// playout) gets the simulation's value. value is for the side to move at
// the leaf. Lock held.
func (w *worker) backupAMAF(value float32) {
	w.stamp++
	if w.stamp == 0 { // wrapped: forget every old mark
		clear(w.markStamp[:])
		w.stamp = 1
	}
	mark := func(m board.Move) {
		if m.Point != board.Pass && int(m.Point) < len(w.markStamp) {
			w.markStamp[m.Point] = w.stamp
			w.markColor[m.Point] = m.Color
		}
	}
	for j := len(w.playout) - 1; j >= 0; j-- { // earliest play wins
		mark(w.playout[j])
	}
	t := &w.s.tree
	leaf := len(w.path) - 1
	color := w.s.root.ToMove
	if leaf%2 == 1 {
		color = color.Opponent()
	} // the side to move at the leaf; alternates up the path
	v := float64(value)
	for i := leaf; i >= 0; i-- {
		nd := t.at(w.path[i])
		if nd.state == expanded {
			for c := nd.first; c < nd.first+nd.nchild; c++ {
				ch := t.at(c)
				pt := ch.move
				if pt != board.Pass && int(pt) < len(w.markStamp) && w.markStamp[pt] == w.stamp && w.markColor[pt] == color {
					ch.amafN++
					ch.amafW += v // the child's value is for its mover: color
				}
			}
		}
		if i > 0 {
			mark(w.moves[i-1])
		}
		color = color.Opponent()
		v = -v
	}
}

// terminalEstimate scores a finished game (Tromp-Taylor area) for the
// side to move: it sets w.est to the exact score and ownership and
// returns the value, +1 win, -1 loss, 0 jigo.
func (w *worker) terminalEstimate(st *board.State) float32 {
	w.owners = st.Pos.AreaOwners(w.owners)
	sum := 0
	for _, o := range w.owners {
		sum += int(o) // Black's area minus White's
	}
	score := float64(sum) - st.Komi
	sign := float32(1)
	if st.ToMove == board.White {
		score, sign = -score, -1
	}
	w.est.Score, w.est.HasScore = float32(score), true
	w.est.Ownership = nil
	if !w.s.wantOwn {
		return float32(scoreValue(score, 1, 0)) // the result alone: +1, 0, -1
	}
	n := len(w.owners)
	if cap(w.ownBuf) < n {
		w.ownBuf = make([]float32, n)
	}
	w.est.Ownership = w.ownBuf[:n]
	for i, o := range w.owners {
		w.est.Ownership[i] = sign * float32(o)
	}
	return float32(scoreValue(score, 1, 0)) // the result alone: +1, 0, -1
}

// backupEstimate adds w.est (for the side to move at the leaf, st) to
// the path's score sums, alternating sides, and its ownership to the
// root's. Lock held.
func (w *worker) backupEstimate(st *board.State) {
	s := w.s
	if w.est.HasScore {
		v := -float64(w.est.Score) // for the player who moved into the leaf
		for i := len(w.path) - 1; i >= 0; i-- {
			nd := s.tree.at(w.path[i])
			nd.sn++
			nd.score += v
			nd.score2 += v * v
			v = -v
		}
	}
	if own := w.est.Ownership; own != nil && len(own) == len(s.own) {
		sign := 1.0
		if st.ToMove == board.White {
			sign = -1
		}
		for i, o := range own {
			s.own[i] += sign * float64(o)
		}
		s.ownN++
	}
}

// legalMoves lists the legal moves at st (superko against the game and the
// path), pass included, into w.legal.
func (w *worker) legalMoves(st *board.State) {
	s := w.s
	w.legal = w.legal[:0]
	c := st.ToMove
	for _, pt := range board.Points(st.Pos.Size()) {
		if st.Pos.At(pt) != board.Empty || !st.Pos.Legal(c, pt) {
			continue
		}
		if s.rules.Ko != board.KoSimple {
			k := s.rules.SuperkoKey(st.Pos.HashAfter(c, pt), c.Opponent())
			if s.game.Seen(k) || containsKey(w.keys, k) {
				continue
			}
		}
		w.legal = append(w.legal, pt)
	}
	w.legal = append(w.legal, board.Pass)
}

func containsKey(keys []uint64, k uint64) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// expand creates the leaf's children from w.legal and w.priors (masked to
// legal moves and normalised). Called with the lock held. It returns false
// if the arena is full.
func (w *worker) expand(leafIdx int32) bool {
	s := w.s
	size := s.root.Pos.Size()
	first := s.tree.alloc(len(w.legal))
	if first < 0 {
		return false
	}
	sum := float32(0)
	for _, pt := range w.legal {
		sum += max(w.priors[moveIndex(pt, size)], 0)
	}
	for i, pt := range w.legal {
		p := max(w.priors[moveIndex(pt, size)], 0)
		if sum > 0 {
			p /= sum
		} else {
			p = 1 / float32(len(w.legal))
		}
		*s.tree.at(first + int32(i)) = node{move: pt, prior: p, first: -1}
	}
	leaf := s.tree.at(leafIdx)
	leaf.first = first
	leaf.nchild = int32(len(w.legal))
	leaf.state = expanded
	return true
}

func moveIndex(pt board.Point, size int) int {
	if pt == board.Pass {
		return size * size
	}
	x, y := pt.XY()
	return y*size + x
}

// selectLeaf descends from the root by PUCT (at the root a forced
// playout first, when the search asked for them), adding virtual loss,
// and records the path and its moves. Called with the lock held.
func (w *worker) selectLeaf() {
	s := w.s
	t := &s.tree
	vloss := int32(s.cfg.VirtualLoss)
	w.path = append(w.path[:0], 0)
	w.moves = w.moves[:0]
	w.refining = false
	color := s.root.ToMove
	idx := int32(0)
	t.at(0).vl++
	for {
		nd := t.at(idx)
		if nd.state != expanded || nd.nchild == 0 {
			return
		}
		if s.refineAt > 0 && nd.refine == unrefined && (idx == 0 || nd.n >= s.refineAt) {
			// The root at once, other nodes once they have earned it.
			nd.refine = refining
			w.refining = true
			return
		}
		// The parent's value for the side to move here.
		parentV := 0.0
		if q, n := nd.q(0); n > 0 {
			parentV = -q
		}
		parentN := float64(0)
		visitedPrior := 0.0
		for c := nd.first; c < nd.first+nd.nchild; c++ {
			ch := t.at(c)
			parentN += float64(ch.n + ch.vl)
			if ch.n > 0 {
				visitedPrior += float64(abs32prior(ch.prior))
			}
		}
		red := s.cfg.FPUReduction
		if idx == 0 {
			red = s.cfg.RootFPUReduction
		}
		fpu := parentV - red*math.Sqrt(visitedPrior)
		cpuct := s.cfg.CInit + math.Log((1+parentN+s.cfg.CBase)/s.cfg.CBase)
		sqrtN := math.Sqrt(max(parentN, 1))
		best, bestScore := int32(-1), math.Inf(-1)
		forced := int32(-1)
		if idx == 0 && w.forcedK > 0 {
			forced = s.forcedChild(nd, w.forcedK, parentN)
		}
		equiv := s.cfg.RAVEEquiv
		for c := nd.first; forced < 0 && c < nd.first+nd.nchild; c++ {
			ch := t.at(c)
			if ch.prior < 0 { // excluded by avoid/allow
				continue
			}
			q, n := ch.q(vloss)
			switch {
			case equiv > 0 && ch.amafN > 0:
				a := float64(ch.amafN)
				qa := ch.amafW / a
				if n == 0 {
					q = qa
				} else {
					nf := float64(n)
					beta := a / (nf + a + nf*a/equiv)
					q = (1-beta)*q + beta*qa
				}
			case n == 0:
				q = fpu
			}
			score := q + cpuct*float64(ch.prior)*sqrtN/float64(1+n)
			if score > bestScore {
				best, bestScore = c, score
			}
		}
		if forced >= 0 {
			best = forced
		}
		if best < 0 {
			return
		}
		t.at(best).vl++
		w.path = append(w.path, best)
		w.moves = append(w.moves, board.Move{Color: color, Point: t.at(best).move})
		color = color.Opponent()
		idx = best
	}
}

// mean is a visited node's value for the player who moved into it: its
// simulations' mean. Lock held.
func (s *Searcher) mean(nd *node) float64 {
	return nd.w / float64(nd.n)
}

// undoVirtualLoss removes the path's virtual loss. Lock held.
func (w *worker) undoVirtualLoss() {
	for _, i := range w.path {
		w.s.tree.at(i).vl--
	}
}

// backup adds value (for the side to move at the leaf) along the path,
// alternating sides, and removes the virtual loss. Lock held.
func (w *worker) backup(value float32) {
	v := -float64(value) // the leaf node's value is for the player who moved into it
	for i := len(w.path) - 1; i >= 0; i-- {
		nd := w.s.tree.at(w.path[i])
		nd.vl--
		nd.n++
		nd.w += v
		nd.w2 += v * v
		v = -v
	}
}
