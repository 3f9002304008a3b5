package movepred

import (
	"context"
	"errors"
	"fmt"
	"math"
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
}

// DefaultConfig returns 1 symmetry, batches of 32 and 64 workers.
func DefaultConfig() Config {
	return Config{Symmetries: 1, MaxBatch: 32, Workers: 64}
}

// EnsureDefaults fills zero Symmetries, MaxBatch and Workers.
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

// Bucket is the accuracy on one move-number range.
type Bucket struct {
	Moves string `json:"moves"` // "1-30", ...
	Accuracy
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
	// drawn games' (result 0).
	ValuePositions  int      `json:"value_positions"`
	ValueAccuracy   float64  `json:"value_accuracy"`
	ValueAccuracyCI Interval `json:"value_accuracy_ci"`
	MSEPositions    int      `json:"mse_positions"`
	ValueMSE        float64  `json:"value_mse"`
	// Errors counts unreadable files, games that could not be read and
	// games whose replay stopped at a bad move (their positions before
	// it are counted); ErrorList says which.
	Errors    int                 `json:"errors"`
	ErrorList []dataset.FileError `json:"error_list"`
	// Speed.
	Symmetries    int     `json:"symmetries"`
	Evaluations   int64   `json:"evaluations"` // network evaluations (positions x symmetries)
	MeanBatch     float64 `json:"mean_batch"`
	Seconds       float64 `json:"seconds"`
	PositionsPerS float64 `json:"positions_per_s"`
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

// tally is what one game (or all games so far) adds up to. Float sums
// are added in a fixed order (moves within a game, games in path order),
// so totals do not depend on scheduling.
type tally struct {
	buckets              [len(Buckets)]counts
	passes               int
	chance               float64
	valueN, valueCorrect int
	mseN                 int
	mse                  float64
	evaluations          int64
	positionsOut         []Position // when Config.Positions is set
	gameErr              *dataset.FileError
}

func (t *tally) add(o *tally) {
	for i := range t.buckets {
		t.buckets[i].add(o.buckets[i])
	}
	t.passes += o.passes
	t.chance += o.chance
	t.valueN += o.valueN
	t.valueCorrect += o.valueCorrect
	t.mseN += o.mseN
	t.mse += o.mse
	t.evaluations += o.evaluations
}

// Run evaluates the networks of backends (at most one per board size) on
// the games of cfg.Paths. Unreadable files and games are counted in the
// report, never fatal; Run fails only for a bad configuration, a backend
// error, a Positions callback error or the end of ctx. It starts one
// batcher per backend and stops them before returning; it does not close
// the backends.
func Run(ctx context.Context, cfg Config, backends []nets.Backend) (*Report, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(backends) == 0 {
		return nil, errors.New("movepred: no network")
	}
	start := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)

	batchers := map[int]*nets.Batcher{}
	var bwg sync.WaitGroup
	defer bwg.Wait() // the batchers stop after cancel, deferred below
	defer cancel(nil)
	for _, be := range backends {
		size := be.Spec().BoardSize
		if _, dup := batchers[size]; dup {
			return nil, fmt.Errorf("movepred: two networks for %dx%d", size, size)
		}
		b, err := nets.NewBatcher(be, nets.BatcherOptions{MaxBatch: cfg.MaxBatch})
		if err != nil {
			return nil, err
		}
		batchers[size] = b
		bwg.Add(1)
		go func() {
			defer bwg.Done()
			b.Run(ctx)
		}()
	}

	rep := &Report{SkippedSizes: map[string]int{}, ErrorList: []dataset.FileError{}, Symmetries: cfg.Symmetries}

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
	r.ValuePositions = t.valueN
	if t.valueN > 0 {
		r.ValueAccuracy = float64(t.valueCorrect) / float64(t.valueN)
	}
	r.ValueAccuracyCI = Wilson(t.valueCorrect, t.valueN, Z95)
	r.MSEPositions = t.mseN
	if t.mseN > 0 {
		r.ValueMSE = t.mse / float64(t.mseN)
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

	// Set by the evaluator.
	rank, best int
	prob       float32 // of the played move
	value      float32
}

// replayGame replays g's main line, sends every non-pass position to
// items, waits for them and folds their results in move order. A replay
// error is the game's (in the tally); fatal errors cancel the run's
// context, and the tally is then meaningless.
func replayGame(ctx context.Context, cfg Config, g dataset.Game, items chan<- *item) *tally {
	_, winner, decided := dataset.ResultClass(g.Info.Result)
	t := &tally{}
	var done sync.WaitGroup
	var its []*item
	moveNum := 0
	errStop := errors.New("stop")
	rg := sgf.ReplayFunc(g.Root, gameIndex(g.ID), func(bg *board.Game, m board.Move) error {
		moveNum++
		if m.Point == board.Pass {
			t.passes++
			return nil
		}
		n := bg.Size()
		it := &item{state: bg.State(), move: m, moveNum: moveNum, size: n, done: &done}
		it.state.ToMove = m.Color
		pos := bg.Position()
		for _, pt := range board.Points(n) {
			if pos.At(pt) == board.Empty && bg.Legal(m.Color, pt) {
				it.legal = append(it.legal, nets.MoveIndex(pt, n))
			}
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
	for _, it := range its {
		c := &t.buckets[bucketOf(it.moveNum)]
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
			t.mseN++
			t.mse += d * d
			if tv != 0 {
				t.valueN++
				if float64(it.value)*tv > 0 {
					t.valueCorrect++
				}
			}
		}
		if cfg.Positions != nil {
			n := it.size
			top := ""
			if it.best >= 0 {
				top = nets.IndexMove(it.best, n).GTP(n)
			}
			t.positionsOut = append(t.positionsOut, Position{
				Game: g.ID, Move: it.moveNum, Color: colorLetter(it.move.Color), Played: it.move.Point.GTP(n),
				Rank: it.rank, Prob: float64(it.prob), Top: top, Legal: len(it.legal), Value: float64(it.value), Target: target,
			})
		}
	}
	return t
}

// evaluator runs positions through the network of their board size; one
// per goroutine, with a batcher client per size opened on first use.
type evaluator struct {
	cfg      Config
	batchers map[int]*nets.Batcher
	clients  map[int]*nets.Client
	in       []float32
	logits   []float32
	probs    []float32
	back     []float32
	avg      []float32
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
	var value [1]float32
	v := float32(0)
	for k := range e.cfg.Symmetries {
		sym := nets.Symmetry(k)
		nets.EncodeState(&it.state, sym, in)
		if err := client.Evaluate(ctx, in, 0, logits, value[:]); err != nil {
			return err
		}
		neteval.Softmax(logits, probs)
		sym.UntransformPolicy(probs, back, n)
		for i, p := range back {
			avg[i] += p
		}
		v += value[0]
	}
	if e.cfg.Symmetries > 1 {
		inv := 1 / float32(e.cfg.Symmetries)
		for i := range avg {
			avg[i] *= inv
		}
		v *= inv
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
