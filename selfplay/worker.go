package selfplay

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"sync"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/internal/atomicfile"
)

// Config configures a self-play worker (Run).
type Config struct {
	Game GameConfig
	// Games: stop when the directory holds this many games, every
	// worker's included (0: until ctx ends or the stop file appears).
	// The directory is re-counted before every game, so with one worker
	// the count is exact and several overshoot it by at most the other
	// workers' games in flight.
	Games int
	// Parallel games are played at once, sharing one batcher.
	Parallel int
	// Seed is mixed with each game's unique name into the game's seed.
	Seed uint64
	// Engine runs the networks.
	Engine Engine
	// Poll is how often networks/best and the stop file are re-read
	// (default 2 s); a game always finishes with the network it began.
	Poll time.Duration
	// SGF writes an SGF file beside each chunk (default true in
	// DefaultConfig).
	SGF bool
	// AutoResign, when not nil, sets the resignation threshold from the
	// directory's games (Game.ResignThreshold is where it starts).
	AutoResign *AutoResign
}

// AutoResign sets a worker's resignation threshold by CalibrateResign
// over the games played without resignation among the directory's newest
// games, every worker's: when the worker starts and after every Every
// games it writes. A calibration without a safe threshold keeps the one
// in use when it lacks data (fewer than ResignMinGames would-resign
// games at every threshold) and takes the lowest tried when it has data
// but no threshold is safe.
type AutoResign struct {
	// Window is how many of the newest games are read (0: 2000).
	Window int
	// Every is the worker's games between calibrations (0: 100).
	Every int
	// MaxUpper bounds the false-positive rate's Wilson 95% upper bound
	// (0: ResignMaxUpper).
	MaxUpper float64
	// Report, if not nil, is called after the first calibration and after
	// each that changes the threshold, with the calibration and the
	// threshold now in use (one call at a time, never beside Run's
	// progress).
	Report func(c ResignCalibration, threshold float64)
}

// Defaults of AutoResign.
const (
	DefaultResignWindow = 2000
	DefaultResignEvery  = 100
)

// threshold returns the threshold to use after calibration c, with cur
// in use.
func (a *AutoResign) threshold(c ResignCalibration, cur float64) float64 {
	switch {
	case c.OK:
		return c.Threshold
	case c.Enough:
		return ResignThresholds()[0]
	}
	return cur
}

// DefaultConfig returns a worker's defaults for a board size: 8 games at
// once, SGF files on, DefaultGameConfig.
func DefaultConfig(size int) Config {
	return Config{Game: DefaultGameConfig(size), Parallel: 8, Seed: 1, Poll: 2 * time.Second, SGF: true}
}

// Validate reports the first bad setting.
func (c Config) Validate() error {
	if c.Games < 0 || c.Parallel < 1 || c.Poll < 0 {
		return fmt.Errorf("selfplay: games %d, parallel %d, poll %v", c.Games, c.Parallel, c.Poll)
	}
	if a := c.AutoResign; a != nil {
		if a.Window < 0 || a.Every < 0 || !(a.MaxUpper >= 0 && a.MaxUpper < 1) {
			return fmt.Errorf("selfplay: automatic resignation: window %d, every %d games, max upper bound %v", a.Window, a.Every, a.MaxUpper)
		}
		if c.Game.ResignThreshold <= 0 || c.Game.ResignOffShare <= 0 {
			return errors.New("selfplay: automatic resignation needs a starting threshold above 0 and games without resignation (a no-resignation share above 0)")
		}
	}
	return c.Game.Validate()
}

// Stats counts a worker's games.
type Stats struct {
	Games, Positions, TrainingPositions int
	BlackWins, WhiteWins, Draws         int
	Resigned                            int
	// Resignation false positives: of the games played with resignation
	// disabled, WouldResign had a side whose rule fired, and
	// FalsePositives of those were not lost by that side.
	NoResign, WouldResign, FalsePositives int
	Seconds                               float64
}

// Add counts one game.
func (s *Stats) Add(r *Record) {
	s.Games++
	s.Positions += len(r.Moves)
	s.TrainingPositions += r.Positions()
	switch r.Winner {
	case board.Black:
		s.BlackWins++
	case board.White:
		s.WhiteWins++
	default:
		s.Draws++
	}
	if r.Resigned {
		s.Resigned++
	}
	if r.NoResign {
		s.NoResign++
		would, fp := r.ResignCheck()
		if would {
			s.WouldResign++
		}
		if fp {
			s.FalsePositives++
		}
	}
}

// ResignCheck reports for a game played with resignation disabled whether
// a side's resignation rule fired, and whether that was a false positive:
// a side that would have resigned did not lose. When both sides' rules
// fired, the first to fire counts.
func (r *Record) ResignCheck() (would, falsePositive bool) {
	return resignOutcome(r.WouldResign, r.Winner)
}

// FalsePositiveRate is FalsePositives/WouldResign (0 with none).
func (s Stats) FalsePositiveRate() float64 {
	if s.WouldResign == 0 {
		return 0
	}
	return float64(s.FalsePositives) / float64(s.WouldResign)
}

// GamesPerSecond and PositionsPerSecond are the worker's rates.
func (s Stats) GamesPerSecond() float64     { return rate(s.Games, s.Seconds) }
func (s Stats) PositionsPerSecond() float64 { return rate(s.Positions, s.Seconds) }

func rate(n int, secs float64) float64 {
	if secs <= 0 {
		return 0
	}
	return float64(n) / secs
}

// String is a one-line summary.
func (s Stats) String() string {
	return fmt.Sprintf("%d games (B %d, W %d, draws %d; %d resigned), %d positions (%d for training), %.2f games/s, %.1f positions/s; resignation false positives %d of %d (%.1f%%) in %d games without resignation",
		s.Games, s.BlackWins, s.WhiteWins, s.Draws, s.Resigned, s.Positions, s.TrainingPositions,
		s.GamesPerSecond(), s.PositionsPerSecond(), s.FalsePositives, s.WouldResign, 100*s.FalsePositiveRate(), s.NoResign)
}

// resignCalibrator runs a worker's AutoResign.
type resignCalibrator struct {
	a        *AutoResign
	rule     ResignRule
	win      ResignWindow
	reported bool
}

// calibrate reads the window and calibrates; ok is false when the
// directory cannot be listed or ctx ended.
func (rc *resignCalibrator) calibrate(ctx context.Context) (c ResignCalibration, ok bool) {
	games, _, err := rc.win.Load(ctx)
	if err != nil {
		return c, false
	}
	return CalibrateResign(games, rc.rule, rc.a.MaxUpper), true
}

// apply returns the threshold after c with cur in use, and reports it
// the first time and when it changes.
func (rc *resignCalibrator) apply(c ResignCalibration, cur float64) float64 {
	t := rc.a.threshold(c, cur)
	if rc.a.Report != nil && (!rc.reported || t != cur) {
		rc.a.Report(c, t)
	}
	rc.reported = true
	return t
}

// GameSeed derives a game's seed from the worker seed and the game's
// unique name.
func GameSeed(seed uint64, name string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(seed >> (8 * i))
	}
	h.Write(b[:])
	h.Write([]byte(name))
	return h.Sum64()
}

// Run plays self-play games into d with the directory's best network
// (networks/best, re-read between games) until the directory holds
// cfg.Games games, ctx ends, or d's stop file appears. Each finished game
// is written at once, atomically, as a chunk under games/NETWORK/ and an
// SGF file under sgf/NETWORK/: a killed worker loses only its games in
// flight, and a restarted one counts the games already there. progress,
// if not nil, is called after each game (from the game's goroutine, one
// call at a time). Ending by ctx is not an error; Run returns the stats
// of the games it wrote.
func Run(ctx context.Context, d Dir, cfg Config, progress func(r *Record, total Stats, onDisk int)) (Stats, error) {
	var st Stats
	if err := cfg.Validate(); err != nil {
		return st, err
	}
	if cfg.Poll == 0 {
		cfg.Poll = 2 * time.Second
	}
	for _, dir := range []string{d.Games(), d.SGF()} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return st, fmt.Errorf("selfplay: %w", err)
		}
	}
	d.RemoveStaleTemps(time.Hour)
	onDisk, err := d.CountGames()
	if err != nil {
		return st, err
	}
	start := time.Now()
	namer := NewNamer()
	p := newPool(d, cfg.Engine, cfg.Parallel, cfg.Poll)
	defer p.close()

	var (
		mu       sync.Mutex
		inFlight int
		counted  time.Time // the zero time: check at once
		firstErr error
		game     = cfg.Game // the next game's settings
		// AutoResign: calibrations run one at a time, beside the games.
		calib       *resignCalibrator
		sinceCalib  int
		calibrating bool
		calibWG     sync.WaitGroup
	)
	if cfg.AutoResign != nil {
		calib = &resignCalibrator{a: cfg.AutoResign, rule: cfg.Game.ResignRule(),
			win: ResignWindow{Dir: d, Window: cmp.Or(cfg.AutoResign.Window, DefaultResignWindow)}}
		if c, ok := calib.calibrate(ctx); ok {
			game.ResignThreshold = calib.apply(c, game.ResignThreshold)
		}
	}
	// recalibrate starts a calibration when one is due (under mu).
	recalibrate := func() {
		sinceCalib++
		if calib == nil || calibrating || sinceCalib < cmp.Or(cfg.AutoResign.Every, DefaultResignEvery) {
			return
		}
		sinceCalib, calibrating = 0, true
		calibWG.Add(1)
		go func() {
			defer calibWG.Done()
			c, ok := calib.calibrate(ctx)
			mu.Lock()
			defer mu.Unlock()
			calibrating = false
			if ok {
				game.ResignThreshold = calib.apply(c, game.ResignThreshold)
			}
		}()
	}
	// reserve claims the next game and returns its settings, or reports
	// that none is due.
	reserve := func() (GameConfig, bool) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil || ctx.Err() != nil {
			return game, false
		}
		if time.Since(counted) >= cfg.Poll {
			counted = time.Now()
			if d.Stopped() {
				return game, false
			}
			if n, err := d.CountGames(); err == nil {
				onDisk = n
			}
		} else if cfg.Games > 0 {
			// Other workers' games count too: a count older than this
			// reservation let two workers each start games the target
			// no longer needed (TestSelfplayTwoWorkers saw 19 of 16).
			if n, err := d.CountGames(); err == nil {
				onDisk = n
			}
		}
		if cfg.Games > 0 && onDisk+inFlight >= cfg.Games {
			return game, false
		}
		inFlight++
		return game, true
	}
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
		}
	}
	var wg sync.WaitGroup
	for range cfg.Parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				gc, ok := reserve()
				if !ok {
					break
				}
				rec, err := playOne(ctx, p, cfg.Seed, gc, namer)
				mu.Lock()
				// Written under the lock: a recount never sees a game
				// both on disk and in flight.
				if err == nil {
					err = WriteGame(d, rec, cfg.SGF)
				}
				inFlight--
				if err == nil {
					onDisk++
					st.Add(rec)
					st.Seconds = time.Since(start).Seconds()
					if progress != nil {
						progress(rec, st, onDisk)
					}
					recalibrate()
				}
				mu.Unlock()
				if err != nil {
					if ctx.Err() == nil {
						fail(err)
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	calibWG.Wait()
	st.Seconds = time.Since(start).Seconds()
	return st, firstErr
}

// playOne plays one game of settings gc with the current best network.
func playOne(ctx context.Context, p *pool, seed0 uint64, gc GameConfig, namer *Namer) (*Record, error) {
	n, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer p.release(n)
	name := namer.Next()
	seed := GameSeed(seed0, name)
	ev, err := n.evaluator(seed)
	if err != nil {
		return nil, err
	}
	rec, err := PlayGame(ctx, gc.LeafEvaluator(ev, seed), n.weights.Spec.BoardSize, gc, seed)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("selfplay: game %s: %w", name, err)
	}
	rec.ID, rec.Network, rec.NetworkID = name, n.name, n.id
	return rec, nil
}

// WriteGame writes a record's chunk to games/NETWORK/ID.json.gz and, with
// withSGF, its SGF to sgf/NETWORK/ID.sgf, each atomically; the SGF first,
// so that every counted game has its SGF.
func WriteGame(d Dir, r *Record, withSGF bool) error {
	if r.ID == "" || r.Network == "" || isTemp(r.ID) || isTemp(r.Network) {
		return errors.New("selfplay: a game record needs an ID and a network name")
	}
	data, err := ChunkBytes(r)
	if err != nil {
		return err
	}
	if withSGF {
		dir := d.SGF() + "/" + r.Network
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("selfplay: %w", err)
		}
		if err := atomicfile.WriteBytes(dir+"/"+r.ID+".sgf", r.SGFBytes()); err != nil {
			return err
		}
	}
	dir := d.GameDir(r.Network)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("selfplay: %w", err)
	}
	return atomicfile.WriteBytes(GameFile{Network: r.Network, Name: r.ID}.Path(d), data)
}
