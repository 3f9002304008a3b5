package board

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// TestSuperkoAgainstHistory plays random games on small boards (where
// cycles are common) and checks every move's legality against a naive
// list of earlier boards: positional superko forbids recreating any earlier
// board, situational superko any earlier board with the same side to move,
// simple ko only the immediate recapture.
func TestSuperkoAgainstHistory(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	found := map[KoRule]int{}
	for game := range 300 {
		rule := []KoRule{KoSimple, KoPositional, KoSituational}[game%3]
		size := 2 + game%3
		g, _ := NewGame(size, 0, Rules{Ko: rule})
		type state struct {
			board  string
			toMove Color
		}
		history := []state{{g.Position().String(), Black}}
		for range 60 {
			c := g.ToMove()
			var legal []Point
			for _, pt := range Points(size) {
				simple := g.Position().Legal(c, pt)
				want := simple
				if simple && rule != KoSimple {
					q := *g.Position()
					q.Play(c, pt)
					for _, h := range history {
						if h.board == q.String() && (rule == KoPositional || h.toMove == c.Opponent()) {
							want = false
							found[rule]++
						}
					}
				}
				if got := g.Legal(c, pt); got != want {
					t.Fatalf("%v: Legal(%v %s) = %v; want %v\n%s", rule, c, pt.GTP(size), got, want, g.Position())
				}
				if want {
					legal = append(legal, pt)
				}
			}
			pt := Pass
			if len(legal) > 0 && rng.IntN(8) != 0 {
				pt = legal[rng.IntN(len(legal))]
			}
			if err := g.Play(c, pt); err != nil {
				t.Fatal(err)
			}
			history = append(history, state{g.Position().String(), g.ToMove()})
		}
	}
	if found[KoPositional] == 0 || found[KoSituational] == 0 {
		t.Fatalf("no superko situation arose: %v", found)
	}
	t.Logf("superko-forbidden moves seen: %v", found)
}

// TestPositionalVersusSituational pins a 2x2 sequence after which the two
// superko rules disagree: Black B1 recreates the board after move 2 (black
// B1, white B2), which then had Black to move and now would have White to
// move. Positional superko forbids it, situational allows it, and simple ko
// (no immediate recapture involved) allows it too.
func TestPositionalVersusSituational(t *testing.T) {
	want := map[KoRule]bool{KoPositional: false, KoSituational: true, KoSimple: true}
	for rule, legal := range want {
		g, _ := NewGame(2, 0, Rules{Ko: rule})
		mustPlay(t, g, Black, "B1")
		mustPlay(t, g, White, "B2")
		mustPlay(t, g, Black, "A2") // captures B2
		mustPlay(t, g, White, "pass")
		mustPlay(t, g, Black, "A1")
		mustPlay(t, g, White, "B2") // captures three
		pt := mustGTP(t, "B1", 2)
		if got := g.Legal(Black, pt); got != legal {
			t.Errorf("%v: Legal(B B1) = %v; want %v\n%s", rule, got, legal, g.Position())
		}
		err := g.Play(Black, pt)
		if legal != (err == nil) || (!legal && !errors.Is(err, ErrSuperko)) {
			t.Errorf("%v: Play(B B1) = %v", rule, err)
		}
		// Passes are always legal, whatever the history.
		if !g.Legal(g.ToMove(), Pass) {
			t.Errorf("%v: pass illegal", rule)
		}
	}
}

func mustPlay(t *testing.T, g *Game, c Color, v string) {
	t.Helper()
	pt, err := ParseGTP(v, g.Size())
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Play(c, pt); err != nil {
		t.Fatalf("Play(%v %s) = %v\n%s", c, v, err, g.Position())
	}
}

func TestUndoRestoresEverything(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range []int{5, 9, 19} {
		g, _ := NewGame(size, 7.5, DefaultRules())
		var snaps []Position
		var toMove []Color
		var buf []Point
		for range 300 {
			snaps = append(snaps, *g.Position())
			toMove = append(toMove, g.ToMove())
			buf = g.LegalMoves(g.ToMove(), buf)
			pt := Pass
			if len(buf) > 0 {
				pt = buf[rng.IntN(len(buf))]
			}
			if err := g.Play(g.ToMove(), pt); err != nil {
				t.Fatal(err)
			}
		}
		// Undo all the way back and compare.
		for i := len(snaps) - 1; i >= 0; i-- {
			if err := g.Undo(); err != nil {
				t.Fatal(err)
			}
			if *g.Position() != snaps[i] || g.ToMove() != toMove[i] {
				t.Fatalf("%dx%d: undo to move %d does not restore the position", size, size, i)
			}
		}
		if err := g.Undo(); !errors.Is(err, ErrNoHistory) {
			t.Fatalf("Undo at start = %v; want ErrNoHistory", err)
		}
		if len(g.seen) != 1 {
			t.Fatalf("superko history not unwound: %d keys", len(g.seen))
		}
	}
}

func TestFixedHandicap(t *testing.T) {
	want := map[int]string{
		2: "D4 Q16",
		3: "D4 Q16 D16",
		4: "D4 Q16 D16 Q4",
		5: "D4 Q16 D16 Q4 K10",
		6: "D4 Q16 D16 Q4 D10 Q10",
		7: "D4 Q16 D16 Q4 D10 Q10 K10",
		8: "D4 Q16 D16 Q4 D10 Q10 K4 K16",
		9: "D4 Q16 D16 Q4 D10 Q10 K4 K16 K10",
	}
	for n, w := range want {
		g, _ := NewGame(19, 0.5, DefaultRules())
		pts, err := g.FixedHandicap(n)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for i, p := range pts {
			if i > 0 {
				got += " "
			}
			got += p.GTP(19)
		}
		if got != w {
			t.Errorf("FixedHandicap(%d) = %s; want %s", n, got, w)
		}
		if g.ToMove() != White || g.Handicap() != n {
			t.Errorf("after handicap: to move %v, handicap %d", g.ToMove(), g.Handicap())
		}
	}
	if pts, _ := FixedHandicapPoints(9, 2); pts[0].GTP(9) != "C3" || pts[1].GTP(9) != "G7" {
		t.Errorf("9x9 handicap 2 = %v %v", pts[0].GTP(9), pts[1].GTP(9))
	}
	for _, bad := range []struct{ size, n int }{{19, 1}, {19, 10}, {10, 5}, {6, 2}, {7, 5}} {
		if _, err := FixedHandicapPoints(bad.size, bad.n); !errors.Is(err, ErrHandicap) {
			t.Errorf("FixedHandicapPoints(%d, %d) = %v; want ErrHandicap", bad.size, bad.n, err)
		}
	}
}

func TestScoreKomi(t *testing.T) {
	g, _ := NewGame(5, -3, DefaultRules())
	mustPlay(t, g, Black, "C3")
	if s := g.Score(); s != 28 {
		t.Fatalf("Score() = %v; want 25+3", s)
	}
	g.SetKomi(0)
	mustPlay(t, g, White, "A1")
	if s := g.Score(); s != 0 {
		t.Fatalf("Score() = %v; want 0 (all neutral: 1 - 1)", s)
	}
}

func TestRulesByName(t *testing.T) {
	for name, ko := range map[string]KoRule{"Chinese": KoPositional, "tromp-taylor": KoPositional, "AGA": KoSituational, "NZ": KoSituational, "Japanese": KoSimple, "korean": KoSimple} {
		r, err := RulesByName(name)
		if err != nil || r.Ko != ko {
			t.Errorf("RulesByName(%q) = %v, %v; want %v", name, r, err, ko)
		}
	}
	if _, err := RulesByName("ing-ish"); err == nil {
		t.Error("unknown ruleset accepted")
	}
}

func TestSetupUndo(t *testing.T) {
	g, _ := NewGame(9, 0, DefaultRules())
	if err := g.Setup(Black, []Point{PointAt(2, 2), PointAt(6, 6)}); err != nil {
		t.Fatal(err)
	}
	if g.Handicap() != 2 {
		t.Fatalf("Handicap() = %d", g.Handicap())
	}
	mustPlay(t, g, White, "E5")
	if err := g.Setup(Empty, []Point{PointAt(4, 4)}); err != nil {
		t.Fatal(err)
	}
	if g.Position().At(PointAt(4, 4)) != Empty {
		t.Fatal("AE did not clear")
	}
	g.Undo()
	if g.Position().At(PointAt(4, 4)) != White {
		t.Fatal("undo of AE did not restore")
	}
	if len(g.Moves()) != 1 || g.MoveNumber() != 1 {
		t.Fatalf("Moves %v", g.Moves())
	}
}

// TestSixMoveCycle pins a 5x5 superko cycle found by random play: the last
// six moves (captures among them) recreate the position of six moves
// before. Simple ko allows the cycle; both superko rules forbid its closing
// move (the same side is to move in both positions).
func TestSixMoveCycle(t *testing.T) {
	moves := []string{"A1", "D2", "E1", "B4", "A5", "C1", "D5", "E5", "D4", "A3", "D3", "C5", "E4", "C4", "E2", "B3",
		"A2", "B2", "A4", "B5", "E3", "A5", "C2", "D1", "B1", "C1", "A1", "D1", "A2", "D2"}
	for _, rule := range []KoRule{KoSimple, KoPositional, KoSituational} {
		g, _ := NewGame(5, 0, Rules{Ko: rule})
		for i, v := range moves {
			c := Black
			if i%2 == 1 {
				c = White
			}
			err := g.Play(c, mustGTP(t, v, 5))
			last := i == len(moves)-1
			switch {
			case last && rule != KoSimple:
				if !errors.Is(err, ErrSuperko) {
					t.Fatalf("%v: closing move %s = %v; want ErrSuperko", rule, v, err)
				}
			case err != nil:
				t.Fatalf("%v: move %d %v %s: %v\n%s", rule, i+1, c, v, err, g.Position())
			}
		}
	}
}
