package rollout

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/tengen-go/tengen/board"
)

func TestRepliesLearn(t *testing.T) {
	r := NewReplies(9)
	pt := func(v string) board.Point {
		p, err := board.ParseGTP(v, 9)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	c3, d4, e5, f6, g7 := pt("C3"), pt("D4"), pt("E5"), pt("F6"), pt("G7")

	// Black to move first: B D4, W E5, B F6, W pass, B G7. Black wins.
	r.Learn(board.Black, board.Pass, c3, []board.Point{d4, e5, f6, board.Pass, g7}, 3.5)
	for _, tc := range []struct {
		c           board.Color
		prev2, prev board.Point
		want        board.Point
	}{
		{board.Black, board.Pass, c3, d4}, // Black's D4 after C3 (before it: nothing known)
		{board.Black, d4, e5, f6},         // F6 after D4, E5: LGRF-2
		{board.Black, c3, e5, f6},         // F6 after E5 from LGRF-1 when the LGRF-2 context differs
		{board.Black, f6, board.Pass, g7}, // G7 after a pass
		{board.White, c3, d4, board.Pass}, // the loser's E5 is not stored
		{board.White, board.Pass, f6, board.Pass},
	} {
		if got := r.Reply(tc.c, tc.prev2, tc.prev); got != tc.want {
			t.Errorf("Reply(%v, %s, %s) = %s; want %s", tc.c, tc.prev2.GTP(9), tc.prev.GTP(9), got.GTP(9), tc.want.GTP(9))
		}
	}

	// LGRF-2 comes before LGRF-1: White's reply to E5 is G7 after F6 and
	// C3 after D4 (learnt last, so LGRF-1 holds C3).
	r.Learn(board.White, f6, e5, []board.Point{g7}, -1)
	r.Learn(board.White, d4, e5, []board.Point{c3}, -1)
	if got := r.Reply(board.White, f6, e5); got != g7 {
		t.Errorf("LGRF-2 after F6 E5 = %s; want G7", got.GTP(9))
	}
	if got := r.Reply(board.White, g7, e5); got != c3 {
		t.Errorf("LGRF-1 after E5 = %s; want C3 (the latest)", got.GTP(9))
	}

	// Forgetting: Black plays F6 after D4, E5 again and loses; the entry
	// that holds F6 goes, an entry holding another move stays.
	r.Learn(board.White, board.Pass, d4, []board.Point{e5, f6}, 2) // Black wins: White's E5 not stored
	if got := r.Reply(board.Black, d4, e5); got != f6 {
		t.Fatalf("after a second win Reply = %s; want F6", got.GTP(9))
	}
	r.Learn(board.White, board.Pass, d4, []board.Point{e5, f6}, -2) // White wins
	if got := r.reply2(board.Black, d4, e5); got != board.Pass {
		t.Errorf("LGRF-2 entry after the loss = %s; want forgotten", got.GTP(9))
	}
	if got := r.Reply(board.White, board.Pass, d4); got != e5 {
		t.Errorf("White's reply to D4 after its win = %s; want E5", got.GTP(9))
	}
	r.Learn(board.Black, board.Pass, c3, []board.Point{g7}, -1) // Black loses with G7, not its stored D4
	if got := r.reply1(board.Black, c3); got != d4 {
		t.Errorf("Black's reply to C3 = %s; want D4 kept (the loser's move differed)", got.GTP(9))
	}

	// A jigo teaches nothing.
	r.Learn(board.Black, board.Pass, g7, []board.Point{c3}, 0)
	if got := r.Reply(board.Black, board.Pass, g7); got != board.Pass {
		t.Errorf("learnt %s from a jigo", got.GTP(9))
	}
	if r.Size() != 9 {
		t.Errorf("Size() = %d", r.Size())
	}
}

func TestNewRepliesSize(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewReplies(26) did not panic")
		}
	}()
	NewReplies(board.MaxSize + 1)
}

// A stored reply is played first when it is acceptable, and skipped when
// it is occupied, an own eye, or a big self-atari.
func TestPolicyPlaysReply(t *testing.T) {
	p := parse(t, `
		. . . . . . .
		. . . . . . .
		. . . . . . .
		. . . X . . .
		. . . . . . .
		. . . . . . .
		. . . . . . .`)
	last := vertex(t, p, "D4")
	want := vertex(t, p, "C5")
	r := NewReplies(7)
	r.Learn(board.White, board.Pass, last, []board.Point{want}, -1)
	pol := Policy{Replies: r}
	for seed := range uint64(10) {
		if got := firstMove(p, pol, board.White, last, seed); got != want {
			t.Fatalf("seed %d: first move %s; want the stored C5", seed, gtp(p, got))
		}
	}
	// Without the table, or with one for another size, C5 is one random
	// move among many.
	other := NewReplies(9)
	other.Learn(board.White, board.Pass, last, []board.Point{want}, -1)
	for _, pol := range []Policy{{}, {Replies: other}} {
		hits := 0
		for seed := range uint64(40) {
			if firstMove(p, pol, board.White, last, seed) == want {
				hits++
			}
		}
		if hits > 10 {
			t.Errorf("table %v: C5 first in %d of 40 playouts", pol.Replies != nil, hits)
		}
	}

	// Unacceptable replies fall through to the other rules.
	q := parse(t, `
		. . . . . . .
		. . . . . . .
		. . . . . . .
		O O O O O O O
		O X X X X X O
		O X . X . X O
		O X X X X X .`)
	for _, bad := range []string{
		"D4", // occupied
		"C2", // Black's own eye
	} {
		r := NewReplies(7)
		lastW := vertex(t, q, "G2")
		badPt := vertex(t, q, bad)
		r.Learn(board.Black, board.Pass, lastW, []board.Point{badPt}, 1)
		pol := Policy{Replies: r, SelfAtari: true}
		for seed := range uint64(10) {
			if got := firstMove(q, pol, board.Black, lastW, seed); got == badPt {
				t.Fatalf("played the stored %s (%s)", bad, gtp(q, got))
			}
		}
	}
}

// Playouts on many goroutines share one table (run with -race).
func TestRepliesConcurrent(t *testing.T) {
	r := NewReplies(9)
	pol := DefaultPolicy()
	pol.Replies = r
	empty, _ := board.NewPosition(9)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for range 50 {
				p := *empty
				res := pol.PlayoutAfter(&p, board.Black, board.Pass, board.Pass, 7, 0, rng, nil)
				if res.Moves == 0 {
					t.Error("empty playout")
				}
			}
		})
	}
	wg.Wait()
	learnt := 0
	for c := range 2 {
		for _, m := range r.one[c] {
			if m != 0 {
				learnt++
			}
		}
	}
	if learnt < 50 {
		t.Errorf("only %d LGRF-1 entries after 200 playouts", learnt)
	}
}
