package movepred

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/dataset"
	"github.com/tengen-go/tengen/internal/neteval"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/sgf"
)

// Config configures Run.
type Config struct {
	// Paths are SGF files, directories and archives, read in order.
	Paths []string
	// Only, if not nil, keeps only the games whose dataset.GameID is in
	// it (a validation list).
	Only map[string]bool
	// MaxGames stops after this many games have been evaluated (0: all).
	// Games are taken in path order, archive member order; games skipped
	// for lack of a network or unreadable do not count.
	MaxGames int
	// Symmetries is 1 (the identity only) or 8 (the policy and value are
	// averaged over the 8 board symmetries).
	Symmetries int
	// Workers is the number of goroutines encoding positions (from all
	// the games being replayed, GOMAXPROCS+1 at a time) and evaluating
	// them. Each has one position in flight through its own batcher
	// client, so Workers bounds the batch size: it should be at least
	// MaxBatch (twice keeps the backend busy while workers encode).
	Workers int
	// MaxBatch is the largest batch per network evaluation; the backends
	// must accept batches this large.
	MaxBatch int
	// Positions, if not nil, receives every ranked position, in game
	// order (path order) and move order, from one goroutine. An error
	// from it ends Run.
	Positions func(p *Position) error
	// Progress, if not nil, is called from one goroutine with the running
	// totals after each game; the report is the callback's to keep.
	Progress func(r *Report)

	// Final measures, in every game played to a counted end
	// (dataset.GameFinal with FinalConfig), the position FinalLead moves
	// before the end (after N-FinalLead of its N main-line moves, passes
	// included; games of at most FinalLead moves have none) against the
	// final ownership and score margin: the network's ownership and score
	// heads where it has them, and the playout baseline.
	Final       bool
	FinalLead   int // default 40
	FinalConfig dataset.FinalConfig
	// BaselinePlayouts is the number of light playouts
	// (board.Position.Ownership) of the playout baseline at the Final
	// positions: its ownership, and as its score the sum of the
	// ownership minus komi. 0: no baseline.
	BaselinePlayouts int
	// ValuePlayouts is the number of light playouts (board.Position.Playout,
	// Tromp-Taylor score with the game's komi) per ranked position of
	// the playout value baseline: the mover's mean result in [-1, 1],
	// reported per bucket beside the network's. 0: none.
	ValuePlayouts int
	// Seed seeds the playouts (per game: the same games, the same
	// numbers).
	Seed uint64
	// FeaturePlayouts is the playouts a position behind a FeaturesV3
	// network's playout planes (nets.FeatureSet.WithPlayouts; 0: the
	// default). Networks on other feature sets ignore it.
	FeaturePlayouts int
}

// DefaultConfig returns 1 symmetry, batches of 32 and 64 workers, final
// positions 40 moves before the end.
func DefaultConfig() Config {
	return Config{Symmetries: 1, MaxBatch: 32, Workers: 64, FinalLead: 40}
}

// EnsureDefaults fills zero Symmetries, MaxBatch, Workers and FinalLead.
func (c *Config) EnsureDefaults() {
	d := DefaultConfig()
	if c.Symmetries == 0 {
		c.Symmetries = d.Symmetries
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = d.MaxBatch
	}
	if c.Workers == 0 {
		c.Workers = 2 * c.MaxBatch
	}
	if c.FinalLead == 0 {
		c.FinalLead = d.FinalLead
	}
}

// Validate reports a configuration Run cannot use.
func (c Config) Validate() error {
	switch {
	case len(c.Paths) == 0:
		return errors.New("movepred: no paths")
	case c.Symmetries != 1 && c.Symmetries != nets.NumSymmetries:
		return fmt.Errorf("movepred: symmetries %d (want 1 or 8)", c.Symmetries)
	case c.MaxGames < 0:
		return fmt.Errorf("movepred: max games %d < 0", c.MaxGames)
	case c.Workers < 1 || c.Workers > 4096:
		return fmt.Errorf("movepred: workers %d outside 1..4096", c.Workers)
	case c.MaxBatch < 1:
		return fmt.Errorf("movepred: max batch %d < 1", c.MaxBatch)
	case c.FinalLead < 1:
		return fmt.Errorf("movepred: final lead %d < 1", c.FinalLead)
	case c.FeaturePlayouts < 0 || c.FeaturePlayouts > 1024:
		return fmt.Errorf("movepred: feature playouts %d outside 0..1024", c.FeaturePlayouts)
	case c.BaselinePlayouts < 0 || c.ValuePlayouts < 0:
		return fmt.Errorf("movepred: negative playouts %d, %d", c.BaselinePlayouts, c.ValuePlayouts)
	}
	return nil
}

// Position is one ranked position (a line of tengen eval --positions-out).
type Position struct {
	Game   string  `json:"game"`   // dataset.GameID: file (or archive:member) and index
	Move   int     `json:"move"`   // 1-based main-line move number, passes included
	Color  string  `json:"color"`  // "B" or "W": the mover
	Played string  `json:"played"` // the move played, GTP vertex
	Rank   int     `json:"rank"`   // 1-based among legal board points
	Prob   float64 `json:"prob"`   // policy probability of the played move (softmax over all moves)
	Top    string  `json:"top"`    // the network's most probable legal point
	Legal  int     `json:"legal"`  // legal board points
	Value  float64 `json:"value"`  // value from the mover's view, -1..1
	// Target is the result from the mover's view (1, 0 for a draw, -1);
	// absent when the result does not decide the game.
	Target *float64 `json:"target,omitempty"`
	// Margin is the score head's output and Count the ownership head's
	// area count (Bucket.OwnershipSignAccuracy), both in points from the
	// mover's view: networks with those heads.
	Margin *float64 `json:"margin,omitempty"`
	Count  *float64 `json:"count,omitempty"`
	// PlayoutValue is the playout value baseline (Config.ValuePlayouts)
	// from the mover's view: the mean result of the light playouts.
	PlayoutValue *float64 `json:"playout_value,omitempty"`
}

// EndBucket is the value's sign accuracy on positions of games that
// ended one way (End: "resign" or "score"), Before moves before the end
// (the last move is 1 move before it). The ownership count's and the
// score head's sign on the same positions come with networks that have
// those heads.
type EndBucket struct {
	End    string `json:"end"`
	Before string `json:"before"`
	Signs
}

// Signs are the value's sign accuracy on won or lost positions
// (ValuePositions of them), and the score head's margin and the
// ownership head's area count plus komi (from the mover's view) read as
// values on the same positions: networks with those heads.
type Signs struct {
	ValuePositions        int      `json:"value_positions"`
	ValueAccuracy         float64  `json:"value_accuracy"`
	ValueAccuracyCI       Interval `json:"value_accuracy_ci"`
	ScoreSignAccuracy     *float64 `json:"score_sign_accuracy,omitempty"`
	OwnershipSignAccuracy *float64 `json:"ownership_sign_accuracy,omitempty"`
}

// EndRanges are the ranges of moves before the end of EndBucket: the
// last 20 moves, 21-60 moves before the end, and earlier.
var EndRanges = [...]struct {
	Name string
	To   int // the last of the range (inclusive; 0: no end); each starts after the one before
}{{"1-20", 20}, {"21-60", 60}, {"61+", 0}}

// endKinds are EndBucket's End values.
var endKinds = [...]string{"resign", "score"}

func endRangeOf(before int) int {
	for i, r := range EndRanges {
		if before <= r.To || r.To == 0 {
			return i
		}
	}
	return len(EndRanges) - 1
}

// Buckets are the move-number ranges reported separately: 1-30, 31-100,
// 101-200 and 201 on.
var Buckets = [...]struct {
	Name     string
	From, To int // inclusive; To 0: no end
}{{"1-30", 1, 30}, {"31-100", 31, 100}, {"101-200", 101, 200}, {"201+", 201, 0}}

func bucketOf(move int) int {
	for i, b := range Buckets {
		if b.To == 0 || move <= b.To {
			return i
		}
	}
	return len(Buckets) - 1
}

// Interval is a confidence interval [lo, hi].
type Interval [2]float64

// Z95 is the normal quantile of a two-sided 95% interval.
const Z95 = 1.959963984540054

// Wilson returns the Wilson score interval for k successes in n trials at
// normal quantile z; for n = 0 it is [0, 1].
func Wilson(k, n int, z float64) Interval {
	if n <= 0 {
		return Interval{0, 1}
	}
	nf := float64(n)
	p := float64(k) / nf
	z2 := z * z
	den := 1 + z2/nf
	center := (p + z2/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / den
	return Interval{max(0, center-half), min(1, center+half)}
}

// Accuracy is top-k accuracy over a set of positions.
type Accuracy struct {
	Positions int      `json:"positions"`
	Top1      float64  `json:"top1"`
	Top3      float64  `json:"top3"`
	Top5      float64  `json:"top5"`
	Top1CI    Interval `json:"top1_ci"`
	Top3CI    Interval `json:"top3_ci"`
	Top5CI    Interval `json:"top5_ci"`
}

// Bucket is the accuracy on one move-number range, and the value head's
// there (as Report's value fields, on the bucket's positions), with the
// playout value baseline's when Config.ValuePlayouts asks for it.
type Bucket struct {
	Moves string `json:"moves"` // "1-30", ...
	Accuracy
	Signs
	MSEPositions int     `json:"mse_positions"`
	ValueMSE     float64 `json:"value_mse"`
	// The playout value baseline on the same positions.
	PlayoutValueAccuracy *float64 `json:"playout_value_accuracy,omitempty"`
	PlayoutValueMSE      *float64 `json:"playout_value_mse,omitempty"`
}

// Report is the result of Run; its JSON form is what tengen eval --json
// prints.
type Report struct {
	Files        int            `json:"files"`         // SGF files and archive members read
	Games        int            `json:"games"`         // games evaluated
	SkippedGames int            `json:"skipped_games"` // games with no network for their size
	SkippedSizes map[string]int `json:"skipped_sizes"` // board size -> skipped games
	ListMissing  int            `json:"list_missing"`  // games of Config.Only never seen (0 without a list)
	// Positions counts the non-pass moves ranked; Passes the pass moves
	// (not ranked).
	Positions int `json:"positions"`
	Passes    int `json:"passes"`
	Accuracy
	Buckets []Bucket `json:"buckets"`
	// ChanceTop1 is the mean of 1/(legal points): the top-1 of a policy
	// that picks a legal point at random.
	ChanceTop1 float64 `json:"chance_top1"`
	// Value head: ValuePositions are the ranked positions of games won
	// by one side (by resignation or score), ValueAccuracy the fraction
	// where the value's sign is the mover's result; ValueMSE is the mean
	// of (value - result)^2 over MSEPositions, those positions plus the
	// drawn games' (result 0). The score and ownership signs are as
	// Bucket's, over all buckets.
	Signs
	MSEPositions int     `json:"mse_positions"`
	ValueMSE     float64 `json:"value_mse"`
	// Final targets (Config.Final): FinalGames are the games played to a
	// counted end whose position FinalLead moves before the end was
	// measured, FinalClashes the counted games whose count contradicted
	// their result (not used). OwnershipPoints are the points of those
	// positions with a final owner. OwnershipAccuracy is the share of
	// them where the network's ownership has the owner's sign (networks
	// with an ownership head only), ScoreMAE the mean absolute error of
	// the score head in points (networks with one); absent otherwise. The
	// Playout fields are the baseline's (Config.BaselinePlayouts).
	FinalLead                int      `json:"final_lead,omitempty"`
	FinalGames               int      `json:"final_games,omitempty"`
	FinalClashes             int      `json:"final_clashes,omitempty"`
	OwnershipPoints          int      `json:"ownership_points,omitempty"`
	OwnershipAccuracy        *float64 `json:"ownership_accuracy,omitempty"`
	ScoreMAE                 *float64 `json:"score_mae,omitempty"`
	BaselinePlayouts         int      `json:"baseline_playouts,omitempty"`
	PlayoutOwnershipAccuracy *float64 `json:"playout_ownership_accuracy,omitempty"`
	PlayoutScoreMAE          *float64 `json:"playout_score_mae,omitempty"`
	// ValueByEnd is the value's sign accuracy on the won or lost
	// positions by how the game ended (resigned or counted) and how near
	// the end the position is (EndRanges): does the value know who is
	// winning once the game is nearly decided?
	ValueByEnd []EndBucket `json:"value_by_end"`
	// Errors counts unreadable files, games that could not be read and
	// games whose replay stopped at a bad move (their positions before
	// it are counted); ErrorList says which.
	Errors    int                 `json:"errors"`
	ErrorList []dataset.FileError `json:"error_list"`
	// Speed.
	Symmetries int `json:"symmetries"`
	// FeaturePlayouts is Config.FeaturePlayouts where a network used it.
	FeaturePlayouts int     `json:"feature_playouts,omitempty"`
	Evaluations     int64   `json:"evaluations"` // network evaluations (positions x symmetries)
	MeanBatch       float64 `json:"mean_batch"`
	Seconds         float64 `json:"seconds"`
	PositionsPerS   float64 `json:"positions_per_s"`
}

// counts are top-k hits over some positions.
type counts struct{ n, top1, top3, top5 int }

func (c *counts) add(o counts) {
	c.n += o.n
	c.top1 += o.top1
	c.top3 += o.top3
	c.top5 += o.top5
}

func (c counts) accuracy() Accuracy {
	frac := func(k int) float64 {
		if c.n == 0 {
			return 0
		}
		return float64(k) / float64(c.n)
	}
	return Accuracy{
		Positions: c.n,
		Top1:      frac(c.top1), Top3: frac(c.top3), Top5: frac(c.top5),
		Top1CI: Wilson(c.top1, c.n, Z95), Top3CI: Wilson(c.top3, c.n, Z95), Top5CI: Wilson(c.top5, c.n, Z95),
	}
}

// valueCounts are the value head's tallies over some positions, and the
// playout baseline's (p*).
type valueCounts struct {
	n, correct int // won or lost positions, right sign
	mseN       int // decided positions (draws too)
	mse        float64
	pn, pright int     // the playout value's n and correct
	pmse       float64 // and its squared errors over the mseN positions
	sn, sright int     // the score head's sign: n and correct
	on, oright int     // the ownership count's sign: n and correct
}

func (v *valueCounts) add(o valueCounts) {
	v.n += o.n
	v.correct += o.correct
	v.mseN += o.mseN
	v.mse += o.mse
	v.pn += o.pn
	v.pright += o.pright
	v.pmse += o.pmse
	v.sn += o.sn
	v.sright += o.sright
	v.on += o.on
	v.oright += o.oright
}

// finalCounts are the tallies of the Final positions.
type finalCounts struct {
	games, clashes      int
	points              int // with an owner
	netPoints, netRight int // the ownership head's
	scoreN              int
	scoreAE             float64
	basePoints, baseOK  int // the playout baseline's
	baseN               int
	baseAE              float64
}

func (f *finalCounts) add(o finalCounts) {
	f.games += o.games
	f.clashes += o.clashes
	f.points += o.points
	f.netPoints += o.netPoints
	f.netRight += o.netRight
	f.scoreN += o.scoreN
	f.scoreAE += o.scoreAE
	f.basePoints += o.basePoints
	f.baseOK += o.baseOK
	f.baseN += o.baseN
	f.baseAE += o.baseAE
}

// tally is what one game (or all games so far) adds up to. Float sums
// are added in a fixed order (moves within a game, games in path order),
// so totals do not depend on scheduling.
type tally struct {
	buckets      [len(Buckets)]counts
	values       [len(Buckets)]valueCounts
	byEnd        [len(endKinds)][len(EndRanges)]valueCounts
	passes       int
	chance       float64
	final        finalCounts
	evaluations  int64
	positionsOut []Position // when Config.Positions is set
	gameErr      *dataset.FileError
}

func (t *tally) add(o *tally) {
	for i := range t.buckets {
		t.buckets[i].add(o.buckets[i])
		t.values[i].add(o.values[i])
	}
	for k := range t.byEnd {
		for i := range t.byEnd[k] {
			t.byEnd[k][i].add(o.byEnd[k][i])
		}
	}
	t.passes += o.passes
	t.chance += o.chance
	t.final.add(o.final)
	t.evaluations += o.evaluations
}

// Run evaluates the networks of backends (at most one per board size) on
// the games of cfg.Paths. Unreadable files and games are counted in the
// report, never fatal; Run fails only for a bad configuration, a backend
// error, a Positions callback error or the end of ctx. It starts one
// batcher per backend and stops them before returning; it does not close
// the backends.
func Run(ctx context.Context, cfg Config, backends []nets.Backend) (*Report, error) {
	pools := make([][]nets.Backend, len(backends))
	for i, be := range backends {
		pools[i] = []nets.Backend{be}
	}
	return RunPools(ctx, cfg, pools)
}

// RunPools is Run with each network on a pool of backends: copies of one
// network that its batcher runs side by side (nets.NewBatcherPool), e.g.
// one single-threaded CPU backend per core.
func RunPools(ctx context.Context, cfg Config, pools [][]nets.Backend) (*Report, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(pools) == 0 {
		return nil, errors.New("movepred: no network")
	}
	start := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)

	batchers := map[int]*nets.Batcher{}
	var bwg sync.WaitGroup
	defer bwg.Wait() // the batchers stop after cancel, deferred below
	defer cancel(nil)
	for _, pool := range pools {
		if len(pool) == 0 {
			return nil, errors.New("movepred: an empty pool of backends")
		}
		size := pool[0].Spec().BoardSize
		if _, dup := batchers[size]; dup {
			return nil, fmt.Errorf("movepred: two networks for %dx%d", size, size)
		}
		b, err := nets.NewBatcherPool(pool, nets.BatcherOptions{MaxBatch: cfg.MaxBatch})
		if err != nil {
			return nil, fmt.Errorf("movepred: %dx%d: %w", size, size, err)
		}
		batchers[size] = b
		bwg.Add(1)
		go func() {
			defer bwg.Done()
			b.Run(ctx)
		}()
	}

	rep := &Report{SkippedSizes: map[string]int{}, ErrorList: []dataset.FileError{}, Symmetries: cfg.Symmetries}
	for _, b := range batchers {
		if b.Spec().Features == nets.FeaturesV3 {
			rep.FeaturePlayouts = cmp.Or(cfg.FeaturePlayouts, nets.PlayoutsV3)
		}
	}

	// Producer: games in path order to the workers.
	type job struct {
		ordinal int
		game    dataset.Game
	}
	jobs := make(chan job, cfg.Workers)
	var (
		readStats    dataset.Stats
		readErr      error
		seen         = map[string]bool{}
		skipped      int
		skippedSizes = map[string]int{}
	)
	errMax := errors.New("max games")
	go func() {
		defer close(jobs)
		ordinal := 0
		readStats, readErr = dataset.Games(ctx, cfg.Paths, dataset.Filter{}, func(g dataset.Game) error {
			if cfg.Only != nil {
				if !cfg.Only[g.ID] {
					return nil
				}
				seen[g.ID] = true
			}
			if _, ok := batchers[g.Info.Size]; !ok {
				skipped++
				skippedSizes[strconv.Itoa(g.Info.Size)]++
				return nil
			}
			select {
			case jobs <- job{ordinal, g}:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			ordinal++
			if cfg.MaxGames > 0 && ordinal >= cfg.MaxGames {
				return errMax
			}
			return nil
		})
		if errors.Is(readErr, errMax) {
			readErr = nil
		}
	}()

	// Evaluators: positions from every game in flight, each evaluator
	// with its own batcher clients and one position in flight, so batches
	// stay full until the last positions.
	items := make(chan *item, cfg.Workers)
	var ewg sync.WaitGroup
	for range cfg.Workers {
		ewg.Add(1)
		go func() {
			defer ewg.Done()
			e := newEvaluator(cfg, batchers)
			defer e.close()
			for it := range items {
				if context.Cause(ctx) == nil {
					if err := e.evaluate(ctx, it); err != nil {
						cancel(err)
					}
				}
				it.done.Done()
			}
		}()
	}

	// Game workers: replay games, hand their positions to the
	// evaluators, fold each game's results in move order.
	type result struct {
		ordinal int
		t       *tally
	}
	results := make(chan result, cfg.Workers)
	var gwg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) + 1 {
		gwg.Add(1)
		go func() {
			defer gwg.Done()
			for j := range jobs {
				if t := replayGame(ctx, cfg, j.game, items); context.Cause(ctx) == nil {
					results <- result{j.ordinal, t}
				}
			}
		}()
	}
	go func() {
		gwg.Wait()
		close(items)
		ewg.Wait()
		close(results)
	}()

	// Collector: fold games in order.
	var total tally
	pending := map[int]*tally{}
	next := 0
	for r := range results {
		pending[r.ordinal] = r.t
		for {
			t, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if context.Cause(ctx) != nil {
				continue
			}
			total.add(t)
			rep.Games++
			if t.gameErr != nil {
				rep.Errors++
				rep.ErrorList = append(rep.ErrorList, *t.gameErr)
			}
			if cfg.Positions != nil {
				for i := range t.positionsOut {
					if err := cfg.Positions(&t.positionsOut[i]); err != nil {
						cancel(fmt.Errorf("movepred: positions: %w", err))
						break
					}
				}
			}
			if cfg.Progress != nil {
				snap := *rep
				snap.SkippedSizes = nil
				snap.ErrorList = nil
				finish(&snap, &total, cfg, time.Since(start), nil)
				cfg.Progress(&snap)
			}
		}
	}
	// The producer has returned (jobs closed, workers done).
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	if readErr != nil {
		return nil, readErr
	}
	rep.Files = readStats.Files
	rep.SkippedGames, rep.SkippedSizes = skipped, skippedSizes
	rep.Errors += len(readStats.Errors)
	rep.ErrorList = append(readStats.Errors, rep.ErrorList...)
	if rep.ErrorList == nil {
		rep.ErrorList = []dataset.FileError{}
	}
	for id := range cfg.Only {
		if !seen[id] {
			rep.ListMissing++
		}
	}
	var positions, batches int64
	for _, b := range batchers {
		st := b.Stats()
		positions += st.Positions
		batches += st.Batches
	}
	var meanBatch *float64
	if batches > 0 {
		m := float64(positions) / float64(batches)
		meanBatch = &m
	}
	finish(rep, &total, cfg, time.Since(start), meanBatch)
	return rep, nil
}

// finish fills the derived fields of r from the totals.
func finish(r *Report, t *tally, cfg Config, elapsed time.Duration, meanBatch *float64) {
	var all counts
	r.Buckets = make([]Bucket, len(Buckets))
	for i, b := range t.buckets {
		all.add(b)
		r.Buckets[i] = Bucket{Moves: Buckets[i].Name, Accuracy: b.accuracy()}
	}
	r.Accuracy = all.accuracy()
	r.Positions = all.n
	r.Passes = t.passes
	if all.n > 0 {
		r.ChanceTop1 = t.chance / float64(all.n)
	}
	var v valueCounts
	for i, b := range t.values {
		v.add(b)
		bk := &r.Buckets[i]
		bk.Signs = b.signs()
		bk.MSEPositions, bk.ValueMSE = b.meanSquared()
		if cfg.ValuePlayouts > 0 && b.mseN > 0 {
			mse := b.pmse / float64(b.mseN)
			bk.PlayoutValueMSE = &mse
			if b.pn > 0 {
				acc := float64(b.pright) / float64(b.pn)
				bk.PlayoutValueAccuracy = &acc
			}
		}
	}
	r.Signs = v.signs()
	r.MSEPositions, r.ValueMSE = v.meanSquared()
	r.ValueByEnd = r.ValueByEnd[:0]
	for k, kind := range endKinds {
		for i, rg := range EndRanges {
			r.ValueByEnd = append(r.ValueByEnd, EndBucket{End: kind, Before: rg.Name, Signs: t.byEnd[k][i].signs()})
		}
	}
	f := t.final
	if cfg.Final {
		r.FinalLead, r.FinalGames, r.FinalClashes, r.OwnershipPoints = cfg.FinalLead, f.games, f.clashes, f.points
		ratio := func(a, b float64) *float64 { x := a / b; return &x }
		if f.netPoints > 0 {
			r.OwnershipAccuracy = ratio(float64(f.netRight), float64(f.netPoints))
		}
		if f.scoreN > 0 {
			r.ScoreMAE = ratio(f.scoreAE, float64(f.scoreN))
		}
		if cfg.BaselinePlayouts > 0 {
			r.BaselinePlayouts = cfg.BaselinePlayouts
			if f.basePoints > 0 {
				r.PlayoutOwnershipAccuracy = ratio(float64(f.baseOK), float64(f.basePoints))
			}
			if f.baseN > 0 {
				r.PlayoutScoreMAE = ratio(f.baseAE, float64(f.baseN))
			}
		}
	}
	r.Evaluations = t.evaluations
	if meanBatch != nil {
		r.MeanBatch = *meanBatch
	}
	r.Seconds = elapsed.Seconds()
	if r.Seconds > 0 {
		r.PositionsPerS = float64(all.n) / r.Seconds
	}
}

// addSigns counts it, a position of a won or lost game (tv, the
// mover's result, is +1 or -1), in the value's, the score head's and the
// ownership count's sign tallies.
func (v *valueCounts) addSigns(it *item, tv float64) {
	v.n++
	if float64(it.value)*tv > 0 {
		v.correct++
	}
	if it.hasMargin {
		v.sn++
		if float64(it.margin)*tv > 0 {
			v.sright++
		}
	}
	if it.hasCount {
		v.on++
		if float64(it.count)*tv > 0 {
			v.oright++
		}
	}
}

// signs returns v's sign accuracies.
func (v valueCounts) signs() Signs {
	var acc float64
	if v.n > 0 {
		acc = float64(v.correct) / float64(v.n)
	}
	return Signs{
		ValuePositions: v.n, ValueAccuracy: acc, ValueAccuracyCI: Wilson(v.correct, v.n, Z95),
		ScoreSignAccuracy: ratioOf(v.sright, v.sn), OwnershipSignAccuracy: ratioOf(v.oright, v.on),
	}
}

// ratioOf returns k/n, nil when n is 0.
func ratioOf(k, n int) *float64 {
	if n == 0 {
		return nil
	}
	r := float64(k) / float64(n)
	return &r
}

// meanSquared returns the positions of v's value MSE and the MSE.
func (v valueCounts) meanSquared() (int, float64) {
	if v.mseN == 0 {
		return 0, 0
	}
	return v.mseN, v.mse / float64(v.mseN)
}

// item is one position on its way from a game worker to an evaluator
// and back.
type item struct {
	// Set by the game worker.
	state   board.State // before the move, the mover to play
	move    board.Move
	moveNum int
	size    int
	legal   []int // policy indices of the legal board points
	done    *sync.WaitGroup
	// final asks for the ownership and score heads the network has (the
	// Final position); finalOnly marks a Final position before a pass,
	// which is not ranked.
	final, finalOnly bool
	pvalue           float32 // the playout value (Config.ValuePlayouts)

	// Set by the evaluator.
	rank, best int
	prob       float32 // of the played move
	value      float32
	own        []float32 // with final and an ownership head: the mover's view, identity frame
	// margin is the score head's output at every position (hasMargin:
	// the network has one), its sign a value; hasScore marks a Final
	// position, whose margin the score MAE counts.
	margin    float32
	hasMargin bool
	hasScore  bool
	// count is the ownership head's area count from the mover's view
	// (the sum of its ownership plus the mover's komi) at every
	// position (hasCount: the network has the head).
	count    float32
	hasCount bool
}

// replayGame replays g's main line, sends every non-pass position to
// items, waits for them and folds their results in move order. A replay
// error is the game's (in the tally); fatal errors cancel the run's
// context, and the tally is then meaningless.
func replayGame(ctx context.Context, cfg Config, g dataset.Game, items chan<- *item) *tally {
	class, winner, decided := dataset.ResultClass(g.Info.Result)
	endKind := -1
	for k, name := range endKinds {
		if class == name {
			endKind = k
		}
	}
	t := &tally{}
	var done sync.WaitGroup
	var its []*item
	moveNum := 0
	errStop := errors.New("stop")
	// The Final position: before move finalMove (1-based), in a game
	// played to a counted end.
	var final *dataset.Final
	finalMove := -1
	if cfg.Final && g.Moves > cfg.FinalLead {
		f, err := dataset.GameFinal(g, cfg.FinalConfig)
		switch {
		case err == nil:
			final, finalMove = &f, g.Moves-cfg.FinalLead+1
		case errors.Is(err, dataset.ErrResultClash):
			t.final.clashes++
		}
	}
	// Two streams per game: the baseline's ownership and score must not
	// depend on whether playout values are asked for too.
	rng := rand.New(rand.NewPCG(cfg.Seed, dataset.SplitHash(cfg.Seed, g.ID)))
	valueRng := rand.New(rand.NewPCG(cfg.Seed^0x76616c7565, dataset.SplitHash(cfg.Seed, g.ID)))
	var finalIt *item
	var baseOwn []float32
	var baseScore float32
	rg := sgf.ReplayFunc(g.Root, gameIndex(g.ID), func(bg *board.Game, m board.Move) error {
		moveNum++
		isFinal := moveNum == finalMove
		if isFinal && cfg.BaselinePlayouts > 0 {
			baseOwn, baseScore = playoutOwnership(bg, m.Color, cfg.BaselinePlayouts, rng)
		}
		if m.Point == board.Pass {
			t.passes++
			if !isFinal {
				return nil
			}
		}
		n := bg.Size()
		it := &item{state: bg.State(), move: m, moveNum: moveNum, size: n, done: &done, final: isFinal, finalOnly: m.Point == board.Pass}
		it.state.ToMove = m.Color
		pos := bg.Position()
		for _, pt := range board.Points(n) {
			if pos.At(pt) == board.Empty && bg.Legal(m.Color, pt) {
				it.legal = append(it.legal, nets.MoveIndex(pt, n))
			}
		}
		if isFinal {
			finalIt = it
		}
		if cfg.ValuePlayouts > 0 && !it.finalOnly {
			it.pvalue = playoutValue(bg, m.Color, cfg.ValuePlayouts, valueRng)
		}
		done.Add(1)
		select {
		case items <- it:
		case <-ctx.Done():
			done.Done()
			return errStop
		}
		its = append(its, it)
		return nil
	})
	done.Wait()
	if rg.Err != nil && !errors.Is(rg.Err, errStop) {
		t.gameErr = &dataset.FileError{Name: g.ID, Message: rg.Err.Error()}
	}
	if finalIt != nil {
		t.foldFinal(final, finalIt, baseOwn, baseScore, cfg.BaselinePlayouts > 0)
	}
	for _, it := range its {
		if it.finalOnly {
			continue
		}
		b := bucketOf(it.moveNum)
		vc := &t.values[b]
		c := &t.buckets[b]
		c.n++
		if it.rank <= 1 {
			c.top1++
		}
		if it.rank <= 3 {
			c.top3++
		}
		if it.rank <= 5 {
			c.top5++
		}
		t.chance += 1 / float64(max(len(it.legal), 1))
		t.evaluations += int64(cfg.Symmetries)
		var target *float64
		if decided {
			tv := 0.0
			switch winner {
			case it.move.Color:
				tv = 1
			case it.move.Color.Opponent():
				tv = -1
			}
			target = &tv
			d := float64(it.value) - tv
			vc.mseN++
			vc.mse += d * d
			if tv != 0 {
				vc.addSigns(it, tv)
				if endKind >= 0 {
					t.byEnd[endKind][endRangeOf(g.Moves-it.moveNum+1)].addSigns(it, tv)
				}
			}
			if cfg.ValuePlayouts > 0 {
				d := float64(it.pvalue) - tv
				vc.pmse += d * d
				if tv != 0 {
					vc.pn++
					if float64(it.pvalue)*tv > 0 {
						vc.pright++
					}
				}
			}
		}
		if cfg.Positions != nil {
			n := it.size
			top := ""
			if it.best >= 0 {
				top = nets.IndexMove(it.best, n).GTP(n)
			}
			p := Position{
				Game: g.ID, Move: it.moveNum, Color: colorLetter(it.move.Color), Played: it.move.Point.GTP(n),
				Rank: it.rank, Prob: float64(it.prob), Top: top, Legal: len(it.legal), Value: float64(it.value), Target: target,
			}
			if it.hasMargin {
				m := float64(it.margin)
				p.Margin = &m
			}
			if it.hasCount {
				c := float64(it.count)
				p.Count = &c
			}
			if cfg.ValuePlayouts > 0 && !it.finalOnly {
				v := float64(it.pvalue)
				p.PlayoutValue = &v
			}
			t.positionsOut = append(t.positionsOut, p)
		}
	}
	return t
}

// foldFinal adds the Final position it (evaluated) to t's final counts
// against the targets of f, with the playout baseline's ownership
// (Black's view, board order) and score (the mover's view) when base.
func (t *tally) foldFinal(f *dataset.Final, it *item, baseOwn []float32, baseScore float32, base bool) {
	fc := &t.final
	fc.games++
	own, score := f.ForMover(it.move.Color, 0)
	sign := float32(1)
	if it.move.Color == board.White {
		sign = -1
	}
	for i, o := range own {
		if o == 0 {
			continue
		}
		fc.points++
		if it.own != nil {
			fc.netPoints++
			if it.own[i]*float32(o) > 0 {
				fc.netRight++
			}
		}
		if base {
			fc.basePoints++
			if sign*baseOwn[i]*float32(o) > 0 {
				fc.baseOK++
			}
		}
	}
	if it.hasScore {
		fc.scoreN++
		fc.scoreAE += math.Abs(float64(it.margin - score))
	}
	if base {
		fc.baseN++
		fc.baseAE += math.Abs(float64(baseScore - score))
	}
}

// playoutOwnership is the playout baseline at bg's position with mover
// to play: board.Position.Ownership (Black's view, board order) and the
// score from the mover's view as the sum of the ownership minus komi.
func playoutOwnership(bg *board.Game, mover board.Color, playouts int, rng *rand.Rand) ([]float32, float32) {
	own := bg.Position().Ownership(mover, rng, playouts, nil)
	var sum float64
	for _, o := range own {
		sum += float64(o)
	}
	score := sum - bg.Komi()
	if mover == board.White {
		score = -score
	}
	return own, float32(score)
}

// playoutValue is the playout value baseline at bg's position with mover
// to play: the mean of +1 (mover wins), -1 (loses) and 0 (draw) over
// light playouts scored by area with the game's komi.
func playoutValue(bg *board.Game, mover board.Color, playouts int, rng *rand.Rand) float32 {
	var sum int
	for range playouts {
		q := *bg.Position()
		r := q.Playout(mover, rng, bg.Komi(), 0)
		switch {
		case r.Score > 0 && mover == board.Black, r.Score < 0 && mover == board.White:
			sum++
		case r.Score != 0:
			sum--
		}
	}
	return float32(sum) / float32(playouts)
}

// evaluator runs positions through the network of their board size; one
// per goroutine, with a batcher client per size opened on first use.
type evaluator struct {
	cfg      Config
	batchers map[int]*nets.Batcher
	clients  map[int]*nets.Client
	in       []float32
	base     []float32 // the identity's planes, when several symmetries are averaged
	logits   []float32
	probs    []float32
	back     []float32
	avg      []float32
	own      []float32 // a transformed ownership output
}

func newEvaluator(cfg Config, batchers map[int]*nets.Batcher) *evaluator {
	return &evaluator{cfg: cfg, batchers: batchers, clients: map[int]*nets.Client{}}
}

func (e *evaluator) close() {
	for _, c := range e.clients {
		c.Close()
	}
}

// evaluate fills it's results: the (symmetry-averaged) policy's rank of
// the played move among the legal points (ties count against it), its
// probability, the best legal point and the value.
func (e *evaluator) evaluate(ctx context.Context, it *item) error {
	b := e.batchers[it.size]
	client := e.clients[it.size]
	if client == nil {
		client = b.Client()
		e.clients[it.size] = client
	}
	spec := b.Spec()
	inShape, err := spec.InputShape()
	if err != nil {
		return err
	}
	moves := spec.Moves()
	fs, err := nets.FeatureSetByName(spec.Features)
	if err == nil && fs.Name == nets.FeaturesV3 {
		fs, err = fs.WithPlayouts(e.cfg.FeaturePlayouts)
	}
	if err != nil {
		return err
	}
	if cap(e.in) < inShape.Len() {
		e.in = make([]float32, inShape.Len())
	}
	if cap(e.logits) < moves {
		e.logits = make([]float32, moves)
		e.probs = make([]float32, moves)
		e.back = make([]float32, moves)
		e.avg = make([]float32, moves)
	}
	in := e.in[:inShape.Len()]
	logits, probs, back, avg := e.logits[:moves], e.probs[:moves], e.back[:moves], e.avg[:moves]
	n := it.size
	clear(avg)
	var value, score [1]float32
	v := float32(0)
	out := nets.Outputs{Policy: logits, Value: value[:]}
	if spec.HasOwnership() {
		if len(e.own) < n*n {
			e.own = make([]float32, n*n)
		}
		out.Ownership = e.own[:n*n]
		if it.final {
			it.own = make([]float32, n*n)
		}
		it.hasCount = true
	}
	if spec.HasScore() {
		out.Score = score[:]
		it.hasScore = it.final
		it.hasMargin = true
	}
	var base []float32
	if e.cfg.Symmetries > 1 {
		// Encode once and move the planes for the other symmetries
		// (exactly what encoding under them gives; v3 encodings play
		// playouts).
		if cap(e.base) < inShape.Len() {
			e.base = make([]float32, inShape.Len())
		}
		base = e.base[:inShape.Len()]
		fs.EncodeState(&it.state, 0, base)
	}
	for k := range e.cfg.Symmetries {
		sym := nets.Symmetry(k)
		if base != nil {
			sym.TransformPlanes(base, in, fs.Planes(), n)
		} else {
			fs.EncodeState(&it.state, sym, in)
		}
		if err := client.EvaluateOutputs(ctx, in, 0, out); err != nil {
			return err
		}
		neteval.Softmax(logits, probs)
		sym.UntransformPolicy(probs, back, n)
		for i, p := range back {
			avg[i] += p
		}
		v += value[0]
		if out.Ownership != nil {
			for _, o := range out.Ownership {
				it.count += o
			}
			if it.own != nil {
				for y := range n {
					for x := range n {
						tx, ty := sym.Apply(x, y, n)
						it.own[y*n+x] += out.Ownership[ty*n+tx]
					}
				}
			}
		}
		it.margin += score[0]
	}
	if e.cfg.Symmetries > 1 {
		inv := 1 / float32(e.cfg.Symmetries)
		for i := range avg {
			avg[i] *= inv
		}
		v *= inv
		for i := range it.own {
			it.own[i] *= inv
		}
		it.margin *= inv
		it.count *= inv
	}
	if it.hasCount {
		komi := float32(it.state.Komi)
		if it.move.Color == board.Black {
			komi = -komi
		}
		it.count += komi
	}
	played := nets.MoveIndex(it.move.Point, n)
	pp := avg[played]
	rank, best := 1, -1
	for _, i := range it.legal {
		if i != played && avg[i] >= pp {
			rank++
		}
		if best < 0 || avg[i] > avg[best] {
			best = i
		}
	}
	it.rank, it.best, it.prob, it.value = rank, best, pp, v
	return nil
}

// gameIndex returns the 1-based index at the end of a dataset.GameID.
func gameIndex(id string) int {
	i := strings.LastIndexByte(id, '#')
	n, err := strconv.Atoi(id[i+1:])
	if err != nil {
		return 0
	}
	return n
}

func colorLetter(c board.Color) string {
	if c == board.White {
		return "W"
	}
	return "B"
}
