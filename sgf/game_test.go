package sgf

import (
	"errors"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
)

func replayOne(t *testing.T, src string) *Game {
	t.Helper()
	c, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse(%q) = %v", src, err)
	}
	return c.Replay()[0]
}

func TestReplay(t *testing.T) {
	// koShape: Black takes a ko at cb; White's immediate retake at bb is
	// a simple-ko violation.
	const koShape = "AB[ba][ab][bc]AW[ca][bb][db][cc]"
	// cycle: on 2x2 Black's seventh move recaptures three stones and
	// repeats the position after move 1: legal under simple ko only.
	const cycle = ";B[aa];W[ba];B[ab];W[bb];B[aa];W[ab];B[aa]"
	tests := []struct {
		name    string
		src     string
		moves   int
		err     error  // errors.Is target, nil for success
		msg     string // substring of the error
		diagram string // the final position, rows top to bottom ("" = don't check)
		toMove  board.Color
	}{
		{"plain", "(;SZ[3];B[bb];W[ab])", 2, nil, "", "...\nOX.\n...", board.Black},
		{"passes empty and tt", "(;SZ[3];B[];W[tt];B[aa])", 3, nil, "", "X..\n...\n...", board.White},
		{"tt is a point above 19", "(;SZ[20];B[tt])", 1, nil, "", "", board.White},
		{"capture", "(;SZ[3]AB[ab]AW[aa]PL[W];W[cc];B[ba])", 2, nil, "", ".X.\nX..\n..O", board.White},
		{"compressed setup", "(;SZ[5]AB[aa:bc]AW[ee])", 0, nil, "", "XX...\nXX...\nXX...\n.....\n....O", board.Black},
		{"setup later, AE, PL", "(;SZ[3];B[aa];AE[aa]AW[cc]PL[W];W[bb])", 2, nil, "", "...\n.O.\n..O", board.Black},
		{"same colour twice", "(;SZ[3];W[aa];W[bb])", 2, nil, "", "O..\n.O.\n...", board.Black},
		{"handicap without AB", "(;SZ[9]HA[2])", 0, nil, "", "", board.White},
		{"handicap with AB", "(;SZ[9]HA[2]AB[cg][gc];W[ee])", 1, nil, "", "", board.Black},
		{"occupied", "(;SZ[9];B[ee];W[ee])", 1, board.ErrOccupied, "game 1 move 2", "", 0},
		{"off board", "(;SZ[9];B[aa];W[jj])", 1, ErrBadMove, "game 1 move 2: W[jj]", "", 0},
		{"garbage move", "(;SZ[9];B[a])", 0, ErrBadMove, "game 1 move 1", "", 0},
		{"both colours", "(;SZ[9];B[aa]W[bb])", 0, ErrBadMove, "both B and W", "", 0},
		{"suicide", "(;SZ[3]AB[ba][ab];W[aa])", 0, board.ErrSuicide, "move 1", "", 0},
		{"simple ko", "(;SZ[9]" + koShape + ";B[cb];W[bb])", 1, board.ErrKo, "move 2", "", 0},
		{"cycle japanese", "(;SZ[2]RU[Japanese]" + cycle + ")", 7, nil, "", "X.\n..", board.White},
		{"cycle no RU", "(;SZ[2]" + cycle + ")", 7, nil, "", "", board.White},
		{"cycle chinese", "(;SZ[2]RU[Chinese]" + cycle + ")", 6, board.ErrSuperko, "move 7", "", 0},
		{"cycle AGA", "(;SZ[2]RU[AGA]" + cycle + ")", 6, board.ErrSuperko, "move 7", "", 0},
		{"rectangular", "(;SZ[19:13];B[aa])", 0, ErrUnsupported, "rectangular", "", 0},
		{"square with colon", "(;SZ[9:9];B[aa])", 1, nil, "", "", board.White},
		{"too small", "(;SZ[1])", 0, ErrUnsupported, "board size 1", "", 0},
		{"too large", "(;SZ[26])", 0, ErrUnsupported, "board size 26", "", 0},
		{"not go", "(;GM[2]SZ[8])", 0, ErrUnsupported, "not Go", "", 0},
		{"setup chain without liberties", "(;SZ[2]AB[aa]AW[ab][ba][bb])", 0, board.ErrNoLiberties, "AW", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := replayOne(t, tt.src)
			if g.Moves != tt.moves {
				t.Errorf("Moves = %d; want %d", g.Moves, tt.moves)
			}
			if tt.err != nil {
				if !errors.Is(g.Err, tt.err) || !strings.Contains(g.Err.Error(), tt.msg) {
					t.Fatalf("Err = %v; want %v containing %q", g.Err, tt.err, tt.msg)
				}
				return
			}
			if g.Err != nil {
				t.Fatalf("Err = %v", g.Err)
			}
			if tt.diagram != "" {
				if got := strings.TrimSpace(g.Board.Position().String()); got != tt.diagram {
					t.Errorf("position:\n%s\nwant:\n%s", got, tt.diagram)
				}
			}
			if got := g.Board.ToMove(); got != tt.toMove {
				t.Errorf("ToMove = %v; want %v", got, tt.toMove)
			}
		})
	}
}

func TestKomi(t *testing.T) {
	tests := []struct {
		km, ru  string
		want    float64
		warning string
	}{
		{"6.5", "", 6.5, ""},
		{"-20.00", "", -20, ""},
		{"0.50", "", 0.5, ""},
		{"5.", "", 5, "trailing dot"},
		{"6,5", "", 6.5, "malformed"},
		{"abc", "", 0, "malformed"},
		{"", "", 0, ""},
		{"650", "Japanese", 6.5, "hundredfold"},
		{"375", "Chinese", 7.5, "hundredfold"},
		{"750", "Chinese", 7.5, "hundredfold"},
		{"100", "Chinese]AP[tengen:0.1.0", 100, ""}, // our own record: exact
		{"100", "Chinese]AP[Fox", 1, "hundredfold"},
	}
	for _, tt := range tests {
		g := replayOne(t, "(;SZ[9]KM["+tt.km+"]RU["+tt.ru+"])")
		w := strings.Join(g.Warnings, "\n")
		if g.Err != nil || g.Info.Komi != tt.want || g.Board.Komi() != tt.want ||
			!strings.Contains(w, tt.warning) || (tt.warning == "") != (w == "") {
			t.Errorf("KM[%s] RU[%s]: komi %v, warnings %q, err %v; want %v, %q", tt.km, tt.ru, g.Info.Komi, w, g.Err, tt.want, tt.warning)
		}
	}
}

func TestRulesFor(t *testing.T) {
	tests := []struct {
		ru    string
		ko    board.KoRule
		known bool
	}{
		{"", board.KoSimple, true},
		{"Japanese", board.KoSimple, true},
		{"korean", board.KoSimple, true},
		{"Chinese", board.KoPositional, true},
		{"chinese", board.KoPositional, true},
		{"Tromp-Taylor", board.KoPositional, true},
		{"AGA", board.KoSituational, true},
		{"NZ", board.KoSituational, true},
		{"New Zealand", board.KoSituational, true},
		{"Whatever", board.KoSimple, false},
	}
	for _, tt := range tests {
		r, known := RulesFor(tt.ru)
		if r.Ko != tt.ko || known != tt.known {
			t.Errorf("RulesFor(%q) = %v, %v; want %v, %v", tt.ru, r.Ko, known, tt.ko, tt.known)
		}
	}
}

func TestResultKind(t *testing.T) {
	tests := map[string]string{
		"": "none", "B+R": "B+R", "W+Resign": "W+R", "B+12.50": "B+score", "W+0.5": "W+score",
		"W+Time": "W+T", "B+T": "B+T", "W+Forfeit": "W+F", "Void": "Void", "?": "?", "0": "Draw",
		"Draw": "Draw", "draw": "Draw", "B": "B+", "W+": "W+", "W+J": "W+other", "B+AW": "B+other",
		"B+0.0": "B+score", "257手完, 黒中押し勝ち": "other",
	}
	for re, want := range tests {
		if got := ResultKind(re); got != want {
			t.Errorf("ResultKind(%q) = %q; want %q", re, got, want)
		}
	}
}
