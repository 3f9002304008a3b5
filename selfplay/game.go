package selfplay

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/mcts"
	"github.com/tengen-go/tengen/sgf"
)

// GameConfig says how one self-play game is played.
type GameConfig struct {
	// Visits is the root visit budget of a full search (reused visits
	// count, as in KataGo).
	Visits int
	// FastVisits, when positive, turns on playout-cap randomisation
	// (KataGo): each move gets a full search with probability FullShare
	// and a fast search of FastVisits (no noise, not a training position)
	// otherwise.
	FastVisits int
	FullShare  float64
	// TempMoves moves (each side's together) are chosen with Temperature
	// (visit counts^(1/T)); later ones by most visits. A pass is drawn
	// only when it is the most visited move.
	TempMoves   int
	Temperature float64
	// NoiseAlpha is the root Dirichlet alpha of full searches (0: Leela
	// Zero's 0.03*361/size^2); NoiseEpsilon its weight.
	NoiseAlpha   float64
	NoiseEpsilon float64
	// A side resigns when its winrate stays below ResignThreshold for
	// ResignMoves of its searches in a row, not before move ResignMinMove
	// (0: a quarter of the board's points). ResignThreshold 0 never
	// resigns. In a share ResignOffShare of the games resignation is
	// disabled and only recorded (Record.WouldResign), to measure false
	// positives.
	ResignThreshold float64
	ResignMoves     int
	ResignMinMove   int
	ResignOffShare  float64
	// DecidedVisits, when positive, cheapens the games played out with
	// resignation disabled (KataGo plays most games out, with fewer
	// visits once one side is clearly winning): once either side's
	// resignation rule has fired, every later search is a fast one of
	// DecidedVisits visits (no noise, not a training position). The game
	// still ends counted, so its final ownership and score label all of
	// its earlier positions. 0: searches as before.
	DecidedVisits int
	// MaxMoves ends a game by scoring the board (0: 2*size*size).
	MaxMoves int
	Komi     float64
	// KomiStdev varies the komi of self-play games as KataGo does, so
	// that the network's komi input means something: in a share
	// KomiShare of the games the komi is Komi plus a normal draw of this
	// standard deviation, rounded to a half point (integer komi, which
	// allows draws, included). KomiStdev 0: every game at Komi
	// (DefaultGameConfig: stdev 0, share 1). Gating games always use
	// Komi.
	KomiStdev float64
	KomiShare float64
	Rules     string // board.RulesByName name
	// MaxNodes bounds a searcher's tree (0: enough for the visits).
	MaxNodes int
	// Evaluator is how self-play searches evaluate leaves: "net" (or
	// empty: the network's priors and value), "hybrid" (the network's
	// priors, the value mixed with heavy playouts by Lambda, RAVE on),
	// or "playouts" (heavy playouts and knowledge priors with RAVE, no
	// network: expert games to bootstrap a network from).
	Evaluator string
	Lambda    float64
	// ExpandAt is the hybrid's expansion threshold
	// (mcts.MixedEvaluator.ExpandAt): a node gets the network's priors
	// (and, with Lambda below 1, its value) once it has this many
	// visits, the root at once, and the playouts' priors until then; 0:
	// the network evaluates every leaf. A network whose input plays
	// playouts (FeaturesV3) costs about 1 ms an evaluation on 9x9, ten
	// times the v2 network: the threshold keeps the generator at the
	// playouts' pace.
	ExpandAt int
	// ForcedPlayouts turns on KataGo's forced playouts with this k in
	// the full searches (KataGo uses 2; 0: off): a root child with a
	// visit gets at least sqrt(k * noised prior * root visits) of them,
	// and the recorded visit distribution, the policy target, leaves
	// those out again (policy target pruning, mcts.Searcher.PrunedVisits).
	// The move is still chosen from the raw visits. Fast searches and
	// gating never force.
	ForcedPlayouts float64
}

// DefaultGameConfig returns the settings for a board size: 200 visits,
// playout cap off, temperature 1 for the first size*size/8 moves, noise
// alpha by size (epsilon 0.25), resignation below 5% for 3 searches with
// 10% of games played out, komi 7.5, Chinese rules.
func DefaultGameConfig(size int) GameConfig {
	return GameConfig{
		Visits: 200, FullShare: 0.25,
		TempMoves: max(size*size/8, 1), Temperature: 1,
		NoiseEpsilon:    0.25,
		ResignThreshold: 0.05, ResignMoves: 3, ResignOffShare: 0.1,
		Komi: 7.5, KomiShare: 1, Rules: "chinese",
	}
}

// Validate reports the first bad setting.
func (c GameConfig) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("selfplay: %s", fmt.Sprintf(format, args...))
	}
	switch {
	case c.Visits < 1:
		return bad("visits %d < 1", c.Visits)
	case c.FastVisits < 0 || c.FastVisits > c.Visits:
		return bad("fast visits %d outside 0..%d (the full visits)", c.FastVisits, c.Visits)
	case c.FastVisits > 0 && !(c.FullShare > 0 && c.FullShare <= 1):
		return bad("full-search share %v outside (0, 1]", c.FullShare)
	case c.TempMoves < 0 || c.Temperature < 0:
		return bad("temperature %v for %d moves", c.Temperature, c.TempMoves)
	case c.NoiseAlpha < 0 || c.NoiseEpsilon < 0 || c.NoiseEpsilon > 1:
		return bad("noise alpha %v, epsilon %v", c.NoiseAlpha, c.NoiseEpsilon)
	case c.ResignThreshold < 0 || c.ResignThreshold >= 1 || c.ResignMoves < 0 || c.ResignMinMove < 0:
		return bad("resignation threshold %v after %d moves", c.ResignThreshold, c.ResignMoves)
	case c.ResignOffShare < 0 || c.ResignOffShare > 1:
		return bad("no-resignation share %v outside [0, 1]", c.ResignOffShare)
	case c.DecidedVisits < 0 || c.DecidedVisits > c.Visits:
		return bad("decided-position visits %d outside 0..%d (the full visits)", c.DecidedVisits, c.Visits)
	case c.MaxMoves < 0 || c.MaxNodes < 0:
		return bad("max moves %d, max nodes %d", c.MaxMoves, c.MaxNodes)
	case !finite(c.Komi) || c.Komi < -1000 || c.Komi > 1000:
		return bad("komi %v", c.Komi)
	case !(c.KomiStdev >= 0 && c.KomiStdev <= 100):
		return bad("komi standard deviation %v outside [0, 100]", c.KomiStdev)
	case !(c.KomiShare >= 0 && c.KomiShare <= 1):
		return bad("varied-komi share %v outside [0, 1]", c.KomiShare)
	case c.Evaluator != "" && c.Evaluator != "net" && c.Evaluator != "hybrid" && c.Evaluator != "playouts":
		return bad("evaluator %q (want net, hybrid or playouts)", c.Evaluator)
	case !(c.Lambda >= 0 && c.Lambda <= 1):
		return bad("lambda %v outside [0, 1]", c.Lambda)
	case c.ExpandAt < 0 || c.ExpandAt > 0 && c.Evaluator != "hybrid":
		return bad("expansion threshold %d (the hybrid evaluator's, >= 0)", c.ExpandAt)
	case !(c.ForcedPlayouts >= 0) || math.IsInf(c.ForcedPlayouts, 1):
		return bad("forced playouts k %v", c.ForcedPlayouts)
	}
	if _, err := board.RulesByName(c.Rules); err != nil {
		return bad("%v", err)
	}
	return nil
}

// searcherConfig returns the mcts settings of a self-play searcher.
func (c GameConfig) searcherConfig(size int, seed uint64, noise bool) mcts.Config {
	sc := mcts.DefaultConfig()
	sc.Threads = 1
	sc.Seed = seed
	sc.MaxNodes = c.MaxNodes
	if sc.MaxNodes == 0 {
		// Tree reuse keeps at most a root's visits; each visit expands at
		// most one node's children.
		sc.MaxNodes = max(4*c.Visits*(size*size+1), 10_000)
	}
	if c.Evaluator == "hybrid" || c.Evaluator == "playouts" {
		sc.RAVEEquiv = raveEquiv
	}
	if noise {
		sc.NoiseAlpha = c.NoiseAlpha
		if sc.NoiseAlpha == 0 {
			sc.NoiseAlpha = mcts.NoiseAlphaFor(size)
		}
		sc.NoiseEpsilon = c.NoiseEpsilon
	}
	return sc
}

// raveEquiv is the RAVE equivalence of searches with playouts.
const raveEquiv = 1000

// LeafEvaluator returns the leaf evaluator that c.Evaluator names, over net
// (the network's evaluator; unused for "playouts"), its playouts seeded
// from seed.
func (c GameConfig) LeafEvaluator(net mcts.Evaluator, seed uint64) mcts.Evaluator {
	switch c.Evaluator {
	case "hybrid":
		return &mcts.MixedEvaluator{Net: net, Playouts: mcts.NewPlayoutEvaluator(1, seed), Lambda: c.Lambda, ExpandAt: c.ExpandAt}
	case "playouts":
		return mcts.NewPlayoutEvaluator(1, seed)
	}
	return net
}

// gameKomi draws a self-play game's komi (KomiStdev, KomiShare). It
// draws nothing when KomiStdev or KomiShare is 0, so that the games of a
// seed stay what they were before komi varied.
func (c GameConfig) gameKomi(rng *rand.Rand) float64 {
	if c.KomiStdev == 0 || c.KomiShare == 0 || rng.Float64() >= c.KomiShare {
		return c.Komi
	}
	k := c.Komi + math.Round(2*c.KomiStdev*rng.NormFloat64())/2
	return max(-1000, min(1000, k))
}

// PlayGame plays one self-play game of size x size with ev evaluating
// for both sides (one tree, reused from move to move), with every random
// choice drawn from seed (the same seed, settings and evaluator answers
// give the same game). The record's ID, Network and NetworkID are left for
// the caller. A cancelled ctx ends the game with ctx's error.
func PlayGame(ctx context.Context, ev mcts.Evaluator, size int, cfg GameConfig, seed uint64) (*Record, error) {
	return playGame(ctx, [2]mcts.Evaluator{ev, ev}, size, cfg, seed, true)
}

// playGame plays a game between evs[0] (Black) and evs[1] (White). With
// selfPlay evs[0] plays both sides in one tree and the searches take root
// noise, playout-cap randomisation and the no-resignation share; without
// (gating) each side has its own tree, every search is a full one without
// noise and resignation is always on.
func playGame(ctx context.Context, evs [2]mcts.Evaluator, size int, cfg GameConfig, seed uint64, selfPlay bool) (*Record, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rules, _ := board.RulesByName(cfg.Rules)
	rng := rand.New(rand.NewPCG(seed, 0x73656c66706c6179)) // "selfplay"
	komi := cfg.Komi
	if selfPlay {
		komi = cfg.gameKomi(rng)
	}
	g, err := board.NewGame(size, komi, rules)
	if err != nil {
		return nil, err
	}
	var searchers [2]*mcts.Searcher
	for i := range searchers {
		if i == 1 && selfPlay { // one tree for both sides
			searchers[1] = searchers[0]
			break
		}
		if searchers[i], err = mcts.NewSearcher(evs[i], cfg.searcherConfig(size, seed+uint64(i), selfPlay)); err != nil {
			return nil, err
		}
	}
	rec := &Record{Size: size, Komi: komi, Rules: cfg.Rules, Visits: cfg.Visits, Seed: seed}
	fast := 0
	if selfPlay {
		fast = cfg.FastVisits
		rec.FastVisits = fast
		rec.NoResign = cfg.ResignThreshold > 0 && rng.Float64() < cfg.ResignOffShare
	}
	rule := cfg.ResignRule()
	resigners := [2]*mcts.Resigner{rule.resigner(cfg.ResignThreshold, size), rule.resigner(cfg.ResignThreshold, size)}
	maxMoves := cfg.MaxMoves
	if maxMoves == 0 {
		maxMoves = 2 * size * size
	}
	resigned := board.Empty
	for !g.Over() && len(rec.Moves) < maxMoves {
		c := g.ToMove()
		side := int(c - board.Black)
		full := fast == 0 || rng.Float64() < cfg.FullShare
		visits := cfg.Visits
		if !full {
			visits = fast
		}
		if cfg.DecidedVisits > 0 && rec.WouldResign != [2]int{} {
			// decided (only games played out, self-play's alone, note
			// WouldResign): after the playout-cap draw, so that games
			// replay as before until the rule fires
			full, visits = false, cfg.DecidedVisits
		}
		s := searchers[side]
		s.SetGame(g)
		opts := mcts.Options{Limits: mcts.Limits{Visits: visits}, NoNoise: !full}
		if full && selfPlay {
			opts.ForcedPlayouts = cfg.ForcedPlayouts
		}
		res, err := s.Search(ctx, opts)
		if err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		temp := 0.0
		if len(rec.Moves) < cfg.TempMoves {
			temp = cfg.Temperature
		}
		pt := s.ChooseMove(res, temp)
		if pt == board.Pass && res.Best != board.Pass {
			// A pass drawn by temperature that the search does not
			// prefer would end games at random: draw among the others.
			others := res
			others.Moves = nil
			for _, ms := range res.Moves {
				if ms.Move != board.Pass {
					others.Moves = append(others.Moves, ms)
				}
			}
			pt = s.ChooseMove(others, temp)
		}
		m := Move{Color: c, Point: pt, Full: full, Visits: res.Visits, Winrate: math.Round(res.Winrate*1e4) / 1e4}
		if opts.ForcedPlayouts > 0 { // the target without the forced visits
			for _, mv := range s.PrunedVisits(opts.ForcedPlayouts) {
				m.Dist = append(m.Dist, Visit{Index: int32(moveIndex(mv.Move, size)), Visits: int32(mv.Visits)})
			}
		} else {
			for _, ms := range res.Moves {
				m.Dist = append(m.Dist, Visit{Index: int32(moveIndex(ms.Move, size)), Visits: int32(ms.Visits)})
			}
		}
		if len(m.Dist) == 0 { // a one-visit search: its move by prior
			m.Dist = append(m.Dist, Visit{Index: int32(moveIndex(pt, size)), Visits: 1})
		}
		sortDist(m.Dist) // as ReadChunk gives it back
		// The rule sees the winrate as recorded, so that a replay on the
		// record (Record.ResignAt) decides as the game did.
		if resigners[side].Observe(m.Winrate, len(rec.Moves)+1) {
			if !rec.NoResign {
				resigned = c
				break
			}
			if rec.WouldResign[side] == 0 {
				rec.WouldResign[side] = len(rec.Moves) + 1
			}
		}
		rec.Moves = append(rec.Moves, m)
		if err := g.Play(c, pt); err != nil {
			return nil, fmt.Errorf("selfplay: the search chose an illegal move %s %s: %w", c, pt.GTP(size), err)
		}
	}
	if resigned != board.Empty {
		rec.Resigned = true
		rec.Winner = resigned.Opponent()
	} else {
		rec.Score = g.Score()
		rec.Winner = scoreWinner(rec.Score)
		if g.Over() {
			rec.setFinal(g)
		}
	}
	rec.Result = resultString(rec.Winner, rec.Score, rec.Resigned)
	rec.Time = time.Now().UTC().Format(time.RFC3339)
	return rec, nil
}

func moveIndex(pt board.Point, size int) int {
	if pt == board.Pass {
		return size * size
	}
	x, y := pt.XY()
	return y*size + x
}

// SGF returns the game as an SGF tree: the settings in the root, every
// move with a comment giving the mover's winrate, the root visits and the
// search kind, and the result.
func (r *Record) SGF() *sgf.Node {
	root := &sgf.Node{}
	root.Set("GM", "1")
	root.Set("FF", "4")
	root.Set("CA", "UTF-8")
	root.Set("AP", "tengen:selfplay")
	root.Set("SZ", fmt.Sprint(r.Size))
	root.Set("KM", fmt.Sprintf("%g", r.Komi))
	root.Set("RU", r.Rules)
	root.Set("PB", r.Network)
	root.Set("PW", r.Network)
	root.Set("RE", r.Result)
	if r.Time != "" && len(r.Time) >= 10 {
		root.Set("DT", r.Time[:10])
	}
	root.Set("GN", r.ID)
	info := fmt.Sprintf("self-play game %s\nnetwork %s (%s)\nvisits %d", r.ID, r.Network, r.NetworkID, r.Visits)
	if r.FastVisits > 0 {
		info += fmt.Sprintf(", fast searches %d", r.FastVisits)
	}
	info += fmt.Sprintf("\nseed %d", r.Seed)
	if r.NoResign {
		info += "\nresignation disabled"
	}
	root.Set("C", info)
	last := root
	for i := range r.Moves {
		m := &r.Moves[i]
		n := &sgf.Node{}
		n.Set(m.Color.String(), m.Point.SGF())
		kind := "full"
		if !m.Full {
			kind = "fast"
		}
		c := fmt.Sprintf("%s winrate %.1f%%, %d visits (%s)", m.Color, 100*m.Winrate, m.Visits, kind)
		if r.WouldResign[m.Color-board.Black] == i+1 {
			c += fmt.Sprintf("\n%s would resign here (resignation disabled)", m.Color)
		}
		n.Set("C", c)
		last.Children = []*sgf.Node{n}
		last = n
	}
	end := "Result " + r.Result
	switch {
	case r.Resigned:
		end += fmt.Sprintf(" (%s resigned)", r.Winner.Opponent())
	default:
		end += fmt.Sprintf(" (area score, Black minus White minus komi %g)", r.Score)
		if r.Owner != nil && r.FinalScore != r.Score {
			end += fmt.Sprintf("; counted with dead stones removed %g", r.FinalScore)
		}
	}
	if c, ok := last.Get("C"); ok && last != root {
		end = c + "\n" + end
	} else if last == root {
		end = info + "\n" + end
	}
	last.Set("C", end)
	return root
}

// SGFBytes returns the game as SGF text.
func (r *Record) SGFBytes() []byte {
	return []byte(strings.TrimSpace(string(sgf.Marshal(&sgf.Collection{Games: []*sgf.Node{r.SGF()}}))) + "\n")
}
