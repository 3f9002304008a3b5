package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/internal/defaultnets"
	"github.com/tengen-go/tengen/internal/neteval"
	"github.com/tengen-go/tengen/mcts"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/cpu"
	"github.com/tengen-go/tengen/nets/cuda"
	"github.com/tengen-go/tengen/rollout"
)

// playFeaturePlayouts is --feature-playouts' default: the commands that
// play encode a v3 network's playout planes from this many playouts
// instead of the nets.PlayoutsV3 the network learnt on, which makes
// about 2.5 times as many visits at 9x9 and wins at equal time
// (docs/perf.md, "Fewer playouts behind the planes in play").
const playFeaturePlayouts = 8

// engineConfig is what the gtp and match commands configure.
type engineConfig struct {
	threads   int
	visits    int
	playouts  int
	perMove   time.Duration
	resign    float64 // winrate below which to resign (0: never)
	seed      uint64
	weights   []string // weights files, one per board size
	rollouts  int      // playouts per evaluation of the playout evaluator
	lambda    float64  // weight of playouts mixed into the network's value (hybrid); < 0: per size
	expandAt  int      // hybrid with lambda 1: visits before a node gets the network's priors; < 0: the default
	doomed    float64  // hybrid, refined nodes: factor on the network's prior of doomed escapes; < 0: the default
	stake     float64  // hybrid, refined nodes: prior floor per stone captured, saved or caught; < 0: the default
	expandVis int      // the visit at which a leaf gets its children (mcts.Config.ExpandVisits); 0: by evaluator and size
	evaluator string   // "auto", "playouts", "net" or "hybrid"
	rave      float64  // RAVE equivalence (0: off); < 0: the default
	cpuct     float64  // PUCT's c_init (mcts.Config.CInit); 0: the default
	autoTime  bool     // no --visits, --playouts or --time: spend defaultMoveTime per move
	policy    string   // rollout policy: heavy, light, or heavy without a piece
	lgrf      string   // playouts with a last-good-reply table (rollout.Replies): first, late; off or "": none
	priors    string   // playout evaluator's priors: knowledge or uniform
	scoreW    float64  // playout evaluator's score utility weight; < 0: the default
	maxBatch  int
	nodes     int
	judge     int // heavy playouts that judge dead stones (final_score, final_status_list); 0: judgePlayouts
	featPlay  int // playouts behind a v3 network's playout planes (nets.FeatureSet.WithPlayouts); 0: the default
	backend   backendFlags
}

// engine implements gtp.Player with the search, a network per board size
// where one is loaded, and the playout evaluator elsewhere.
type engine struct {
	cfg      engineConfig
	stderr   io.Writer
	backends *backendChooser

	mu        sync.Mutex
	nets      map[int]*netEntry
	searchers map[int]*mcts.Searcher
	resigners map[board.Color]*mcts.Resigner
	banks     map[board.Color]*timeBank
	warned    map[int]bool
	announced map[int]bool
	runCtx    context.Context
	stopRun   context.CancelFunc
	running   sync.WaitGroup
}

var (
	_ gtp.Player             = (*engine)(nil)
	_ gtp.Ponderer           = (*engine)(nil)
	_ gtp.Estimator          = (*engine)(nil)
	_ gtp.OwnershipEstimator = (*engine)(nil)
)

// judgePlayouts is the number of heavy playouts that judge dead stones
// for final_score and final_status_list.
const judgePlayouts = 400

// Ownership implements gtp.OwnershipEstimator for final_score and
// final_status_list: the mean final owner over judgePlayouts (cfg.judge)
// heavy playouts (rollout.Policy.Ownership, the judge dataset.Count uses), on
// every board size. On the ends of 80 counted 19x19 validation games it
// agrees with GNU Go's final_status_list dead on 75, where the network's
// ownership head (the mean of the 8 symmetries, this method's source
// before) agreed on 35 (docs/networks.md). The network's ownership still
// feeds kata-analyze with --evaluator net.
func (e *engine) Ownership(ctx context.Context, g *board.Game) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := e.cfg.judge
	if n == 0 {
		n = judgePlayouts
	}
	rng := rand.New(rand.NewPCG(e.cfg.seed, 0x6f776e))
	return rollout.DefaultPolicy().Ownership(g.Position(), g.ToMove(), g.Komi(), n, rng), nil
}

// Estimates implements gtp.Estimator: score leads and ownership come from
// the playouts (the playout evaluator, and the hybrid wherever it plays
// them: refining from --expand-at visits, or mixing them in at lambda
// above 0; mcts.MixedEvaluator has none otherwise), or from the network's
// score and ownership heads (the net evaluator, the 9x9 default). They are
// offered (kata-analyze) only where every size with a loaded network has
// them under the evaluator it resolves to (the embedded networks have the
// heads); sizes without a network search with playouts, which have them.
func (e *engine) Estimates() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for size, n := range e.nets {
		switch e.cfg.evaluatorFor(size, true) {
		case "playouts":
			continue
		case "hybrid":
			if lambda, expandAt := e.cfg.hybridMix(size); expandAt > 0 || lambda != 0 {
				continue
			}
			return false
		}
		if spec := n.weights.Spec; !spec.HasScore() || !spec.HasOwnership() {
			return false
		}
	}
	return true
}

// hybridMix is the hybrid evaluator's playout weight and expansion
// threshold on a board size: --lambda and --expand-at, or their defaults
// where negative.
func (c *engineConfig) hybridMix(size int) (lambda float64, expandAt int) {
	lambda, expandAt = c.lambda, c.expandAt
	if lambda < 0 {
		lambda = defaultLambda(size)
	}
	if expandAt < 0 {
		expandAt = defaultExpandAt
	}
	return lambda, expandAt
}

// netEntry is one loaded network and its batcher.
type netEntry struct {
	weights  *nets.Weights
	backends []nets.Backend // the batcher's, one per core on the CPU
	batcher  *nets.Batcher
	eval     *neteval.Evaluator
}

func newEngine(cfg engineConfig, stderr io.Writer) (*engine, error) {
	ctx, cancel := context.WithCancel(context.Background())
	e := &engine{
		cfg: cfg, stderr: stderr, backends: cfg.backend.chooser(stderr),
		nets: map[int]*netEntry{}, searchers: map[int]*mcts.Searcher{}, warned: map[int]bool{}, announced: map[int]bool{},
		resigners: map[board.Color]*mcts.Resigner{},
		banks:     map[board.Color]*timeBank{},
		runCtx:    ctx, stopRun: cancel,
	}
	for _, path := range cfg.weights {
		w, err := nets.Load(path)
		if err != nil {
			e.Close()
			return nil, err
		}
		if err := e.addNet(w); err != nil {
			e.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		fmt.Fprintf(stderr, "tengen: %dx%d network %s from %s, %s%s\n", w.Spec.BoardSize, w.Spec.BoardSize, w.Spec.Name, path, e.nets[w.Spec.BoardSize].label(), e.nets[w.Spec.BoardSize].planesNote())
	}
	embedded, err := embeddedNets()
	if err != nil {
		e.Close()
		return nil, err
	}
	for _, w := range embedded {
		if _, ok := e.nets[w.Spec.BoardSize]; !ok {
			if err := e.addNet(w); err != nil {
				e.Close()
				return nil, err
			}
			fmt.Fprintf(stderr, "tengen: %dx%d network %s (embedded), %s%s\n", w.Spec.BoardSize, w.Spec.BoardSize, w.Spec.Name, e.nets[w.Spec.BoardSize].label(), e.nets[w.Spec.BoardSize].planesNote())
		}
	}
	return e, nil
}

// planesNote is ", playout planes from N playouts" for a network with
// playout input planes (--feature-playouts), else "".
func (n *netEntry) planesNote() string {
	if fp := n.eval.FeaturePlayouts(); fp > 0 {
		return fmt.Sprintf(", playout planes from %d playouts", fp)
	}
	return ""
}

// label says where n's network runs, for the log: "cpu int8 x2" (the
// CPU backend's arithmetic, which --precision auto resolves, and how many
// backends the batcher runs side by side) or the GPU backend's type.
func (n *netEntry) label() string {
	var where string
	switch b := n.backends[0].(type) {
	case *cpu.Backend:
		where = "cpu " + b.Precision().String()
	case *cuda.Backend:
		where = "cuda"
	default:
		where = fmt.Sprintf("%T", b)
	}
	if len(n.backends) > 1 {
		where += fmt.Sprintf(" x%d", len(n.backends))
	}
	return where
}

// addNet starts a backend and batcher for w.
func (e *engine) addNet(w *nets.Weights) error {
	size := w.Spec.BoardSize
	if _, dup := e.nets[size]; dup {
		return fmt.Errorf("two networks for %dx%d", size, size)
	}
	bes, err := e.backends.openPool(w, e.cfg.maxBatch)
	if err != nil {
		return err
	}
	opts := nets.DefaultBatcherOptions()
	opts.MaxBatch = e.cfg.maxBatch
	opts.CacheSize = 1 << 16
	b, err := nets.NewBatcherPool(bes, opts)
	if err != nil {
		closeAll(bes)
		return err
	}
	ev, err := neteval.New(b, -1, e.cfg.seed)
	if err == nil {
		err = ev.ApplyFeaturePlayouts(e.cfg.featPlay)
	}
	if err != nil {
		closeAll(bes)
		return err
	}
	e.running.Add(1)
	go func() {
		defer e.running.Done()
		b.Run(e.runCtx)
	}()
	e.nets[size] = &netEntry{weights: w, backends: bes, batcher: b, eval: ev}
	return nil
}

// Close stops the batchers and releases the backends.
func (e *engine) Close() {
	e.stopRun()
	e.running.Wait()
	for _, n := range e.nets {
		closeAll(n.backends)
	}
}

// searcher returns the searcher for a board size, creating it with the
// size's network or the playout evaluator.
func (e *engine) searcher(size int) (*mcts.Searcher, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s, ok := e.searchers[size]; ok {
		return s, nil
	}
	var ev mcts.Evaluator
	rollouts := mcts.NewPlayoutEvaluator(max(e.cfg.rollouts, 1), e.cfg.seed)
	pol, err := rolloutPolicy(e.cfg.policy)
	if err != nil {
		return nil, err
	}
	// --lgrf: off by default (weaker at equal playouts on 9x9 and 19x19:
	// docs/strength.md, "Last good reply").
	if m := e.cfg.lgrf; m == "first" || m == "late" {
		pol.Replies = rollout.NewReplies(size)
		pol.RepliesLate = m == "late"
	}
	rollouts.Policy = pol
	rollouts.Uniform = e.cfg.priors == "uniform"
	if e.cfg.scoreW >= 0 {
		rollouts.ScoreWeight = e.cfg.scoreW
	}
	n, haveNet := e.nets[size]
	kind := e.cfg.evaluatorFor(size, haveNet)
	if !haveNet && !e.warned[size] {
		fmt.Fprintf(e.stderr, "tengen: no network for %dx%d: searching with playouts\n", size, size)
		e.warned[size] = true
	}
	cfg := mcts.DefaultConfig()
	switch kind {
	case "net":
		ev = n.eval
	case "hybrid":
		lambda, expandAt := e.cfg.hybridMix(size)
		doomed := e.cfg.doomed
		if doomed < 0 {
			doomed = defaultDoomed
		}
		stake := e.cfg.stake
		if stake < 0 {
			stake = defaultStake
		}
		ev = &mcts.MixedEvaluator{Net: n.eval, Playouts: rollouts, Lambda: lambda, ExpandAt: expandAt, Doomed: doomed, Stake: stake}
		if expandAt > 0 {
			// The search runs at the playouts' pace: RAVE and one
			// goroutine per core, as with the playout evaluator; lambda
			// mixes the network's value in at the refined nodes.
			cfg.RAVEEquiv = defaultRAVEEquiv
			kind = "hybrid-expand"
		}
	default:
		ev = rollouts
		cfg.RAVEEquiv = defaultRAVEEquiv
	}
	if e.cfg.rave >= 0 {
		cfg.RAVEEquiv = e.cfg.rave
	}
	if e.cfg.cpuct > 0 {
		cfg.CInit = e.cfg.cpuct
	}
	if !e.announced[size] {
		fmt.Fprintf(e.stderr, "tengen: %dx%d: evaluator %s\n", size, size, kind)
		e.announced[size] = true
	}
	cfg.Threads = e.cfg.threads
	if cfg.Threads == 0 {
		cfg.Threads = defaultThreads(kind)
	}
	cfg.Seed = e.cfg.seed
	if e.cfg.nodes > 0 {
		cfg.MaxNodes = e.cfg.nodes
	}
	cfg.ExpandVisits = e.cfg.expandVis
	if cfg.ExpandVisits == 0 {
		cfg.ExpandVisits = defaultExpandVisits(kind, size)
	}
	s, err := mcts.NewSearcher(ev, cfg)
	if err != nil {
		return nil, err
	}
	e.searchers[size] = s
	return s, nil
}

// setGame points the searcher at g with c to move.
func (e *engine) setGame(g *board.Game, c board.Color) (*mcts.Searcher, error) {
	s, err := e.searcher(g.Size())
	if err != nil {
		return nil, err
	}
	if g.ToMove() != c {
		cp := *g // shares the history: read only
		cp.SetToMove(c)
		g = &cp
	}
	s.SetGame(g)
	return s, nil
}

// limits turns the flags and a time budget into search limits.
func (e *engine) limits(size int, budget time.Duration) mcts.Limits {
	l := mcts.Limits{Visits: e.cfg.visits, Playouts: e.cfg.playouts, Time: e.cfg.perMove}
	if e.cfg.autoTime {
		l.Time = defaultMoveTime(size)
	}
	if budget > 0 && (l.Time == 0 || budget < l.Time) {
		l.Time = budget
	}
	return l
}

// rolloutPolicies are the --rollout-policy values: the heavy policy, the
// light one, and the heavy one with one piece off (the ablation).
var rolloutPolicies = map[string]func(*rollout.Policy){
	"heavy":             func(*rollout.Policy) {},
	"light":             func(p *rollout.Policy) { *p = rollout.LightPolicy() },
	"heavy-no-patterns": func(p *rollout.Policy) { p.Patterns = 0 },
	"heavy-no-tactics": func(p *rollout.Policy) {
		p.Escape, p.Capture, p.TwoLib, p.Nakade, p.Ladders = 0, 0, 0, 0, false
	},
	"heavy-no-nakade":    func(p *rollout.Policy) { p.Nakade = 0 },
	"heavy-no-selfatari": func(p *rollout.Policy) { p.SelfAtari = false },
	"heavy-no-nakade-no-selfatari": func(p *rollout.Policy) {
		p.Nakade, p.SelfAtari = 0, false
	},
}

func rolloutPolicy(name string) (rollout.Policy, error) {
	if name == "" {
		name = "heavy"
	}
	f, ok := rolloutPolicies[name]
	if !ok {
		return rollout.Policy{}, usageError("--rollout-policy %q: want one of heavy, light, heavy-no-patterns, heavy-no-tactics, heavy-no-nakade, heavy-no-selfatari, heavy-no-nakade-no-selfatari", name)
	}
	p := rollout.DefaultPolicy()
	f(&p)
	return p, nil
}

// bank returns c's time bank when the move is timed by the default
// time per move alone (no --visits, --playouts, --time, time_settings);
// nil otherwise. A new game (move 0 or 1) empties it.
func (e *engine) bank(g *board.Game, c board.Color, opts gtp.SearchOptions, l mcts.Limits) *timeBank {
	if !e.cfg.autoTime || opts.Budget > 0 || l.Time <= 0 {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	b, ok := e.banks[c]
	if !ok {
		b = &timeBank{}
		e.banks[c] = b
	}
	if g.MoveNumber() < 2 || l.Time != b.per {
		*b = timeBank{per: l.Time}
	}
	return b
}

// timeBank keeps the default time per move an average over a game rather
// than a cap: what an early stop leaves of a move's time is saved, and a
// move whose choice is still close (undecided) may spend the savings, up
// to maxBankedMoves times the time per move on top of its own.
type timeBank struct {
	per   time.Duration // the time per move
	saved time.Duration // what earlier moves left unspent
}

// maxBankedMoves caps a move's extra time, and the savings, in moves'
// times: a hard move takes at most 1+maxBankedMoves times the default.
const maxBankedMoves = 2

// extra is how much longer a search that stopped with res may go on:
// nothing when the game looks decided (winrate outside 10..90%).
func (b *timeBank) extra(res mcts.Result) time.Duration {
	if b.saved < b.per/4 || !undecided(res) || res.Winrate < 0.1 || res.Winrate > 0.9 {
		return 0
	}
	return min(b.saved, maxBankedMoves*b.per)
}

// spend books a move that took used.
func (b *timeBank) spend(used time.Duration) {
	b.saved = min(max(b.saved+b.per-used, 0), 4*maxBankedMoves*b.per)
}

// undecided reports whether a search's choice is close: the runner-up
// has more than half the best move's visits, or a clearly better
// winrate with at least a fifth of them (the best move by visits may be
// a mistake that more time corrects).
func undecided(res mcts.Result) bool {
	if len(res.Moves) < 2 {
		return false
	}
	best, second := res.Moves[0], res.Moves[1]
	if 2*second.Visits > best.Visits {
		return true
	}
	return 5*second.Visits >= best.Visits && second.Winrate > best.Winrate+0.02
}

// defaultThreads is the number of search goroutines by evaluator: one
// per core for playouts; with a network more, so that the batcher fills
// its batches while some goroutines wait for it or play out (19x19, 3 s:
// 8 goroutines gave 25% more visits than 2 on 2 cores).
func defaultThreads(kind string) int {
	n := runtime.GOMAXPROCS(0)
	if kind == "playouts" || kind == "hybrid-expand" {
		return n
	}
	return min(4*n, 16)
}

// defaultMoveTime is the thinking time per move when neither flags nor
// the controller's time settings say (Sabaki sends none): 1 s on 9x9 and
// below, 2 s on 19x19 and above, in between by size.
func defaultMoveTime(size int) time.Duration {
	f := min(max(float64(size-9)/10, 0), 1)
	return time.Duration((1 + f) * float64(time.Second))
}

// defaultEvaluator is the evaluator for a board size (docs/strength.md):
// playouts where no network exists. On 19x19 the hybrid with the
// expansion threshold (network priors from 40 visits a node, playout
// values, RAVE) won 16 of 20 against GNU Go level 10; the network at
// every leaf and playouts alone lost their 2 games each. Below 19x19 the
// network at every leaf: on 9x9 the self-play network of generation 10
// beat the heavy playouts with RAVE (the default until then) 26-12-2 at
// 1 s a move with one thread each and 25-13-2 with default threads
// (docs/strength.md, "9x9: the network at every leaf").
func defaultEvaluator(size int, haveNet bool) string {
	switch {
	case !haveNet:
		return "playouts"
	case size < 19:
		return "net"
	default:
		return "hybrid"
	}
}

// defaultLambda is the hybrid evaluator's playout weight by board size:
// the value heads are at chance (issue "Value, ownership and score"), so
// the leaf value is the playouts' alone and the network gives priors.
func defaultLambda(size int) float64 { return 1 }

// evaluatorFor is the leaf evaluation for a board size: --evaluator, auto
// resolved by defaultEvaluator, and playouts where the size has no
// network.
func (c *engineConfig) evaluatorFor(size int, haveNet bool) string {
	kind := c.evaluator
	if kind == "auto" || kind == "" {
		kind = defaultEvaluator(size, haveNet)
	}
	if !haveNet {
		kind = "playouts"
	}
	return kind
}

// defaultExpandVisits is the visit at which a leaf gets its children
// (mcts.Config.ExpandVisits): the first where the network evaluates
// every leaf (its evaluation brings the priors), later for the playout
// searches on large boards, whose trees would otherwise fill the node
// arena within a move or two (docs/strength.md, "The tree that filled
// up").
func defaultExpandVisits(kind string, size int) int {
	if kind == "net" || kind == "hybrid" || size*size < 200 {
		return 1
	}
	return 2
}

// defaultExpandAt is the hybrid evaluator's expansion threshold: with
// lambda 1, a node gets the network's priors once it has this many
// visits, and the playout evaluator's until then. AlphaGo used 40, and
// so did tengen until 19x19 self-play at equal time (1 s a move, one
// thread each) preferred 15 (docs/strength.md, "The network deeper in
// the tree"): the network's priors are worth more than the playouts
// they cost.
const defaultExpandAt = 15

// defaultDoomed is the hybrid evaluator's factor on the network's prior
// of doomed escapes at the nodes it refines (1: off).
const defaultDoomed = 0.1

// defaultStake is the hybrid evaluator's prior floor per stone a move
// captures, saves or catches at the nodes it refines (0: off).
const defaultStake = 0.01

// defaultRAVEEquiv is the RAVE equivalence of the playout evaluator.
const defaultRAVEEquiv = 1000

// stopEarly reports whether a move's search under limits l stops once
// its choice is decided: when it is timed, unless its time is the
// clock's budget and what it leaves is lost (gtp.SearchOptions.NoSaving:
// a byo-yomi period), where stopping early would only waste it.
func stopEarly(opts gtp.SearchOptions, l mcts.Limits) bool {
	return l.Time > 0 && !(opts.NoSaving && l.Time == opts.Budget)
}

func searchOptions(opts gtp.SearchOptions, c board.Color, g *board.Game) mcts.Options {
	// Ownership only for analysis (kata-analyze ownership): plain
	// genmoves skip counting it in every playout.
	mo := mcts.Options{Interval: opts.Interval, MinMoves: opts.MinMoves, Ownership: opts.Report != nil}
	if opts.Report != nil {
		mo.Analysis = func(ms []mcts.MoveStat, root mcts.RootInfo) {
			opts.Report(gtp.Analysis{Moves: toGTPStats(ms), Root: gtp.RootInfo(root)})
		}
	}
	for _, f := range opts.Avoid {
		if f.Color == c && f.UntilDepth >= 1 {
			mo.Avoid = append(mo.Avoid, f.Moves...)
		}
	}
	for _, f := range opts.Allow {
		if f.Color == c && f.UntilDepth >= 1 {
			mo.Allow = append(mo.Allow, f.Moves...)
		}
	}
	if opts.Cleanup && len(g.Position().MovesBeforePass(c, g.Komi(), nil)) > 0 {
		// KGS cleanup: keep playing until the dead stones are captured
		// (and never fill an own eye to avoid passing).
		mo.Avoid = append(mo.Avoid, board.Pass)
	}
	return mo
}

func toGTPStats(ms []mcts.MoveStat) []gtp.MoveStat {
	out := make([]gtp.MoveStat, len(ms))
	for i, m := range ms {
		out[i] = gtp.MoveStat(m)
	}
	return out
}

// GenMove implements gtp.Player.
func (e *engine) GenMove(ctx context.Context, g *board.Game, c board.Color, opts gtp.SearchOptions) (board.Point, bool, error) {
	s, err := e.setGame(g, c)
	if err != nil {
		return board.Pass, false, err
	}
	mo := searchOptions(opts, c, g)
	mo.Limits = e.limits(g.Size(), opts.Budget)
	mo.StopEarly = stopEarly(opts, mo.Limits)
	res, err := s.Search(ctx, mo)
	if err != nil {
		return board.Pass, false, err
	}
	// A hard move thinks on (the tree is kept): under time controls up
	// to what the clock allows, without them on what earlier easy moves
	// saved (the time bank).
	var extra time.Duration
	bank := e.bank(g, c, opts, mo.Limits)
	switch {
	case bank != nil:
		e.mu.Lock()
		extra = bank.extra(res)
		e.mu.Unlock()
	case opts.Budget > 0 && mo.Limits.Time == opts.Budget && undecided(res):
		if x := opts.MaxBudget - res.Elapsed; x > opts.Budget/4 {
			extra = x
		}
	}
	if extra > 0 && ctx.Err() == nil {
		mo.Limits.Time = extra
		more, err := s.Search(ctx, mo)
		if err != nil {
			return board.Pass, false, err
		}
		more.Playouts += res.Playouts
		more.Elapsed += res.Elapsed
		res = more
	}
	if bank != nil {
		e.mu.Lock()
		bank.spend(res.Elapsed)
		e.mu.Unlock()
	}
	if res.TreeFull {
		fmt.Fprintf(e.stderr, "tengen: node limit reached (%d nodes): the tree stopped growing\n", res.Nodes)
	}
	e.mu.Lock()
	r, ok := e.resigners[c]
	if !ok {
		r = &mcts.Resigner{Threshold: e.cfg.resign, Moves: 3, MinMove: g.Size() * g.Size() / 4}
		e.resigners[c] = r
	}
	if g.MoveNumber() < 2 {
		r.Reset()
	}
	resign := len(res.Moves) > 0 && r.Observe(res.Winrate, g.MoveNumber())
	e.mu.Unlock()
	fmt.Fprintf(e.stderr, "tengen: %s %s: %d visits (%d new) in %.2fs, winrate %.1f%%\n", c, res.Best.GTP(g.Size()), res.Visits, res.Playouts, res.Elapsed.Seconds(), 100*res.Winrate)
	return res.Best, resign, nil
}

// Analyze implements gtp.Player.
func (e *engine) Analyze(ctx context.Context, g *board.Game, c board.Color, opts gtp.SearchOptions) error {
	s, err := e.setGame(g, c)
	if err != nil {
		return err
	}
	_, err = s.Search(ctx, searchOptions(opts, c, g))
	return err
}

// Ponder implements gtp.Ponderer: search on the opponent's time until ctx
// ends; the tree is reused by the next genmove.
func (e *engine) Ponder(ctx context.Context, g *board.Game, c board.Color) error {
	s, err := e.setGame(g, c)
	if err != nil {
		return err
	}
	_, err = s.Search(ctx, mcts.Options{})
	return err
}

// embeddedNets returns the networks built into the binary (package
// internal/defaultnets), one per board size.
func embeddedNets() ([]*nets.Weights, error) { return defaultnets.All() }
