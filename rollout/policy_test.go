package rollout

import (
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/board"
)

func TestPolicyName(t *testing.T) {
	if got := DefaultPolicy().Name(); got != "heavy" {
		t.Errorf("DefaultPolicy().Name() = %q", got)
	}
	if got := LightPolicy().Name(); got != "light" {
		t.Errorf("LightPolicy().Name() = %q", got)
	}
	p := DefaultPolicy()
	p.Patterns = 0
	if got := p.Name(); got != "heavy" {
		t.Errorf("ablated Name() = %q", got)
	}
	if err := DefaultPolicy().Validate(); err != nil {
		t.Error(err)
	}
	p.TwoLib = 1.5
	if err := p.Validate(); err == nil {
		t.Error("Validate accepted TwoLib 1.5")
	}
}

// replay plays moves on a copy of start and checks each is legal and the
// end is the same position.
func replay(t testing.TB, start, end *board.Position, moves []board.Move) {
	t.Helper()
	q := *start
	for i, m := range moves {
		if err := q.Play(m.Color, m.Point); err != nil {
			t.Fatalf("move %d: Play(%s, %s) = %v\n%s", i, m.Color, gtp(&q, m.Point), err, &q)
		}
	}
	if q.Hash() != end.Hash() || q.String() != end.String() {
		t.Fatalf("replayed position differs:\n%s\nwant\n%s", &q, end)
	}
}

func checkPlayout(t testing.TB, start *board.Position, pol Policy, toMove board.Color, last board.Point, komi float64, maxMoves int, rng *rand.Rand) {
	t.Helper()
	p := *start
	var moves []board.Move
	res := pol.Playout(&p, toMove, last, komi, maxMoves, rng, &moves)
	if res.Moves != len(moves) {
		t.Fatalf("Moves %d; %d recorded", res.Moves, len(moves))
	}
	limit := maxMoves
	if limit <= 0 {
		limit = 3 * p.Size() * p.Size()
	}
	if res.Moves > limit {
		t.Fatalf("%d moves > limit %d", res.Moves, limit)
	}
	n := len(moves)
	if n < limit && (n < 2 || moves[n-1].Point != board.Pass || moves[n-2].Point != board.Pass) {
		t.Fatalf("playout stopped after %d moves without two passes", n)
	}
	c := toMove
	for i, m := range moves {
		if m.Color != c {
			t.Fatalf("move %d by %s; want %s", i, m.Color, c)
		}
		c = c.Opponent()
	}
	b, w := p.AreaScore()
	if want := float64(b-w) - komi; res.Score != want {
		t.Fatalf("Score %v; AreaScore says %v\n%s", res.Score, want, &p)
	}
	replay(t, start, &p, moves)
}

func TestPlayoutEndsAndScores(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range []int{2, 3, 5, 9, 13, 19, 25} {
		empty, _ := board.NewPosition(size)
		lgrf := DefaultPolicy()
		lgrf.Replies = NewReplies(size)
		for _, pol := range []Policy{LightPolicy(), DefaultPolicy(), lgrf} {
			for i := range 6 {
				maxMoves := 0
				if i == 5 {
					maxMoves = size * size / 2 // cut short: open regions to score
				}
				checkPlayout(t, empty, pol, board.Color(1+i%2), board.Pass, 6.5, maxMoves, rng)
			}
		}
	}
}

func TestPlayoutDeterministic(t *testing.T) {
	empty, _ := board.NewPosition(9)
	for _, pol := range []Policy{LightPolicy(), DefaultPolicy()} {
		run := func() (Result, []board.Move) {
			p := *empty
			var moves []board.Move
			res := pol.Playout(&p, board.Black, board.Pass, 7.5, 0, rand.New(rand.NewPCG(42, 43)), &moves)
			return res, moves
		}
		r1, m1 := run()
		r2, m2 := run()
		if r1 != r2 || len(m1) != len(m2) {
			t.Fatalf("%s: %+v then %+v", pol.Name(), r1, r2)
		}
		for i := range m1 {
			if m1[i] != m2[i] {
				t.Fatalf("%s: move %d differs", pol.Name(), i)
			}
		}
	}
}

func TestPlayoutAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, size := range []int{9, 19} {
		empty, _ := board.NewPosition(size)
		rng := rand.New(rand.NewPCG(1, 2))
		moves := make([]board.Move, 0, 4*size*size)
		lgrf := DefaultPolicy()
		lgrf.Replies = NewReplies(size)
		for _, pol := range []Policy{LightPolicy(), DefaultPolicy(), lgrf} {
			allocs := testing.AllocsPerRun(20, func() {
				p := *empty
				moves = moves[:0]
				pol.Playout(&p, board.Black, board.Pass, 7.5, 0, rng, &moves)
			})
			if allocs != 0 {
				t.Errorf("%s %dx%d: %v allocations per playout", pol.Name(), size, size, allocs)
			}
		}
		priors := make([]float32, size*size+1)
		p := *empty
		DefaultPolicy().Playout(&p, board.Black, board.Pass, 7.5, size*size, rng, nil)
		if allocs := testing.AllocsPerRun(20, func() { Priors(&p, board.Black, board.Pass, priors) }); allocs != 0 {
			t.Errorf("Priors %dx%d: %v allocations", size, size, allocs)
		}
	}
}

func TestCapture(t *testing.T) {
	// White's D4-D3 pair is in atari after White's D3: Black captures at
	// D5... the pair's liberty.
	p := parse(t, `
		. . . . . . .
		. . . . . . .
		. . X . X . .
		. . X O X . .
		. . X O X . .
		. . . X . . .
		. . . . . . .`)
	last := vertex(t, p, "D3")
	pol := Policy{Capture: 1}
	for seed := range uint64(5) {
		if got := firstMove(p, pol, board.Black, last, seed); gtp(p, got) != "D5" {
			t.Fatalf("first move %s; want D5\n%s", gtp(p, got), p)
		}
	}
	// Two chains in atari next to White's last move E5: E5 itself
	// (liberty E4) and the three stones F6-H6 (liberty J6). The bigger is
	// taken more often.
	p = parse(t, `
		. . . . . . . . .
		. . . . . . . . .
		. . . . . X X X .
		. . . . X O O O .
		. . . X O X X X .
		. . . . . . . . .
		. . . . . . . . .
		. . . . . . . . .
		. . . . . . . . .`)
	last = vertex(t, p, "E5")
	big, small := 0, 0
	for seed := range uint64(200) {
		switch got := gtp(p, firstMove(p, pol, board.Black, last, seed)); got {
		case "J6":
			big++
		case "E4":
			small++
		default:
			t.Fatalf("seed %d: %s, no capture\n%s", seed, got, p)
		}
	}
	if big <= small || small == 0 {
		t.Fatalf("big capture %d times, small %d", big, small)
	}
}

func TestSelfAtariAvoided(t *testing.T) {
	// Black's five stones have two liberties, B2 and F2, neither an eye:
	// filling either puts six stones in atari.
	p := parse(t, `
		. . . . . . .
		. . . . . . .
		. . . . . . .
		O O O O O O O
		O X X X X X O
		O . O O O . O
		O O O O O O O`)
	bad := map[string]bool{"B2": true, "F2": true}
	pol := Policy{SelfAtari: true}
	light := 0
	for seed := range uint64(300) {
		if got := gtp(p, firstMove(p, pol, board.Black, board.Pass, seed)); bad[got] {
			t.Fatalf("seed %d: self-atari %s", seed, got)
		}
		if bad[gtp(p, firstMove(p, LightPolicy(), board.Black, board.Pass, seed))] {
			light++
		}
	}
	if light == 0 {
		t.Fatalf("light playouts never self-atari here: the test shows nothing")
	}
}

func TestTwoLib(t *testing.T) {
	// White's last move D4 has two liberties, D5 and E4: after either
	// atari White extends to three liberties. No catch in the open
	// (catchMove, which the playouts try before the two-liberty rule).
	open := parse(t, `
		. . . . . . .
		. . . . . . .
		. . . . . . .
		. . X O . . .
		. . . X . . .
		. . . . . . .
		. . . . . . .`)
	s := newRunner(open, DefaultPolicy(), 1)
	last := vertex(t, open, "D4")
	s.look(last)
	if got := s.catchMove(board.Black, last); got != board.Pass {
		t.Fatalf("catchMove = %s in the open; want pass\n%s", gtp(open, got), open)
	}
	// Against the edge: White D1 (last) has liberties C1 and E1; after
	// Black's atari at either, the extension has one liberty: caught.
	edge := parse(t, `
		. . . . . . .
		. . . . . . .
		. . . . . . .
		. . . . . . .
		. . . . . . .
		. . X X X . .
		. . . O . . .`)
	last = vertex(t, edge, "D1")
	s = newRunner(edge, DefaultPolicy(), 1)
	s.look(last)
	got := gtp(edge, s.catchMove(board.Black, last))
	if got != "C1" && got != "E1" {
		t.Fatalf("catchMove = %s; want C1 or E1\n%s", got, edge)
	}
	// Defence: White's C4 left Black's D4 two liberties; Black extends
	// to get more (White's C4 has three: no atari).
	def := parse(t, `
		. . . . . . .
		. . . . . . .
		. . . O . . .
		. . O X . . .
		. . . . . . .
		. . . . . . .
		. . . . . . .`)
	last = vertex(t, def, "C4")
	s = newRunner(def, DefaultPolicy(), 1)
	s.look(last)
	if got := gtp(def, s.twoLibMove(board.Black, last)); got != "D3" && got != "E4" {
		t.Fatalf("twoLibMove = %s; want D3 or E4\n%s", got, def)
	}
	// Never into an own eye: Black's D7 leaves White's C7 two liberties,
	// B7 and C6, both eyes of White's group. Connecting at either gives
	// C7 more liberties and kills the group (one eye left). Playouts
	// did this in a 19x19 game (docs/strength.md, "Own eyes filled"):
	// killing a living group of 14 stones in 94% of them, they made a
	// game lost by 38 points look won at 88%.
	eyes := parse(t, `
		O . O X . . .
		O O . O X . .
		. O O O X . .
		. . X X X . .
		. . . . . . .
		. . . . . . .
		. . . . . . .`)
	last = vertex(t, eyes, "D7")
	for seed := range uint64(20) {
		s = newRunner(eyes, DefaultPolicy(), seed)
		s.look(last)
		if got := s.twoLibMove(board.White, last); got != board.Pass {
			t.Fatalf("twoLibMove = %s, an own eye; want pass\n%s", gtp(eyes, got), eyes)
		}
	}
}

// A position decided by one point: White's eight stones on row 5 and
// Black's seven on row 4 share their last liberty, H4. Black to move wins
// by taking it (by 19.5); if White gets there first White wins (by 12.5).
// The territories are one-line strips where no invader lives, so the
// capture decides. Heavy playouts see it; light ones toss a coin.
func TestHeavyEstimatesBetter(t *testing.T) {
	p := parse(t, `
		. . . . . . . . .
		X X X X X X X X X
		. . . . . . . . .
		X X X X X X X X X
		O O O O O O O O X
		X X X X X X X . X
		O O O O O O O O O
		. . . . . . . . .
		O O O O O O O O O`)
	last := vertex(t, p, "A3")
	const n = 300
	winRate := func(pol Policy) float64 {
		rng := rand.New(rand.NewPCG(9, 10))
		wins := 0
		for range n {
			q := *p
			if pol.Playout(&q, board.Black, last, 7.5, 0, rng, nil).Score > 0 {
				wins++
			}
		}
		return float64(wins) / n
	}
	heavy, light := winRate(DefaultPolicy()), winRate(LightPolicy())
	t.Logf("black wins: heavy %.2f, light %.2f", heavy, light)
	if heavy < 0.9 || heavy < light+0.3 {
		t.Fatalf("black wins: heavy %.2f, light %.2f; want heavy >= 0.9 and 0.3 above light", heavy, light)
	}
}

func FuzzPlayout(f *testing.F) {
	f.Add(uint64(1), uint8(9), uint8(0), uint16(0), []byte{})
	f.Add(uint64(2), uint8(5), uint8(1), uint16(10), []byte{3, 7, 11})
	f.Add(uint64(3), uint8(19), uint8(2), uint16(200), []byte{0, 1, 2, 3, 4, 5})
	f.Fuzz(func(t *testing.T, seed uint64, size, policy uint8, maxMoves uint16, setup []byte) {
		n := board.MinSize + int(size)%(board.MaxSize-board.MinSize+1)
		p, _ := board.NewPosition(n)
		pts := board.Points(n)
		// Setup moves: legal moves picked by the bytes.
		c := board.Black
		for _, b := range setup {
			pt := pts[int(b)%len(pts)]
			if p.Play(c, pt) == nil {
				c = c.Opponent()
			}
		}
		pol := DefaultPolicy()
		switch policy % 4 {
		case 1:
			pol = LightPolicy()
		case 2:
			pol.Ladders = false
			pol.SelfAtari = false
		case 3:
			pol = Policy{Escape: 1, Capture: 1, Nakade: 1, TwoLib: 1, Patterns: 1, SelfAtari: true, Ladders: true}
		}
		last := board.Pass
		if len(setup) > 0 {
			last = pts[int(setup[len(setup)-1])%len(pts)]
		}
		checkPlayout(t, p, pol, c, last, 0.5, int(maxMoves%2000), rand.New(rand.NewPCG(seed, 0)))
	})
}

// With no last move the local rules are skipped, but a chain in atari
// anywhere is still captured.
func TestGlobalCapture(t *testing.T) {
	p := parse(t, `
		. . . . . . . . .
		. X O X . . . . .
		. . X . . . . . .
		. . . . . . . . .
		. . . . . . . . .
		. . . . . . . . .
		. . . . . . . . .
		. . . . . . . . .
		. . . . . . . . .`)
	for seed := range uint64(5) {
		if got := gtp(p, firstMove(p, Policy{Capture: 1}, board.Black, board.Pass, seed)); got != "C9" {
			t.Fatalf("first move %s; want C9\n%s", got, p)
		}
	}
}
