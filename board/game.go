package board

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// KoRule says which repetitions of the whole board are forbidden.
type KoRule uint8

// Ko rules.
const (
	// KoSimple forbids only the immediate recapture of a single-stone ko;
	// a longer cycle (triple ko) may repeat the position (Japanese-style
	// rules, where such a game is void or decided by agreement).
	KoSimple KoRule = iota
	// KoPositional forbids a move that recreates any earlier board
	// position (Chinese, Tromp-Taylor).
	KoPositional
	// KoSituational forbids a move that recreates an earlier board position
	// with the same player to move (AGA, New Zealand).
	KoSituational
)

func (k KoRule) String() string {
	switch k {
	case KoSimple:
		return "simple"
	case KoPositional:
		return "positional"
	case KoSituational:
		return "situational"
	}
	return fmt.Sprintf("KoRule(%d)", uint8(k))
}

// Rules is a ruleset as far as legality goes. Suicide is always illegal and
// scoring is always by area.
type Rules struct {
	Name string
	Ko   KoRule
}

// DefaultRules returns the rules for play: Chinese, positional superko.
func DefaultRules() Rules { return Rules{Name: "chinese", Ko: KoPositional} }

// RulesByName returns the ruleset called name, in any case: "chinese",
// "tromp-taylor" (positional superko), "aga", "nz" (situational superko),
// "japanese", "korean" (simple ko).
func RulesByName(name string) (Rules, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "chinese", "cn", "tromp-taylor", "tromp taylor", "trompTaylor", "tt":
		return Rules{Name: n, Ko: KoPositional}, nil
	case "aga", "nz", "new zealand", "bga":
		return Rules{Name: n, Ko: KoSituational}, nil
	case "japanese", "jp", "korean", "kr":
		return Rules{Name: n, Ko: KoSimple}, nil
	}
	return Rules{}, fmt.Errorf("board: unknown ruleset %q", name)
}

// More errors of illegal moves and bad requests.
var (
	ErrSuperko   = errors.New("board: superko")
	ErrNoHistory = errors.New("board: nothing to undo")
	ErrHandicap  = errors.New("board: bad handicap")
)

// step is one entry of a game's history: what was done, the side to move
// before it, and every snapEvery steps a snapshot of the position before
// it (undo restores the nearest snapshot and replays the rest).
type step struct {
	before   *Position
	toMove   Color
	move     Move
	setup    bool
	setupPts []Point // setup: the points, move.Color their colour
}

// snapEvery is the distance between history snapshots: undo replays at
// most snapEvery-1 steps, and history costs a Position per snapEvery moves.
const snapEvery = 16

// Game is a game in progress: the current position, the moves and setups
// that led to it, the side to move, komi and the ruleset. A Game is not
// safe for concurrent use.
type Game struct {
	pos     Position
	toMove  Color
	komi    float64
	rules   Rules
	history []step
	seen    map[uint64]int // superko keys of every position so far, counted
}

// NewGame starts a game on an empty size x size board with Black to move.
func NewGame(size int, komi float64, rules Rules) (*Game, error) {
	p, err := NewPosition(size)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(komi) || math.IsInf(komi, 0) {
		return nil, fmt.Errorf("board: bad komi %v", komi)
	}
	g := &Game{pos: *p, toMove: Black, komi: komi, rules: rules, seen: map[uint64]int{}}
	g.seen[g.key(&g.pos, g.toMove)]++
	return g, nil
}

// key is the superko key of a position with toMove to play.
func (g *Game) key(p *Position, toMove Color) uint64 {
	return g.rules.SuperkoKey(p.hash, toMove)
}

// Size returns the board size.
func (g *Game) Size() int { return g.pos.size }

// Komi returns the komi.
func (g *Game) Komi() float64 { return g.komi }

// SetKomi sets the komi (any finite value).
func (g *Game) SetKomi(k float64) { g.komi = k }

// Rules returns the ruleset.
func (g *Game) Rules() Rules { return g.rules }

// Position returns the current position. The caller must not change it;
// copy it (child := *g.Position()) to play on.
func (g *Game) Position() *Position { return &g.pos }

// ToMove returns the side to move.
func (g *Game) ToMove() Color { return g.toMove }

// SetToMove sets the side to move (SGF PL, GTP plays out of turn).
func (g *Game) SetToMove(c Color) {
	if c == Black || c == White {
		g.toMove = c
	}
}

// Legal reports whether c may play pt now under the game's ko rule.
func (g *Game) Legal(c Color, pt Point) bool { return g.check(c, pt, nil) == nil }

// check returns why c may not play pt; if after is not nil and the move is
// legal, it holds the resulting position.
func (g *Game) check(c Color, pt Point, after *Position) error {
	if err := g.pos.check(c, pt); err != nil {
		return err
	}
	if pt == Pass {
		if after != nil {
			*after = g.pos
			after.play(c, pt)
		}
		return nil
	}
	if after == nil {
		if g.rules.Ko != KoSimple && g.Seen(g.rules.SuperkoKey(g.pos.HashAfter(c, pt), c.Opponent())) {
			return ErrSuperko
		}
		return nil
	}
	*after = g.pos
	after.play(c, pt)
	if g.rules.Ko != KoSimple && g.seen[g.key(after, c.Opponent())] > 0 {
		return ErrSuperko
	}
	return nil
}

// Play plays c at pt (Pass to pass). An illegal move returns ErrOffBoard,
// ErrOccupied, ErrKo, ErrSuicide, ErrSuperko or ErrColor and changes
// nothing. Afterwards c's opponent is to move.
func (g *Game) Play(c Color, pt Point) error {
	if err := g.check(c, pt, nil); err != nil {
		return fmt.Errorf("%s %s: %w", c, pt.GTP(g.pos.size), err)
	}
	g.push(step{toMove: g.toMove, move: Move{c, pt}})
	g.pos.play(c, pt)
	g.toMove = c.Opponent()
	g.seen[g.key(&g.pos, g.toMove)]++
	return nil
}

// LegalMoves appends every legal board point for c (not Pass) to dst[:0].
func (g *Game) LegalMoves(c Color, dst []Point) []Point {
	dst = dst[:0]
	for _, pt := range Points(g.pos.size) {
		if g.pos.color[pt] == Empty && g.Legal(c, pt) {
			dst = append(dst, pt)
		}
	}
	return dst
}

// Setup places setup stones of colour c on pts (Empty removes stones, as
// SGF AE does). It captures nothing and fails, changing nothing, if a chain
// would be left without liberties. Undo takes it back as one step.
func (g *Game) Setup(c Color, pts []Point) error {
	q := g.pos
	if err := q.Place(c, pts); err != nil {
		return err
	}
	g.push(step{toMove: g.toMove, setup: true, move: Move{Color: c}, setupPts: append([]Point(nil), pts...)})
	g.pos = q
	g.seen[g.key(&g.pos, g.toMove)]++
	return nil
}

// FixedHandicap places n handicap stones at the GTP fixed handicap points
// (see FixedHandicapPoints) on an empty board, sets White to move and
// returns the points.
func (g *Game) FixedHandicap(n int) ([]Point, error) {
	if g.pos.stones[Black]+g.pos.stones[White] > 0 || len(g.history) > 0 {
		return nil, fmt.Errorf("%w: board not empty", ErrHandicap)
	}
	pts, err := FixedHandicapPoints(g.pos.size, n)
	if err != nil {
		return nil, err
	}
	if err := g.Setup(Black, pts); err != nil {
		return nil, err
	}
	g.toMove = White
	return pts, nil
}

// FixedHandicapPoints returns the GTP fixed handicap points for n stones on
// a size x size board: 2..9 stones on odd sizes from 9, 2..4 on even sizes
// from 8 and on 7x7; the stones sit on the 4th line from 13x13 up and on the
// 3rd line below.
func FixedHandicapPoints(size, n int) ([]Point, error) {
	max := 4
	if size%2 == 1 && size >= 9 {
		max = 9
	}
	if size < 7 {
		max = 0
	}
	if n < 2 || n > max {
		return nil, fmt.Errorf("%w: %d stones on %dx%d (allowed 2..%d)", ErrHandicap, n, size, size, max)
	}
	e := 2
	if size >= 13 {
		e = 3
	}
	lo, mid, hi := e, size/2, size-1-e
	// GTP order; coordinates (x, y) from the top left.
	all := []Point{
		PointAt(lo, hi), PointAt(hi, lo), // D4, Q16
		PointAt(lo, lo), PointAt(hi, hi), // D16, Q4
		PointAt(lo, mid), PointAt(hi, mid), // D10, Q10
		PointAt(mid, hi), PointAt(mid, lo), // K4, K16
	}
	center := PointAt(mid, mid)
	switch {
	case n <= 4:
		return all[:n], nil
	case n == 5:
		return append(all[:4:4], center), nil
	case n == 6:
		return all[:6], nil
	case n == 7:
		return append(all[:6:6], center), nil
	case n == 8:
		return all[:8], nil
	}
	return append(all[:8:8], center), nil
}

// Clone returns an independent copy of the game: changing one (Play,
// Undo, Setup, komi) leaves the other as it was.
func (g *Game) Clone() *Game {
	c := *g
	c.history = slices.Clone(g.history) // snapshots and setup points are never changed in place
	c.seen = maps.Clone(g.seen)
	return &c
}

// Undo takes back the last move or setup. It returns ErrNoHistory at the
// start of the game.
func (g *Game) Undo() error {
	if len(g.history) == 0 {
		return ErrNoHistory
	}
	k := g.key(&g.pos, g.toMove)
	if g.seen[k]--; g.seen[k] <= 0 {
		delete(g.seen, k)
	}
	last := g.history[len(g.history)-1]
	g.pos = g.positionBefore(len(g.history) - 1)
	g.history = g.history[:len(g.history)-1]
	g.toMove = last.toMove
	return nil
}

// push appends a step, with a snapshot of the current position every
// snapEvery steps.
func (g *Game) push(st step) {
	if len(g.history)%snapEvery == 0 {
		p := g.pos
		st.before = &p
	}
	g.history = append(g.history, st)
}

// positionBefore rebuilds the position before step i from the nearest
// snapshot at or before it.
func (g *Game) positionBefore(i int) Position {
	j := i - i%snapEvery
	p := *g.history[j].before
	for _, st := range g.history[j:i] {
		if st.setup {
			if err := p.Place(st.move.Color, st.setupPts); err != nil {
				panic("board: history setup no longer applies: " + err.Error())
			}
		} else {
			p.play(st.move.Color, st.move.Point)
		}
	}
	return p
}

// Moves returns the moves played so far, setups excluded, in order.
func (g *Game) Moves() []Move {
	var ms []Move
	for _, s := range g.history {
		if !s.setup {
			ms = append(ms, s.move)
		}
	}
	return ms
}

// MoveNumber returns the number of moves played (passes included, setups
// not).
func (g *Game) MoveNumber() int {
	n := 0
	for _, s := range g.history {
		if !s.setup {
			n++
		}
	}
	return n
}

// LastMove returns the last move played and true, or false if none was
// played since the last setup.
func (g *Game) LastMove() (Move, bool) {
	if len(g.history) == 0 || g.history[len(g.history)-1].setup {
		return Move{}, false
	}
	return g.history[len(g.history)-1].move, true
}

// ConsecutivePasses returns how many passes end the move sequence.
func (g *Game) ConsecutivePasses() int {
	n := 0
	for i := len(g.history) - 1; i >= 0 && !g.history[i].setup && g.history[i].move.Point == Pass; i-- {
		n++
	}
	return n
}

// Over reports whether the game has ended with two consecutive passes.
func (g *Game) Over() bool { return g.ConsecutivePasses() >= 2 }

// Score returns the Tromp-Taylor area score, black area minus white area
// minus komi: positive means Black wins.
func (g *Game) Score() float64 {
	b, w := g.pos.AreaScore()
	return float64(b-w) - g.komi
}

// Handicap returns the number of black stones set up before the first
// move when no white stone was (0 for an even game).
func (g *Game) Handicap() int {
	i := 0
	for i < len(g.history) && g.history[i].setup {
		i++
	}
	if i == 0 {
		return 0
	}
	p := &g.pos
	if i < len(g.history) {
		q := g.positionBefore(i)
		p = &q
	}
	if p.stones[White] > 0 {
		return 0
	}
	return p.stones[Black]
}
