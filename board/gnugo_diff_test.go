package board_test

// Differential test of the rules against GNU Go 3.8 over GTP.
//
// Random legal games, biased towards captures and ko fights, are played on
// our board.Game (simple ko, as GNU Go has no superko by default) and in
// GNU Go at once. Before every move the whole set of legal moves of the side
// to move must agree (GNU Go's "all_legal"); after every move the stones
// must agree ("list_stones"). Any disagreement fails the test with a
// diagram and the moves to replay it.
//
// What GNU Go 3.8 does, checked by hand with `gnugo --mode gtp
// --chinese-rules` (--chinese-rules changes only scoring):
//   - Suicide is forbidden by default: "play" answers "? illegal move" and
//     "all_legal" does not list suicide points (e.g. with black B1 and A2 on
//     5x5, "all_legal white" omits A1, "all_legal black" includes it).
//   - The simple-ko recapture is forbidden for the side that would retake;
//     the capturing side may fill the ko point even out of turn ("play b"
//     twice), which board.Position refuses with ErrKo for either colour.
//     These games alternate colours, so that difference is not tested. A
//     pass clears the ko in both.
//   - There is no superko: a long cycle may repeat, hence board.KoSimple.
//   - "all_legal" answers one line of vertices; "list_stones" too.
// So the legal set must equal Game.LegalMoves under KoSimple exactly.
//
// GNU Go must be installed (Debian package gnugo, /usr/games/gnugo).
// Without it the test skips, except that with CI=true it fails: CI must
// run it. scripts/test installs it.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/internal/testenv"
)

// diffStats are the totals of a run of differential games.
type diffStats struct {
	games, moves, passes  int
	captures, stones      int // capturing moves, stones captured
	koCaptures, koRetakes int // single-stone ko captures; of those, retakes of a ko just taken
	koBanned              int // positions where the simple-ko recapture was forbidden
	suicideBanned         int // empty points forbidden as suicide, summed over positions
	illegalTried          int // illegal moves sent to both sides to check they refuse
	capped                int // games stopped by the move cap rather than two passes
}

func (s *diffStats) add(o diffStats) {
	s.games += o.games
	s.moves += o.moves
	s.passes += o.passes
	s.captures += o.captures
	s.stones += o.stones
	s.koCaptures += o.koCaptures
	s.koRetakes += o.koRetakes
	s.koBanned += o.koBanned
	s.suicideBanned += o.suicideBanned
	s.illegalTried += o.illegalTried
	s.capped += o.capped
}

func (s diffStats) String() string {
	return fmt.Sprintf("%d games, %d moves (%d passes, %d capped games), %d captures (%d stones), "+
		"%d ko captures (%d retakes), %d ko-banned positions, %d suicide-banned points, %d illegal moves refused",
		s.games, s.moves, s.passes, s.capped, s.captures, s.stones,
		s.koCaptures, s.koRetakes, s.koBanned, s.suicideBanned, s.illegalTried)
}

func TestGNUGoDifferential(t *testing.T) {
	path := testenv.GNUGo(t)
	runs := []struct{ size, games int }{{9, 200}, {13, 60}, {19, 30}}
	if testing.Short() || board.RaceEnabled {
		// The full set runs in the plain `go test`; under the race
		// detector (which finds nothing in this single-goroutine
		// comparison, and slows it about 5x) a sample keeps CI short.
		runs = []struct{ size, games int }{{9, 20}, {13, 4}, {19, 2}}
	}
	start := time.Now()
	var total diffStats
	for _, r := range runs {
		t.Run(fmt.Sprintf("%dx%d", r.size, r.size), func(t *testing.T) {
			s := runDiffGames(t, path, r.size, r.games)
			total.add(s)
		})
	}
	t.Logf("total: %v in %v", total, time.Since(start).Round(time.Millisecond))
}

// runDiffGames plays games random games on size x size against one GNU Go.
func runDiffGames(t *testing.T, path string, size, games int) diffStats {
	e := &gnugo{t: t}
	c, err := gtp.Start(gtp.Config{Path: path, Args: []string{"--mode", "gtp", "--chinese-rules"}})
	if err != nil {
		t.Fatal(err)
	}
	e.c = c
	defer func() {
		if err := c.Close(); err != nil {
			t.Errorf("closing GNU Go: %v", err)
		}
	}()
	if v := e.send("version"); !strings.HasPrefix(v, "3.8") {
		t.Logf("GNU Go version %q; this test was written against 3.8", v)
	}
	checkVertices(t, size)
	start := time.Now()
	var s diffStats
	for g := range games {
		seed := uint64(size)<<32 | uint64(g)
		s.add(playDiffGame(t, e, size, seed))
		if t.Failed() {
			break
		}
	}
	t.Logf("%dx%d: %v in %v", size, size, s, time.Since(start).Round(time.Millisecond))
	return s
}

// gnugo wraps a GTP client; any failure of a command fails the test.
type gnugo struct {
	t *testing.T
	c *gtp.Client
}

func (e *gnugo) send(cmd string, args ...string) string {
	e.t.Helper()
	r, err := e.try(cmd, args...)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *gnugo) try(cmd string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return e.c.Send(ctx, cmd, args...)
}

// vertex is our own GTP vertex of (x, y), x from the left and y from the
// top, independent of board.Point.GTP (which checkVertices compares).
func vertex(x, y, size int) string {
	return fmt.Sprintf("%c%d", "ABCDEFGHJKLMNOPQRSTUVWXYZ"[x], size-y)
}

// checkVertices compares board.Point.GTP and board.ParseGTP with vertex.
func checkVertices(t *testing.T, size int) {
	t.Helper()
	for y := range size {
		for x := range size {
			pt := board.PointAt(x, y)
			want := vertex(x, y, size)
			if got := pt.GTP(size); got != want {
				t.Fatalf("PointAt(%d, %d).GTP(%d) = %q; want %q", x, y, size, got, want)
			}
			if got, err := board.ParseGTP(want, size); err != nil || got != pt {
				t.Fatalf("ParseGTP(%q, %d) = %v, %v; want %v", want, size, got, err, pt)
			}
		}
	}
}

// colorName is the GTP colour argument.
func colorName(c board.Color) string {
	if c == board.Black {
		return "black"
	}
	return "white"
}

// diffGame is the state of one game under test.
type diffGame struct {
	t     *testing.T
	e     *gnugo
	size  int
	seed  uint64
	game  *board.Game
	moves []string // "b D4", ... for the failure report
}

// fail reports a disagreement with everything needed to reproduce it.
func (d *diffGame) fail(format string, args ...any) {
	d.t.Helper()
	gnuBoard, _ := d.e.try("showboard")
	d.t.Fatalf("%dx%d game seed %#x, after %d moves: %s\n"+
		"our position (X black, O white; %s to move, ko %s):\n%s\nGNU Go showboard:\n%s\nmoves: %s",
		d.size, d.size, d.seed, len(d.moves), fmt.Sprintf(format, args...),
		d.game.ToMove(), d.game.Position().Ko().GTP(d.size), d.game.Position(), gnuBoard,
		strings.Join(d.moves, ", "))
}

// playDiffGame plays one random game with the given seed, checking every
// position against GNU Go, and returns what it saw.
func playDiffGame(t *testing.T, e *gnugo, size int, seed uint64) diffStats {
	t.Helper()
	rng := rand.New(rand.NewPCG(0x7e6e6, seed))
	game, err := board.NewGame(size, 7.5, board.Rules{Name: "gnugo", Ko: board.KoSimple})
	if err != nil {
		t.Fatal(err)
	}
	d := &diffGame{t: t, e: e, size: size, seed: seed, game: game}
	e.send("boardsize", fmt.Sprint(size))
	e.send("clear_board")
	e.send("komi", "7.5")

	s := diffStats{games: 1}
	var legal []board.Point
	lastKoStone := board.Pass // the stone that made the last ko capture
	maxMoves := 4 * size * size
	for !game.Over() {
		if len(d.moves) >= maxMoves {
			s.capped++
			break
		}
		c := game.ToMove()
		pos := game.Position()
		legal = game.LegalMoves(c, legal)
		d.compareLegal(c, legal)

		// Tally what the legal set excludes, and sometimes check that both
		// sides refuse such a move.
		var illegal []board.Point
		isLegal := make(map[board.Point]bool, len(legal))
		for _, pt := range legal {
			isLegal[pt] = true
		}
		for y := range size {
			for x := range size {
				pt := board.PointAt(x, y)
				if pos.At(pt) == board.Empty && !isLegal[pt] {
					illegal = append(illegal, pt)
					if pt != pos.Ko() {
						s.suicideBanned++
					}
				}
			}
		}
		if pos.Ko() != board.Pass {
			s.koBanned++
		}
		if len(illegal) > 0 && rng.IntN(5) == 0 {
			d.tryIllegal(c, illegal[rng.IntN(len(illegal))])
			s.illegalTried++
		}

		pt := pickMove(rng, pos, c, legal)
		before := stoneCount(pos, c.Opponent())
		if err := game.Play(c, pt); err != nil {
			d.fail("Game.Play(%v, %s) of a move from LegalMoves: %v", c, pt.GTP(size), err)
		}
		d.moves = append(d.moves, fmt.Sprintf("%s %s", c, pt.GTP(size)))
		if _, err := e.try("play", colorName(c), pt.GTP(size)); err != nil {
			d.fail("GNU Go refused %s %s: %v", colorName(c), pt.GTP(size), err)
		}
		s.moves++
		if pt == board.Pass {
			s.passes++
		}
		pos = game.Position()
		d.compareStones()

		// Captures and ko, worked out here from the stones alone.
		captured := before - stoneCount(pos, c.Opponent())
		wantKo := board.Pass
		if captured > 0 {
			s.captures++
			s.stones += captured
		}
		if captured == 1 {
			if n, libs, lib := chainInfo(pos, pt); n == 1 && libs == 1 {
				wantKo = lib // the captured stone's point is pt's only liberty
				s.koCaptures++
				if lib == lastKoStone {
					s.koRetakes++
				}
				lastKoStone = pt
			}
		}
		if pos.Ko() != wantKo {
			d.fail("after %s %s, Position.Ko() = %s; want %s", c, pt.GTP(size),
				pos.Ko().GTP(size), wantKo.GTP(size))
		}
	}
	return s
}

// compareLegal checks LegalMoves against GNU Go's all_legal.
func (d *diffGame) compareLegal(c board.Color, legal []board.Point) {
	d.t.Helper()
	ours := make([]string, len(legal))
	for i, pt := range legal {
		x, y := pt.XY()
		ours[i] = vertex(x, y, d.size)
	}
	theirs := strings.Fields(strings.ToUpper(d.e.send("all_legal", colorName(c))))
	if only, missing := setDiff(ours, theirs); len(only) > 0 || len(missing) > 0 {
		d.fail("legal moves for %v disagree: only we allow %v; only GNU Go allows %v", c, only, missing)
	}
}

// compareStones checks the stones against GNU Go's list_stones.
func (d *diffGame) compareStones() {
	d.t.Helper()
	pos := d.game.Position()
	for _, c := range []board.Color{board.Black, board.White} {
		var ours []string
		for y := range d.size {
			for x := range d.size {
				if pos.At(board.PointAt(x, y)) == c {
					ours = append(ours, vertex(x, y, d.size))
				}
			}
		}
		theirs := strings.Fields(strings.ToUpper(d.e.send("list_stones", colorName(c))))
		if only, missing := setDiff(ours, theirs); len(only) > 0 || len(missing) > 0 {
			d.fail("%v stones disagree: only ours %v; only GNU Go's %v", c, only, missing)
		}
	}
}

// tryIllegal checks that GNU Go and Game.Play both refuse c at pt (occupied
// points aside, the only illegal moves are ko and suicide), and that the
// refusal changes nothing.
func (d *diffGame) tryIllegal(c board.Color, pt board.Point) {
	d.t.Helper()
	v := pt.GTP(d.size)
	_, err := d.e.try("play", colorName(c), v)
	var ee *gtp.EngineError
	if !errors.As(err, &ee) {
		d.fail("GNU Go play %s %s (not in all_legal): error %v; want a '?' reply", colorName(c), v, err)
	}
	want := board.ErrSuicide
	if pt == d.game.Position().Ko() {
		want = board.ErrKo
	}
	hash := d.game.Position().Hash()
	if err := d.game.Play(c, pt); !errors.Is(err, want) {
		d.fail("Game.Play(%v, %s) = %v; want %v", c, v, err, want)
	}
	if d.game.Position().Hash() != hash || d.game.ToMove() != c {
		d.fail("refused Game.Play(%v, %s) changed the game", c, v)
	}
}

// pickMove chooses a move for c among legal, favouring moves next to
// chains short of liberties (captures, escapes, ataris, ko retakes), and
// avoiding c's own single-point eyes so that games end: it passes when
// only eye-filling moves remain, except that it fills an eye now and then
// to let big groups die. Now and then it passes during a ko.
func pickMove(rng *rand.Rand, pos *board.Position, c board.Color, legal []board.Point) board.Point {
	if pos.Ko() != board.Pass && rng.IntN(20) == 0 {
		return board.Pass
	}
	size := pos.Size()
	var eyes []board.Point
	weights := make([]float64, len(legal))
	sum := 0.0
	for i, pt := range legal {
		x, y := pt.XY()
		eye := true
		w := 1.0
		for _, n := range neighbours(x, y, size) {
			switch pos.At(n) {
			case c:
				switch pos.Liberties(n) {
				case 1:
					w += 15
				case 2:
					w += 2
				}
			case c.Opponent():
				eye = false
				switch pos.Liberties(n) {
				case 1:
					w += 60
				case 2:
					w += 6
				}
			default:
				eye = false
			}
		}
		if eye {
			eyes = append(eyes, pt)
			continue
		}
		weights[i] = w
		sum += w
	}
	if sum == 0 {
		if len(eyes) > 0 && rng.IntN(3) == 0 {
			return eyes[rng.IntN(len(eyes))]
		}
		return board.Pass
	}
	r := rng.Float64() * sum
	for i, w := range weights {
		if r < w {
			return legal[i]
		}
		r -= w
	}
	for i := len(legal) - 1; ; i-- { // rounding: the last weighted move
		if weights[i] > 0 {
			return legal[i]
		}
	}
}

// neighbours returns the on-board orthogonal neighbours of (x, y).
func neighbours(x, y, size int) []board.Point {
	ns := make([]board.Point, 0, 4)
	for _, d := range [4][2]int{{0, -1}, {-1, 0}, {1, 0}, {0, 1}} {
		nx, ny := x+d[0], y+d[1]
		if nx >= 0 && ny >= 0 && nx < size && ny < size {
			ns = append(ns, board.PointAt(nx, ny))
		}
	}
	return ns
}

// stoneCount counts c's stones by looking at every point.
func stoneCount(pos *board.Position, c board.Color) int {
	n := 0
	for y := range pos.Size() {
		for x := range pos.Size() {
			if pos.At(board.PointAt(x, y)) == c {
				n++
			}
		}
	}
	return n
}

// chainInfo flood-fills the chain at pt: its size, its number of liberties
// and one of them.
func chainInfo(pos *board.Position, pt board.Point) (stones, libs int, lib board.Point) {
	c := pos.At(pt)
	seen := map[board.Point]bool{pt: true}
	libSet := map[board.Point]bool{}
	stack := []board.Point{pt}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		stones++
		x, y := s.XY()
		for _, n := range neighbours(x, y, pos.Size()) {
			switch {
			case pos.At(n) == board.Empty:
				libSet[n] = true
				lib = n
			case pos.At(n) == c && !seen[n]:
				seen[n] = true
				stack = append(stack, n)
			}
		}
	}
	return stones, len(libSet), lib
}

// setDiff returns the elements only in a and only in b, sorted.
func setDiff(a, b []string) (onlyA, onlyB []string) {
	inA := make(map[string]bool, len(a))
	for _, s := range a {
		inA[s] = true
	}
	inB := make(map[string]bool, len(b))
	for _, s := range b {
		inB[s] = true
		if !inA[s] {
			onlyB = append(onlyB, s)
		}
	}
	for _, s := range a {
		if !inB[s] {
			onlyA = append(onlyA, s)
		}
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	return onlyA, onlyB
}
