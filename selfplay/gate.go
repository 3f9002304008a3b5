package selfplay

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/match"
	"github.com/tengen-go/tengen/mcts"
	"github.com/tengen-go/tengen/nets"
)

// GateConfig configures gating: a candidate network against the best one
// in games played in-process (one batcher per network).
type GateConfig struct {
	// Game holds the search and game settings; root noise, playout-cap
	// randomisation and the no-resignation share do not apply. TempMoves
	// moves with Temperature vary the openings.
	Game GameConfig
	// Games is the most games played; Parallel of them at once.
	Games    int
	Parallel int
	// Threshold is the score share (a draw counting half) at which the
	// candidate is promoted under the fixed rule, e.g. 0.55.
	Threshold float64
	// SPRT stops early by a sequential probability ratio test of H0: the
	// candidate is Elo0 stronger against H1: Elo1 stronger, with error
	// rates Alpha and Beta; when Games are played without a decision the
	// fixed rule decides. Without SPRT the fixed rule decides, stopping
	// early once the outcome is certain.
	SPRT        bool
	Elo0, Elo1  float64
	Alpha, Beta float64
	// Seed drives the games (game i's seed derives from Seed and i).
	Seed   uint64
	Engine Engine
}

// DefaultGateConfig returns SPRT(0, 35) at 5%/5% over at most 400 games
// falling back to 55%, 8 games at once, two temperature moves.
func DefaultGateConfig(size int) GateConfig {
	g := DefaultGameConfig(size)
	g.TempMoves = 2
	g.ResignOffShare = 0
	return GateConfig{Game: g, Games: 400, Parallel: 8, Threshold: 0.55, SPRT: true, Elo1: 35, Alpha: 0.05, Beta: 0.05, Seed: 1}
}

// Validate reports the first bad setting.
func (c GateConfig) Validate() error {
	switch {
	case c.Games < 1 || c.Parallel < 1:
		return fmt.Errorf("selfplay: gating: %d games, %d at once", c.Games, c.Parallel)
	case !(c.Threshold >= 0 && c.Threshold <= 1):
		return fmt.Errorf("selfplay: gating: threshold %v outside [0, 1]", c.Threshold)
	case c.SPRT && !(c.Elo1 > c.Elo0):
		return fmt.Errorf("selfplay: gating: SPRT needs elo1 %v > elo0 %v", c.Elo1, c.Elo0)
	case c.SPRT && !(c.Alpha > 0 && c.Alpha < 0.5 && c.Beta > 0 && c.Beta < 0.5):
		return fmt.Errorf("selfplay: gating: SPRT error rates %v, %v outside (0, 0.5)", c.Alpha, c.Beta)
	}
	return c.Game.Validate()
}

// GateGame is one finished gating game.
type GateGame struct {
	Index          int     `json:"index"`
	CandidateBlack bool    `json:"candidate_black"`
	Score          float64 `json:"score"` // for the candidate: 1 win, 0.5 draw, 0 loss
	Result         string  `json:"result"`
	Moves          int     `json:"moves"`
}

// Decision is the outcome of gating so far.
type Decision struct {
	Decided bool   `json:"decided"`
	Promote bool   `json:"promote"`
	Reason  string `json:"reason"`
	// The games the decision rests on: the longest run of finished games
	// 0, 1, 2, ... (games finish out of order when played in parallel).
	Games  int     `json:"games"`
	Wins   int     `json:"wins"`
	Losses int     `json:"losses"`
	Draws  int     `json:"draws"`
	Score  float64 `json:"score"` // share, a draw counting half
	// Elo of the candidate over the best with its 95% interval (a clean
	// sweep is rated as half a game lost: finite); LLR is the SPRT's log
	// likelihood ratio.
	Elo     float64 `json:"elo"`
	EloLow  float64 `json:"elo_low"`
	EloHigh float64 `json:"elo_high"`
	LLR     float64 `json:"llr"`
}

// Decide applies the rule to the finished games: SPRT or fixed, on the
// longest prefix 0..k-1 of finished games, deciding at the first k where
// the rule can (so parallel play and resumption give the same decision as
// games played one by one).
func (c GateConfig) Decide(games []GateGame) Decision {
	byIndex := map[int]GateGame{}
	for _, g := range games {
		byIndex[g.Index] = g
	}
	var d Decision
	test := match.SPRT{Elo0: c.Elo0, Elo1: c.Elo1, Alpha: c.Alpha, Beta: c.Beta}
	lower, upper := test.Bounds()
	need := c.Threshold * float64(c.Games)
	score := 0.0
	for k := 0; k < c.Games; k++ {
		g, ok := byIndex[k]
		if !ok {
			break
		}
		d.Games++
		score += g.Score
		switch g.Score {
		case 1:
			d.Wins++
		case 0:
			d.Losses++
		default:
			d.Draws++
		}
		d.LLR = test.LLR(d.Wins, d.Losses, d.Draws)
		switch {
		case c.SPRT && d.LLR >= upper:
			d.Decided, d.Promote, d.Reason = true, true, fmt.Sprintf("SPRT accepted H1 (elo >= %g): LLR %.3f >= %.3f", c.Elo1, d.LLR, upper)
		case c.SPRT && d.LLR <= lower:
			d.Decided, d.Reason = true, fmt.Sprintf("SPRT accepted H0 (elo <= %g): LLR %.3f <= %.3f", c.Elo0, d.LLR, lower)
		case d.Games == c.Games:
			d.Decided, d.Promote = true, score >= need-1e-9
			d.Reason = fmt.Sprintf("score %.1f of %d games against %.1f needed (%.0f%%)", score, c.Games, need, 100*c.Threshold)
		case !c.SPRT && score >= need-1e-9:
			d.Decided, d.Promote = true, true
			d.Reason = fmt.Sprintf("score %.1f already reaches the %.1f needed of %d games (%.0f%%)", score, need, c.Games, 100*c.Threshold)
		case !c.SPRT && score+float64(c.Games-d.Games) < need-1e-9:
			d.Decided = true
			d.Reason = fmt.Sprintf("score %.1f can no longer reach the %.1f needed of %d games (%.0f%%)", score, need, c.Games, 100*c.Threshold)
		}
		if d.Decided {
			break
		}
	}
	if d.Games > 0 {
		d.Score = score / float64(d.Games)
	}
	d.Elo, d.EloLow, d.EloHigh = Elo(score, d.Games)
	return d
}

// ScoreFromElo is the expected score of a player rated elo above the
// opponent.
func ScoreFromElo(elo float64) float64 { return 1 / (1 + math.Pow(10, -elo/400)) }

// EloFromScore is the inverse of ScoreFromElo for s in (0, 1).
func EloFromScore(s float64) float64 { return -400 * math.Log10(1/s-1) }

// Elo rates a score (a draw counting half) over n games with a 95% Wilson
// interval. The score share is clamped to [1/(2n), 1-1/(2n)], so a sweep
// gets a finite rating; with no games all three are 0.
func Elo(score float64, n int) (elo, low, high float64) {
	if n == 0 {
		return 0, 0, 0
	}
	nf := float64(n)
	clamp := func(p float64) float64 { return min(max(p, 0.5/nf), 1-0.5/nf) }
	p := score / nf
	const z = 1.959963984540054
	z2n := z * z / nf
	centre := (p + z2n/2) / (1 + z2n)
	half := z * math.Sqrt(p*(1-p)/nf+z2n/(4*nf)) / (1 + z2n)
	return EloFromScore(clamp(p)), EloFromScore(clamp(centre - half)), EloFromScore(clamp(centre + half))
}

// Contender is a network in a gating match.
type Contender struct {
	Name, ID string
	Weights  *nets.Weights
}

// Gate plays candidate against best until cfg decides, skipping the games
// already in done (a resumed gating) and calling onGame (one call at a
// time) with every game it finishes and its record, so the caller can
// save progress; the candidate is Black in even-numbered games. It returns
// the decision and every finished game, done included. A cancelled ctx
// returns its error with the games so far.
func Gate(ctx context.Context, cfg GateConfig, best, cand Contender, done []GateGame, onGame func(GateGame, *Record) error) (Decision, []GateGame, error) {
	if err := cfg.Validate(); err != nil {
		return Decision{}, nil, err
	}
	if best.Weights.Spec.BoardSize != cand.Weights.Spec.BoardSize {
		return Decision{}, nil, fmt.Errorf("selfplay: gating a %dx%d candidate against a %dx%d network",
			cand.Weights.Spec.BoardSize, cand.Weights.Spec.BoardSize, best.Weights.Spec.BoardSize, best.Weights.Spec.BoardSize)
	}
	games := append([]GateGame(nil), done...)
	if d := cfg.Decide(games); d.Decided {
		return d, games, nil
	}
	size := best.Weights.Spec.BoardSize
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	nb, err := cfg.Engine.start(ctx, best.Name, best.ID, best.Weights, cfg.Parallel)
	if err != nil {
		return Decision{}, nil, err
	}
	defer nb.close()
	nc, err := cfg.Engine.start(ctx, cand.Name, cand.ID, cand.Weights, cfg.Parallel)
	if err != nil {
		return Decision{}, nil, err
	}
	defer nc.close()

	finished := map[int]bool{}
	for _, g := range done {
		finished[g.Index] = true
	}
	todo := make(chan int)
	go func() {
		defer close(todo)
		for i := range cfg.Games {
			if finished[i] {
				continue
			}
			select {
			case todo <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var (
		mu       sync.Mutex
		firstErr error
		decision Decision
		wg       sync.WaitGroup
	)
	for range cfg.Parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range todo {
				gg, rec, err := gateGame(ctx, cfg, size, i, best, cand, nb, nc)
				mu.Lock()
				if err == nil && !decision.Decided {
					games = append(games, gg)
					if onGame != nil {
						err = onGame(gg, rec)
					}
					if decision = cfg.Decide(games); decision.Decided {
						cancel()
					}
				}
				if err != nil && ctx.Err() == nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(games, func(i, j int) bool { return games[i].Index < games[j].Index })
	if firstErr != nil {
		return Decision{}, games, firstErr
	}
	decision = cfg.Decide(games)
	if !decision.Decided {
		if err := context.Cause(ctx); err != nil {
			return decision, games, err
		}
	}
	return decision, games, nil
}

// gateGame plays gating game i.
func gateGame(ctx context.Context, cfg GateConfig, size, i int, best, cand Contender, nb, nc *network) (GateGame, *Record, error) {
	seed := GameSeed(cfg.Seed, fmt.Sprintf("gate-%d", i))
	eb, err := nb.evaluator(seed)
	if err != nil {
		return GateGame{}, nil, err
	}
	ec, err := nc.evaluator(seed + 1)
	if err != nil {
		return GateGame{}, nil, err
	}
	candBlack := i%2 == 0
	evs := [2]mcts.Evaluator{eb, ec}
	if candBlack {
		evs = [2]mcts.Evaluator{ec, eb}
	}
	rec, err := playGame(ctx, evs, size, cfg.Game, seed, false)
	if err != nil {
		return GateGame{}, nil, err
	}
	rec.ID = fmt.Sprintf("gate-%s-%s-%04d", cand.Name, best.Name, i)
	rec.Network = cand.Name + " vs " + best.Name
	gg := GateGame{Index: i, CandidateBlack: candBlack, Result: rec.Result, Moves: len(rec.Moves), Score: 0.5}
	candColor := board.Black
	if !candBlack {
		candColor = board.White
	}
	switch rec.Winner {
	case candColor:
		gg.Score = 1
	case candColor.Opponent():
		gg.Score = 0
	}
	return gg, rec, nil
}
