package dataset

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/sgf"
)

func gtps(size int, pts []board.Point) string {
	var s []string
	for _, pt := range pts {
		s = append(s, pt.GTP(size))
	}
	slices.Sort(s)
	return strings.Join(s, " ")
}

// TestCount counts hand-made finished positions with heavy and with light
// playouts: territory with a dame, dead stones of both colours, and a
// seki (whose chains stay and whose shared liberties belong to no one).
func TestCount(t *testing.T) {
	for _, tc := range []struct {
		name, diagram string
		toMove        board.Color
		komi          float64
		dead          string  // GTP vertices, sorted
		score         float64 // Black - White - komi
	}{
		{"territory and a dame", `
			. . X O . . .
			. . X O . . .
			. . X O . . .
			. . X . O . .
			. . X O . . .
			. . X O . . .
			. . X O . . .`, board.Black, 0.5, "", 21 - 27 - 0.5},
		{"dead stones", `
			. . X O . . .
			. O X O . X .
			. . X O . . .
			X X X O . . .
			. . X O O O O
			. . X O . . .
			. O X O . . .`, board.White, 7, "B1 B6 F6", 21 - 28 - 7},
		{"seki", `
			. X O . X O .
			. X O . X O .
			. X O O X O .
			X X X X O O O
			. X . . X O .
			. X . . X O .
			. X . . X O .`, board.Black, 0, "", 28 - 19},
	} {
		for _, light := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/light=%v", tc.name, light), func(t *testing.T) {
				p, err := board.ParseDiagram(tc.diagram)
				if err != nil {
					t.Fatal(err)
				}
				f := Count(p, tc.toMove, tc.komi, FinalConfig{Light: light})
				if got := gtps(7, f.Dead); got != tc.dead {
					t.Errorf("dead stones %q; want %q\n%s", got, tc.dead, p)
				}
				if f.Score != tc.score {
					t.Errorf("score %v; want %v\nowners:\n%s", f.Score, tc.score, f)
				}
				// Every live stone is its colour's; the seki liberties are
				// no one's; the dame of the first case too.
				for i, pt := range board.Points(7) {
					want := map[board.Color]int8{board.Black: 1, board.White: -1}[p.At(pt)]
					if p.At(pt) != board.Empty && slices.Contains(f.Dead, pt) {
						want = -want
					}
					if p.At(pt) != board.Empty && f.Owner[i] != want {
						t.Errorf("owner of the stone at %s: %d; want %d", pt.GTP(7), f.Owner[i], want)
					}
				}
				for _, v := range map[string][]string{"seki": {"D7", "D6"}, "territory and a dame": {"D4"}}[tc.name] {
					pt, _ := board.ParseGTP(v, 7)
					x, y := pt.XY()
					if o := f.Owner[y*7+x]; o != 0 {
						t.Errorf("owner of %s: %d; want 0 (neither)", v, o)
					}
				}
			})
		}
	}
}

// TestForMover: the targets follow the mover and the symmetry.
func TestForMover(t *testing.T) {
	// Black owns the top-left point, White the bottom-right.
	f := Final{Size: 3, Owner: []int8{1, 0, 0, 0, 0, 0, 0, 0, -1}, Score: 2}
	own, score := f.ForMover(board.White, nets.Symmetry(1)) // mirror x
	if score != -2 {
		t.Errorf("score for White %v; want -2", score)
	}
	if want := []int8{0, 0, -1, 0, 0, 0, 1, 0, 0}; !slices.Equal(own, want) {
		t.Errorf("ownership for White, mirrored: %v; want %v", own, want)
	}
	own, score = f.ForMover(board.Black, 0)
	if score != 2 || !slices.Equal(own, f.Owner) {
		t.Errorf("for Black: %v, %v; want %v, 2", own, score, f.Owner)
	}
}

func writeGames(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A 5x5 game played to the end: Black owns the left three columns, White
// the right two.
const countedMoves = ";B[cc];W[dc];B[cb];W[db];B[ca];W[da];B[cd];W[dd];B[ce];W[de]"

// A 7x7 final position set up with many more black stones than white:
// Black's wall of three columns with the left column as territory,
// White's wall and three stones on the right with 11 empty points.
const moreStones = "AB[ba][bb][bc][bd][be][bf][bg][ca][cb][cc][cd][ce][cf][cg][da][db][dc][dd][de][df][dg]" +
	"AW[ea][eb][ec][ed][ee][ef][eg][fb][fd][ff]"

// recordGame reads the one game of an SGF text as Games would give it.
func recordGame(t *testing.T, id, text string) Game {
	t.Helper()
	col, err := sgf.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	root := col.Games[0]
	info, err := sgf.ReadInfo(root, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	return Game{ID: id, Root: root, Info: info}
}

// TestGameFinal: resignation and time are masked, two passes or a scored
// result count, a count that contradicts the record is refused; under
// territory scoring the count is compared after taking off the stones
// each side put on the board.
func TestGameFinal(t *testing.T) {
	for _, tc := range []struct {
		name, sgf string
		err       error
		score     float64
	}{
		{"resignation", "(;SZ[5]KM[0.5]RE[B+R]" + countedMoves + ")", ErrNotCounted, 0},
		{"time", "(;SZ[5]KM[0.5]RE[W+T]" + countedMoves + ";B[];W[])", ErrNotCounted, 0},
		{"forfeit", "(;SZ[5]KM[0.5]RE[B+F]" + countedMoves + ";B[];W[])", ErrNotCounted, 0},
		{"no result, no passes", "(;SZ[5]KM[0.5]" + countedMoves + ")", ErrNotCounted, 0},
		{"two passes, no result", "(;SZ[5]KM[0.5]" + countedMoves + ";B[];W[])", nil, 15 - 10 - 0.5},
		{"scored result without passes", "(;SZ[5]KM[0.5]RE[B+4.5]" + countedMoves + ")", nil, 4.5},
		{"draw", "(;SZ[5]KM[5]RE[0]" + countedMoves + ";B[];W[])", nil, 0},
		{"result clash", "(;SZ[5]KM[0.5]RE[W+2.5]" + countedMoves + ";B[];W[])", ErrResultClash, 4.5},
		// Black 21 stones and 7 points of territory, White 10 stones and
		// 11 points: B+6.5 by area, W+4.5 by territory.
		{"territory scoring", "(;SZ[7]KM[0.5]RU[Japanese]RE[W+4.5]" + moreStones + ")", nil, 6.5},
		{"territory scoring, no RU", "(;SZ[7]KM[0.5]RE[W+4.5]" + moreStones + ")", nil, 6.5},
		{"territory scoring, area's winner", "(;SZ[7]KM[0.5]RU[Japanese]RE[B+6.5]" + moreStones + ")", ErrResultClash, 6.5},
		{"area scoring", "(;SZ[7]KM[0.5]RU[Chinese]RE[W+4.5]" + moreStones + ")", ErrResultClash, 6.5},
		{"area scoring, area's winner", "(;SZ[7]KM[0.5]RU[Chinese]RE[B+6.5]" + moreStones + ")", nil, 6.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := GameFinal(recordGame(t, tc.name, tc.sgf), FinalConfig{})
			if !errors.Is(err, tc.err) {
				t.Fatalf("GameFinal = %v; want %v", err, tc.err)
			}
			if (err == nil || errors.Is(err, ErrResultClash)) && f.Score != tc.score {
				t.Errorf("score %v; want %v\n%s", f.Score, tc.score, f)
			}
		})
	}
}

// TestGameFinalResigned: with FinalConfig.Resigned a resigned game gets
// the playouts' estimate of its end when it names the winner; time and
// forfeit stay masked.
func TestGameFinalResigned(t *testing.T) {
	// Black owns the left three columns of the 5x5 board, White the right
	// two; White's stone at A5, in atari, is dead; the game stopped before
	// the end.
	const moves = countedMoves + ";B[ba];W[aa]"
	for _, tc := range []struct {
		name, sgf string
		err       error
	}{
		{"resigned, loser agrees", "(;SZ[5]KM[0.5]RE[B+R]" + moves + ")", nil},
		{"resigned, estimate names the other side", "(;SZ[5]KM[0.5]RE[W+R]" + moves + ")", ErrResultClash},
		{"time", "(;SZ[5]KM[0.5]RE[B+T]" + moves + ")", ErrNotCounted},
		{"forfeit", "(;SZ[5]KM[0.5]RE[B+F]" + moves + ")", ErrNotCounted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := recordGame(t, tc.name, tc.sgf)
			if _, err := GameFinal(g, FinalConfig{}); !errors.Is(err, ErrNotCounted) {
				t.Fatalf("without Resigned: %v; want ErrNotCounted", err)
			}
			f, err := GameFinal(g, FinalConfig{Resigned: true})
			if !errors.Is(err, tc.err) {
				t.Fatalf("GameFinal = %v; want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if f.Score != 15-10-0.5 || gtps(5, f.Dead) != "A5" {
				t.Errorf("score %v, dead %q; want 4.5, A5\n%s", f.Score, gtps(5, f.Dead), f)
			}
			for i, pt := range board.Points(5) {
				x, _ := pt.XY()
				if want := map[bool]int8{true: 1, false: -1}[x < 3]; f.Owner[i] != want {
					t.Errorf("owner of %s = %d; want %d", pt.GTP(5), f.Owner[i], want)
				}
			}
		})
	}
}

// TestExamplesFinal: examples of a counted game carry ownership and score
// targets in their frame and from their mover's view; those of a resigned
// game carry none; the cache gives the same targets.
func TestExamplesFinal(t *testing.T) {
	dir := writeGames(t, map[string]string{
		"counted.sgf":  "(;SZ[5]KM[0.5]RE[B+4.5]" + countedMoves + ";B[];W[])",
		"resigned.sgf": "(;SZ[5]KM[0.5]RE[B+R]" + countedMoves + ")",
	})
	cache := &FinalCache{}
	for pass := range 2 {
		var got []Example
		st, err := Examples(context.Background(), ExampleConfig{Paths: []string{dir}, Final: true, Cache: cache, Symmetries: true, Seed: 3},
			func(_ int, ex *Example) error { got = append(got, *ex); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if st.Counted != 1 || st.Clashes != 0 {
			t.Errorf("pass %d: counted %d, clashes %d; want 1, 0", pass, st.Counted, st.Clashes)
		}
		in := make([]float32, nets.NumPlanesV1*25)
		for _, ex := range got {
			counted := strings.Contains(ex.GameID, "counted")
			if counted != (ex.Ownership != nil) || counted != ex.HasScore {
				t.Fatalf("pass %d: %s move %d: ownership %v, score %v", pass, ex.GameID, ex.MoveNum, ex.Ownership, ex.HasScore)
			}
			if !counted {
				continue
			}
			// The final owner of the mover's own stones in the input is
			// +1, of the opponent's -1; the score follows the mover.
			ex.Input.Unpack(in)
			for i := range 25 {
				if in[nets.PlaneOwn*25+i] == 1 && ex.Ownership[i] != 1 || in[nets.PlaneOpp*25+i] == 1 && ex.Ownership[i] != -1 {
					t.Fatalf("move %d: point %d: own %v opp %v, ownership %d", ex.MoveNum, i, in[nets.PlaneOwn*25+i], in[nets.PlaneOpp*25+i], ex.Ownership[i])
				}
			}
			black := in[nets.PlaneBlackToMove*25] == 1
			if want := map[bool]float32{true: 4.5, false: -4.5}[black]; ex.Score != want {
				t.Errorf("move %d: score %v; want %v", ex.MoveNum, ex.Score, want)
			}
		}
	}
}

// TestExamplesFeatures: the v2 features encode 31 planes.
func TestExamplesFeatures(t *testing.T) {
	dir := writeGames(t, map[string]string{"g.sgf": "(;SZ[5]KM[0.5]RE[B+4.5]" + countedMoves + ")"})
	n := 0
	_, err := Examples(context.Background(), ExampleConfig{Paths: []string{dir}, Features: nets.FeaturesV2}, func(_ int, ex *Example) error {
		n++
		if ex.Input.Planes != nets.NumPlanesV2 {
			t.Fatalf("%d planes; want %d", ex.Input.Planes, nets.NumPlanesV2)
		}
		return nil
	})
	if err != nil || n != 10 {
		t.Fatalf("%d examples, %v", n, err)
	}
	if _, err := Examples(context.Background(), ExampleConfig{Paths: []string{dir}, Features: "v9"}, func(int, *Example) error { return nil }); err == nil {
		t.Error("unknown feature set accepted")
	}
}
