package sgf

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tengen-go/tengen/board"
)

// Errors of game records.
var (
	// ErrUnsupported marks a record tengen cannot replay: a rectangular
	// board, a size outside board.MinSize..board.MaxSize, a game other
	// than Go.
	ErrUnsupported = errors.New("unsupported")
	// ErrBadMove marks a malformed move or setup value.
	ErrBadMove = errors.New("bad move")
)

// Info is what a game's root node says about the game.
type Info struct {
	Size     int         // SZ; 19 when absent
	Komi     float64     // KM in points; 0 when absent
	Handicap int         // HA; 0 when absent or malformed
	Rules    board.Rules // from RU (see RulesFor)
	RU       string      // RU as written
	Result   string      // RE as written ("" when absent)
	PB, PW   string      // player names
	BR, WR   string      // ranks
	Date     string      // DT
}

// Game is the main line of one game record replayed on a board.Game.
type Game struct {
	Root  *Node
	Index int // 1-based position of the game in its collection
	Info  Info
	// Board is the game after the last main-line move; when Err is set,
	// after the last move that could be replayed (nil if the root
	// itself was unusable).
	Board *board.Game
	// Moves counts the main-line moves replayed, passes included.
	Moves int
	// Warnings lists oddities that did not stop the replay.
	Warnings []string
	// Err is why the replay stopped: it wraps ErrUnsupported, ErrBadMove
	// or a board error (board.ErrOccupied, board.ErrKo, ...). Its text
	// names the game and move number.
	Err error

	before func(*board.Game, board.Move) error // ReplayFunc's hook
}

func (g *Game) warnf(format string, args ...any) {
	if len(g.Warnings) < maxWarnings {
		g.Warnings = append(g.Warnings, fmt.Sprintf(format, args...))
	}
}

// ReadInfo reads the root properties of a game. Oddities that it can
// work around (malformed KM or HA, unknown RU, Fox-style KM) go to
// warn; a board it cannot represent is an error wrapping ErrUnsupported.
func ReadInfo(root *Node, warn func(format string, args ...any)) (Info, error) {
	info := Info{Size: 19}
	if gm, ok := root.Get("GM"); ok && strings.TrimSpace(gm) != "" && strings.TrimSpace(gm) != "1" {
		return info, fmt.Errorf("%w: GM[%s] is not Go", ErrUnsupported, gm)
	}
	if sz, ok := root.Get("SZ"); ok {
		size, err := parseSize(sz)
		if err != nil {
			return info, err
		}
		info.Size = size
	}
	info.RU, _ = root.Get("RU")
	var known bool
	info.Rules, known = RulesFor(info.RU)
	if !known {
		warn("unknown ruleset RU[%s]; using simple ko", info.RU)
	}
	if km, ok := root.Get("KM"); ok {
		ap, _ := root.Get("AP")
		info.Komi = parseKomi(km, info.Rules, strings.HasPrefix(ap, "tengen"), warn)
	}
	if ha, ok := root.Get("HA"); ok && strings.TrimSpace(ha) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(ha))
		if err != nil || n < 0 {
			warn("malformed HA[%s] ignored", ha)
		} else {
			info.Handicap = n
		}
	}
	info.Result, _ = root.Get("RE")
	info.PB, _ = root.Get("PB")
	info.PW, _ = root.Get("PW")
	info.BR, _ = root.Get("BR")
	info.WR, _ = root.Get("WR")
	info.Date, _ = root.Get("DT")
	return info, nil
}

func parseSize(sz string) (int, error) {
	s := strings.TrimSpace(sz)
	w, h, rect := strings.Cut(s, ":")
	cols, err1 := strconv.Atoi(strings.TrimSpace(w))
	rows := cols
	var err2 error
	if rect {
		rows, err2 = strconv.Atoi(strings.TrimSpace(h))
	}
	switch {
	case err1 != nil || err2 != nil:
		return 0, fmt.Errorf("%w: malformed board size SZ[%s]", ErrUnsupported, sz)
	case cols != rows:
		return 0, fmt.Errorf("%w: rectangular board SZ[%s] (%d columns x %d rows)", ErrUnsupported, sz, cols, rows)
	case cols < board.MinSize || cols > board.MaxSize:
		return 0, fmt.Errorf("%w: board size %d (supported %d..%d)", ErrUnsupported, cols, board.MinSize, board.MaxSize)
	}
	return cols, nil
}

// RulesFor maps an RU value to the ko rule that decides legality:
// Chinese, Tromp-Taylor (and Ing, GOE) use positional superko; AGA, NZ
// and BGA situational superko; Japanese, Korean and a missing RU simple
// ko. known is false for any other value, which gets simple ko too.
func RulesFor(ru string) (r board.Rules, known bool) {
	n := strings.ToLower(strings.TrimSpace(ru))
	switch {
	case n == "" || strings.HasPrefix(n, "jap") || n == "jp" || strings.HasPrefix(n, "kor") || n == "kr":
		return board.Rules{Name: "japanese", Ko: board.KoSimple}, true
	case strings.HasPrefix(n, "chin") || n == "cn" || strings.HasPrefix(n, "tromp") || n == "tt" ||
		n == "ing" || n == "goe":
		return board.Rules{Name: "chinese", Ko: board.KoPositional}, true
	case n == "aga" || strings.HasPrefix(n, "aga ") || n == "nz" || strings.HasPrefix(n, "new zealand") || n == "bga":
		return board.Rules{Name: "aga", Ko: board.KoSituational}, true
	}
	return board.Rules{Name: "japanese", Ko: board.KoSimple}, false
}

// parseKomi reads KM leniently: "5." and "6,5" are read as numbers, a
// value that is not a number counts as 0, and a Fox-style hundredfold
// value (|KM| >= 100: KM[650] = 6.5, KM[375] = 3.75 Chinese "zi" = 7.5
// points) is scaled down unless exact is set (our own records: a GTP
// controller may set komi 100). Each such repair is reported to warn.
func parseKomi(km string, rules board.Rules, exact bool, warn func(string, ...any)) float64 {
	s := strings.TrimSpace(km)
	if s == "" {
		return 0
	}
	k, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(k) || math.IsInf(k, 0) {
		t := strings.TrimSuffix(strings.ReplaceAll(s, ",", "."), ".")
		k, err = strconv.ParseFloat(t, 64)
		if err != nil || math.IsNaN(k) || math.IsInf(k, 0) {
			warn("malformed KM[%s]; komi 0", km)
			return 0
		}
		warn("malformed KM[%s] read as %g", km, k)
	} else if strings.HasSuffix(s, ".") {
		warn("KM[%s] has a trailing dot; read as %g", km, k)
	}
	if math.Abs(k) >= 100 && k == math.Trunc(k) && !exact {
		scaled := k / 100
		if rules.Ko == board.KoPositional && math.Mod(math.Abs(scaled)*4, 2) == 1 {
			scaled *= 2 // Chinese komi in stones ("zi"): 3.75 zi = 7.5 points
		}
		warn("KM[%s] looks hundredfold (Fox); komi %g", km, scaled)
		k = scaled
	}
	return k
}

// Replay replays the main line of the game rooted at root on a new
// board.Game: setup (AB, AW, AE, in any main-line node, with compressed
// point lists), PL, moves with full legality checks under the record's
// ruleset (see RulesFor), komi from KM. A handicap HA[n] with no setup
// stones before the first move gets the fixed handicap points, with a
// warning. Passes are B[] and, on boards up to 19x19, B[tt].
//
// Replay always returns a Game; an unreplayable record has Err set, with
// a message "game %d move %d: ..." (Walk adds the file name) that wraps
// the cause. A move on an occupied point is an error, never an overwrite.
func Replay(root *Node) *Game {
	g := &Game{Root: root, Index: 1}
	g.replay()
	return g
}

// ReplayFunc replays like Replay and calls before with the game as it
// stands before each main-line move and the move about to be played (the
// game must not be changed). An error from before stops the replay and is
// returned in Game.Err as it is.
func ReplayFunc(root *Node, index int, before func(bg *board.Game, m board.Move) error) *Game {
	g := &Game{Root: root, Index: index, before: before}
	g.replay()
	return g
}

// Replay replays every game of c (see the function Replay); errors
// name each game by its 1-based index in c.
func (c *Collection) Replay() []*Game {
	games := make([]*Game, len(c.Games))
	for i, root := range c.Games {
		g := &Game{Root: root, Index: i + 1}
		g.replay()
		games[i] = g
	}
	return games
}

func (g *Game) replay() {
	info, err := ReadInfo(g.Root, g.warnf)
	g.Info = info
	if err != nil {
		g.Err = fmt.Errorf("game %d: %w", g.Index, err)
		return
	}
	bg, err := board.NewGame(info.Size, info.Komi, info.Rules)
	if err != nil {
		g.Err = fmt.Errorf("game %d: %w", g.Index, err)
		return
	}
	g.Board = bg
	line := g.Root.MainLine()
	setupBeforeMove := false
	for _, n := range line {
		if n.Has("B") || n.Has("W") {
			break
		}
		if n.Has("AB") || n.Has("AW") {
			setupBeforeMove = true
			break
		}
	}
	if info.Handicap >= 2 && !setupBeforeMove {
		if _, err := bg.FixedHandicap(info.Handicap); err != nil {
			g.warnf("HA[%d] without setup stones, and no fixed placement: %v", info.Handicap, err)
		} else {
			g.warnf("HA[%d] without setup stones: fixed handicap placed", info.Handicap)
		}
	}
	for _, n := range line {
		if err := g.node(n); err != nil {
			g.Err = err
			return
		}
	}
}

// node applies one main-line node: setup, then PL, then the move.
func (g *Game) node(n *Node) error {
	bg := g.Board
	size := bg.Size()
	setup := false
	for _, s := range [...]struct {
		id string
		c  board.Color
	}{{"AE", board.Empty}, {"AB", board.Black}, {"AW", board.White}} {
		vals := n.Values(s.id)
		if vals == nil {
			continue
		}
		pts := make([]board.Point, 0, len(vals))
		for _, v := range ExpandPoints(vals) {
			pt, err := board.ParseSGF(v, size)
			if err != nil || pt == board.Pass {
				if v == "" || (v == "tt" && size <= 19) {
					continue // "no point": some writers emit AB[] or AB[tt]
				}
				return fmt.Errorf("game %d move %d: %s[%s]: %w", g.Index, g.Moves, s.id, v, ErrBadMove)
			}
			pts = append(pts, pt)
		}
		if err := bg.Setup(s.c, pts); err != nil {
			return fmt.Errorf("game %d move %d: %s: %w", g.Index, g.Moves, s.id, err)
		}
		setup = true
	}
	if pl, ok := n.Get("PL"); ok {
		c, err := board.ParseColor(strings.TrimSpace(pl))
		if err != nil || c == board.Empty {
			g.warnf("move %d: bad PL[%s] ignored", g.Moves, pl)
		} else {
			bg.SetToMove(c)
		}
	} else if setup && g.Moves == 0 && bg.Position().Stones(board.White) == 0 && bg.Position().Stones(board.Black) > 0 {
		bg.SetToMove(board.White) // handicap stones: White moves first
	}
	b, hasB := n.Get("B")
	w, hasW := n.Get("W")
	if hasB && hasW {
		return fmt.Errorf("game %d move %d: node has both B and W: %w", g.Index, g.Moves+1, ErrBadMove)
	}
	if !hasB && !hasW {
		return nil
	}
	c, v := board.Black, b
	if hasW {
		c, v = board.White, w
	}
	v = strings.TrimSpace(v)
	pt, err := board.ParseSGF(v, size)
	if err != nil {
		return fmt.Errorf("game %d move %d: %s[%s]: %w: %w", g.Index, g.Moves+1, c, v, ErrBadMove, err)
	}
	if g.before != nil && bg.Legal(c, pt) {
		if err := g.before(bg, board.Move{Color: c, Point: pt}); err != nil {
			return err
		}
	}
	if err := bg.Play(c, pt); err != nil {
		return fmt.Errorf("game %d move %d: %w", g.Index, g.Moves+1, err)
	}
	g.Moves++
	return nil
}

// ResultKind classifies an RE value for statistics: "B+R", "W+R",
// "B+T", "W+T", "B+F", "W+F", "B+score", "W+score", "B+" / "W+" (winner
// without margin: "B", "W+"), "B+other" / "W+other", "Draw", "Void", "?"
// (unknown), "none" (absent or empty) and "other".
func ResultKind(re string) string {
	s := strings.ToUpper(strings.TrimSpace(re))
	switch s {
	case "":
		return "none"
	case "0", "DRAW", "JIGO", "B+0", "W+0":
		return "Draw"
	case "VOID":
		return "Void"
	case "?", "UNKNOWN":
		return "?"
	case "B", "W":
		return s + "+"
	}
	who, how, ok := strings.Cut(s, "+")
	who, how = strings.TrimSpace(who), strings.TrimSpace(how)
	if !ok || (who != "B" && who != "W") {
		if strings.HasPrefix(s, "DRAW") {
			return "Draw"
		}
		if strings.HasPrefix(s, "VOID") {
			return "Void"
		}
		return "other"
	}
	switch how {
	case "":
		return who + "+"
	case "R", "RESIGN":
		return who + "+R"
	case "T", "TIME":
		return who + "+T"
	case "F", "FORFEIT":
		return who + "+F"
	}
	if _, err := strconv.ParseFloat(how, 64); err == nil {
		return who + "+score"
	}
	return who + "+other"
}
