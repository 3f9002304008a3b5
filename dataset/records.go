package dataset

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/sgf"
)

// Filter selects games.
type Filter struct {
	// Size keeps games of this board size (0: any).
	Size int
	// MinRank keeps games whose two players are both ranked at least this
	// ("6d", "1k", "3p"); games with a missing or unreadable rank fail it.
	MinRank string
	// NoHandicap drops games with HA >= 2.
	NoHandicap bool
	// MinMoves drops games with fewer main-line moves.
	MinMoves int
	// Results keeps only games whose result is of these kinds: "resign",
	// "score" (including draws), "time", "forfeit", "none", "other".
	// Empty keeps all.
	Results []string
}

// ParseRank reads a rank as on KGS: "30k".."1k" are -29..0, "1d".."9d"
// are 1..9, "1p".."9p" are 10..18. A trailing "?" or "*" is ignored.
func ParseRank(s string) (int, bool) {
	s = strings.ToLower(strings.TrimRight(strings.TrimSpace(s), "?*"))
	if len(s) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 1 {
		return 0, false
	}
	switch s[len(s)-1] {
	case 'k':
		if n > 30 {
			return 0, false
		}
		return 1 - n, true
	case 'd':
		if n > 9 {
			return 0, false
		}
		return n, true
	case 'p':
		if n > 9 {
			return 0, false
		}
		return 9 + n, true
	}
	return 0, false
}

// ResultClass maps an SGF result to a Filter class and, for games decided
// by resignation or score, the winner (board.Empty for a draw).
func ResultClass(re string) (class string, winner board.Color, decided bool) {
	switch k := sgf.ResultKind(re); k {
	case "B+R", "W+R":
		return "resign", colorOf(k), true
	case "B+score", "W+score":
		return "score", colorOf(k), true
	case "Draw":
		return "score", board.Empty, true
	case "B+T", "W+T":
		return "time", colorOf(k), false
	case "B+F", "W+F":
		return "forfeit", colorOf(k), false
	case "none":
		return "none", board.Empty, false
	default:
		return "other", board.Empty, false
	}
}

func colorOf(kind string) board.Color {
	if strings.HasPrefix(kind, "B") {
		return board.Black
	}
	return board.White
}

// Validate checks the filter.
func (f Filter) Validate() error {
	if f.MinRank != "" {
		if _, ok := ParseRank(f.MinRank); !ok {
			return fmt.Errorf("dataset: bad rank %q (want e.g. 6d, 1k, 3p)", f.MinRank)
		}
	}
	for _, r := range f.Results {
		switch r {
		case "resign", "score", "time", "forfeit", "none", "other":
		default:
			return fmt.Errorf("dataset: bad result kind %q", r)
		}
	}
	return nil
}

// Accept reports whether a game with this root info and move count passes.
func (f Filter) Accept(info sgf.Info, moves int) bool {
	if f.Size != 0 && info.Size != f.Size {
		return false
	}
	if f.NoHandicap && info.Handicap >= 2 {
		return false
	}
	if moves < f.MinMoves {
		return false
	}
	if f.MinRank != "" {
		min, _ := ParseRank(f.MinRank)
		b, okB := ParseRank(info.BR)
		w, okW := ParseRank(info.WR)
		if !okB || !okW || b < min || w < min {
			return false
		}
	}
	if len(f.Results) > 0 {
		class, _, _ := ResultClass(info.Result)
		found := false
		for _, r := range f.Results {
			if r == class {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// GameID names a game stably: for an archive member the archive's base
// name, ':' and the member path; for a plain file its path as given; then
// '#' and the game's 1-based index in its file.
func GameID(recordName string, index int) string {
	name := recordName
	for _, ext := range []string{".tar.gz:", ".tgz:", ".tar:", ".zip:"} {
		if i := strings.Index(name, ext); i >= 0 {
			name = filepath.Base(name[:i+len(ext)-1]) + name[i+len(ext)-1:]
			break
		}
	}
	return name + "#" + strconv.Itoa(index)
}

// mainLineMoves counts the B and W nodes of the main line.
func mainLineMoves(root *sgf.Node) int {
	n := 0
	for _, nd := range root.MainLine() {
		if nd.Has("B") || nd.Has("W") {
			n++
		}
	}
	return n
}

// Game is one accepted game record.
type Game struct {
	ID    string
	Root  *sgf.Node
	Info  sgf.Info
	Moves int // main-line moves
}

// Games calls fn for every game in paths that passes the filter, in path
// and archive order. Unreadable files and games are counted in the
// returned Stats, never fatal.
func Games(ctx context.Context, paths []string, f Filter, fn func(g Game) error) (Stats, error) {
	var st Stats
	if err := f.Validate(); err != nil {
		return st, err
	}
	cfg := sgf.DefaultWalkConfig()
	cfg.Replay = false
	sum, err := cfg.Walk(ctx, paths, func(rec sgf.Record) error {
		if rec.Err != nil {
			st.Errors = append(st.Errors, FileError{rec.Name, rec.Err.Error()})
			return nil
		}
		for i, root := range rec.Collection.Games {
			st.Games++
			info, err := sgf.ReadInfo(root, func(string, ...any) {})
			if err != nil {
				st.Errors = append(st.Errors, FileError{GameID(rec.Name, i+1), err.Error()})
				continue
			}
			moves := mainLineMoves(root)
			if !f.Accept(info, moves) {
				st.Filtered++
				continue
			}
			st.Accepted++
			if err := fn(Game{ID: GameID(rec.Name, i+1), Root: root, Info: info, Moves: moves}); err != nil {
				return err
			}
		}
		return nil
	})
	st.Files = sum.Files
	return st, err
}

// Stats counts what a pass over game records saw.
type Stats struct {
	Files    int
	Games    int // games read
	Accepted int // passed the filter
	Filtered int
	// Counted are the games that gave ownership and score targets
	// (ExampleConfig.Final); Clashes those whose count disagreed with
	// the recorded result (no targets).
	Counted, Clashes int
	Errors           []FileError
}

// FileError is an error about one file or game.
type FileError struct {
	Name    string `json:"file"`
	Message string `json:"message"`
}

// SplitHash orders games for the validation split: a seeded FNV-1a hash of
// the game ID.
func SplitHash(seed uint64, id string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(seed >> (8 * i))
	}
	h.Write(b[:])
	h.Write([]byte(id))
	return h.Sum64()
}

// Split returns the IDs of the n accepted games with the smallest
// SplitHash: a validation set that depends only on the seed and the games,
// not on their order. IDs come back sorted.
func Split(ctx context.Context, paths []string, f Filter, seed uint64, n int) ([]string, Stats, error) {
	type entry struct {
		h  uint64
		id string
	}
	var all []entry
	st, err := Games(ctx, paths, f, func(g Game) error {
		all = append(all, entry{SplitHash(seed, g.ID), g.ID})
		return nil
	})
	if err != nil {
		return nil, st, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].h < all[j].h })
	if n > len(all) {
		n = len(all)
	}
	ids := make([]string, n)
	for i := range n {
		ids[i] = all[i].id
	}
	sort.Strings(ids)
	return ids, st, nil
}

// Example is one training position.
type Example struct {
	Input Packed
	// Policy is the index (nets.MoveIndex, in the transformed frame) of
	// the move played; PolicyDist, when not nil, is a distribution over
	// all moves instead (self-play visit counts).
	Policy     int
	PolicyDist []float32
	// Value is the game's result from the mover's view (+1 win, -1 loss,
	// 0 draw); HasValue is false when the result does not say (time,
	// forfeit, missing).
	Value    float32
	HasValue bool
	// Ownership, for a game played to a counted end (GameFinal; with
	// FinalConfig.Resigned a resigned game's estimated end too) when
	// ExampleConfig.Final asks for it, holds the final owner of each point
	// (size*size, row-major in the transformed frame, like the input) from
	// the mover's view: +1 the mover's, -1 the opponent's, 0 neither; nil
	// otherwise (resignation, time, no count: no target). Score is then
	// the final area score margin from the mover's view, komi included,
	// and HasScore true.
	Ownership []int8
	Score     float32
	HasScore  bool
	GameID    string
	MoveNum   int // 1-based
	Size      int
}

// ExampleConfig configures Examples.
type ExampleConfig struct {
	Paths  []string
	Filter Filter
	// Seed drives the random symmetries (reproducibly per game).
	Seed uint64
	// Symmetries applies a random one of the 8 board symmetries per
	// example; otherwise the identity.
	Symmetries bool
	// Skip drops these game IDs (the validation games, in training);
	// Only, if not nil, keeps only these (a validation list, in eval).
	Skip, Only map[string]bool
	// StartGame skips the first StartGame accepted games (resume).
	StartGame int
	// Order, if not 0, visits the accepted games in a random order drawn
	// from this seed instead of path and archive order (the same seed
	// and data give the same order): Examples reads every game first and
	// holds each as the SGF text of its main line, parsed again in its
	// turn (the 34,502 shared KGS games: 53 MB of heap, where their
	// parsed trees took 905 MB; about 3 s more a pass).
	// Archives are laid out by era (the shared KGS set: 2002, then 2015,
	// then 2003, ...), so a stream in archive order drifts, and a value
	// head trained on it follows the drift.
	Order uint64
	// Passes includes pass moves as examples.
	Passes bool
	// Features is the input feature set (nets.FeaturesV1 when empty).
	Features string
	// Final adds ownership and score targets to the examples of games
	// played to a counted end (GameFinal with FinalConfig), read from a
	// second replay of each game; Cache, if not nil, keeps them across
	// passes.
	Final       bool
	FinalConfig FinalConfig
	Cache       *FinalCache
	// Labels, if not nil, mixes a search's winrate into the value target
	// of the positions it labels: (1-LabelWeight)*result +
	// LabelWeight*(2q-1), or 2q-1 alone where the result does not say
	// (ValueLabels). With Labels, UnlabelledDrop is the share of the
	// unlabelled positions left out (drawn per position from the game's
	// seeded stream): 0 keeps them all, 1 keeps the labelled positions
	// alone (and skips the games without one).
	Labels         *ValueLabels
	LabelWeight    float64
	UnlabelledDrop float64
}

// FinalCache keeps the final targets of games by ID (their errors too),
// so that later passes over the same games do not count them again. It is
// safe for concurrent use.
type FinalCache struct {
	mu sync.Mutex
	m  map[string]finalEntry
}

type finalEntry struct {
	f   Final
	err error
}

func (c *FinalCache) get(id string, compute func() (Final, error)) (Final, error) {
	if c == nil {
		return compute()
	}
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return e.f, e.err
	}
	f, err := compute()
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]finalEntry{}
	}
	c.m[id] = finalEntry{f, err}
	c.mu.Unlock()
	return f, err
}

// heldGame is a Game whose tree is kept as the SGF text of its main
// line (Game.Root nil).
type heldGame struct {
	g    Game
	text []byte
}

// holdGame keeps g's main line (variations dropped: Examples and
// GameFinal replay the main line only) as SGF text.
func holdGame(g Game) heldGame {
	var root, last *sgf.Node
	for _, n := range g.Root.MainLine() {
		c := &sgf.Node{Props: n.Props}
		if last == nil {
			root = c
		} else {
			last.Children = []*sgf.Node{c}
		}
		last = c
	}
	text := sgf.Marshal(&sgf.Collection{Games: []*sgf.Node{root}})
	g.Root = nil
	return heldGame{g: g, text: text}
}

// game parses the held text back into the Game (sgf.Parse of sgf.Write's
// text gives an equal tree).
func (h heldGame) game() (Game, error) {
	c, err := sgf.Parse(h.text)
	if err != nil || len(c.Games) != 1 {
		return Game{}, fmt.Errorf("dataset: %s: the held game does not parse back (%v)", h.g.ID, err)
	}
	g := h.g
	g.Root = c.Games[0]
	return g, nil
}

// ErrStop may be returned by an Examples callback to end early.
var ErrStop = errors.New("dataset: stop")

// Examples replays the accepted games' main lines and calls fn for every
// move (every non-pass move unless Passes), with the game's ordinal among
// accepted games (for resuming with StartGame). The Example is reused
// between calls: copy what you keep (Packed is immutable and safe to keep).
func Examples(ctx context.Context, cfg ExampleConfig, fn func(gameOrdinal int, ex *Example) error) (Stats, error) {
	var buf []float32
	var ex Example
	ordinal := -1
	var stats Stats
	name := cfg.Features
	if name == "" {
		name = nets.FeaturesV1
	}
	fs, err := nets.FeatureSetByName(name)
	if err != nil {
		return stats, fmt.Errorf("dataset: %w", err)
	}
	planes := fs.Planes()
	one := func(g Game) error {
		ordinal++
		if ordinal < cfg.StartGame {
			return nil
		}
		_, winner, decided := ResultClass(g.Info.Result)
		var final *Final
		if cfg.Final {
			f, err := cfg.Cache.get(g.ID, func() (Final, error) { return GameFinal(g, cfg.FinalConfig) })
			switch {
			case err == nil:
				final = &f
				stats.Counted++
			case errors.Is(err, ErrResultClash):
				stats.Clashes++
			}
		}
		rng := rand.New(rand.NewPCG(cfg.Seed, SplitHash(cfg.Seed, g.ID)))
		moveNum := 0
		rg := sgf.ReplayFunc(g.Root, 1, func(bg *board.Game, m board.Move) error {
			moveNum++
			if m.Point == board.Pass && !cfg.Passes {
				return nil
			}
			q, labelled := cfg.Labels.Get(g.ID, moveNum)
			if cfg.Labels != nil && !labelled && cfg.UnlabelledDrop > 0 && (cfg.UnlabelledDrop >= 1 || rng.Float64() < cfg.UnlabelledDrop) {
				return nil
			}
			size := bg.Size()
			area := size * size
			if len(buf) < planes*area {
				buf = make([]float32, planes*area)
			}
			sym := nets.Symmetry(0)
			if cfg.Symmetries {
				sym = nets.Symmetry(rng.IntN(nets.NumSymmetries))
			}
			fs.Encode(bg, sym, buf[:planes*area])
			ex = Example{
				Input:   Pack(buf[:planes*area], planes, area),
				Policy:  nets.MoveIndex(sym.Point(m.Point, size), size),
				GameID:  g.ID,
				MoveNum: moveNum,
				Size:    size,
			}
			if decided {
				ex.HasValue = true
				switch winner {
				case m.Color:
					ex.Value = 1
				case board.Empty:
					ex.Value = 0
				default:
					ex.Value = -1
				}
			}
			if labelled {
				w := cfg.LabelWeight
				if !ex.HasValue {
					w = 1 // no result: the label alone
				}
				ex.Value = MixValue(ex.Value, float64(q), w)
				ex.HasValue = true
			}
			if final != nil {
				ex.Ownership, ex.Score = final.ForMover(m.Color, sym)
				ex.HasScore = true
			}
			return fn(ordinal, &ex)
		})
		if rg.Err != nil {
			if errors.Is(rg.Err, ErrStop) || errors.Is(rg.Err, context.Canceled) {
				return rg.Err
			}
			stats.Errors = append(stats.Errors, FileError{g.ID, rg.Err.Error()})
		}
		return ctx.Err()
	}
	// With cfg.Order every accepted game is held until all are read: as
	// SGF text of its main line (parsed again when its turn comes): the
	// 34,502 shared KGS games take 53 MB of heap so, 905 MB parsed.
	var held []heldGame
	st, err := Games(ctx, cfg.Paths, cfg.Filter, func(g Game) error {
		if cfg.Skip[g.ID] || (cfg.Only != nil && !cfg.Only[g.ID]) || (cfg.Labels != nil && cfg.UnlabelledDrop >= 1 && !cfg.Labels.HasGame(g.ID)) {
			return nil
		}
		if cfg.Order != 0 {
			held = append(held, holdGame(g))
			return nil
		}
		return one(g)
	})
	if cfg.Order != 0 && err == nil {
		rng := rand.New(rand.NewPCG(cfg.Order, 0x6f72646572)) // "order"
		rng.Shuffle(len(held), func(i, j int) { held[i], held[j] = held[j], held[i] })
		for i := range held {
			var g Game
			if g, err = held[i].game(); err != nil {
				break
			}
			held[i] = heldGame{} // let the text go
			if err = one(g); err != nil {
				break
			}
		}
	}
	st.Errors = append(st.Errors, stats.Errors...)
	st.Counted, st.Clashes = stats.Counted, stats.Clashes
	if errors.Is(err, ErrStop) {
		err = nil
	}
	return st, err
}
