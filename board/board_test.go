package board

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func mustDiagram(t testing.TB, s string) *Position {
	t.Helper()
	p, err := ParseDiagram(s)
	if err != nil {
		t.Fatalf("ParseDiagram: %v", err)
	}
	return p
}

func trimDiagram(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		line = strings.ReplaceAll(strings.TrimSpace(line), " ", "")
		if line != "" {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func TestPlayDiagrams(t *testing.T) {
	tests := []struct {
		name   string
		before string
		color  Color
		move   string
		after  string // "" when the move is illegal
		err    error
		caps   int
	}{
		{"capture one", `
			. X .
			X O X
			. . .`, Black, "B1", `
			. X .
			X . X
			. X .`, nil, 1},
		{"capture corner", `
			O X .
			. . .
			. . .`, Black, "A2", `
			. X .
			X . .
			. . .`, nil, 1},
		{"capture two chains", `
			. O . O .
			O X . X O
			. O . O .
			. . . . .
			. . . . .`, White, "C4", `
			. O . O .
			O . O . O
			. O . O .
			. . . . .
			. . . . .`, nil, 2},
		{"suicide single", `
			. X .
			X . X
			. X .`, White, "B2", "", ErrSuicide, 0},
		{"suicide multi-stone", `
			. X X X
			X O O X
			X O . X
			X X X X`, White, "C2", "", ErrSuicide, 0},
		{"capture not suicide", `
			. X O .
			X O . O
			. X O .
			. . . .`, Black, "C3", `
			. X O .
			X . X O
			. X O .
			. . . .`, nil, 1},
		{"occupied", `
			. X .
			. . .
			. . .`, White, "B3", "", ErrOccupied, 0},
		{"merge keeps liberties", `
			X . X
			. . .
			. . .`, Black, "B3", `
			X X X
			. . .
			. . .`, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustDiagram(t, tt.before)
			pt, err := ParseGTP(tt.move, p.Size())
			if err != nil {
				t.Fatal(err)
			}
			before := *p
			err = p.Play(tt.color, pt)
			if tt.after == "" {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Play(%v %s) = %v; want %v", tt.color, tt.move, err, tt.err)
				}
				if *p != before {
					t.Errorf("illegal move changed the position")
				}
				return
			}
			if err != nil {
				t.Fatalf("Play(%v %s) = %v", tt.color, tt.move, err)
			}
			if got, want := p.String(), trimDiagram(tt.after); got != want {
				t.Errorf("Play(%v %s):\n%s\nwant\n%s", tt.color, tt.move, got, want)
			}
			checkInvariants(t, p)
		})
	}
}

func TestSnapback(t *testing.T) {
	p := mustDiagram(t, `
		. . . . .
		. X X X .
		X O O O X
		X O . . O
		. X X O .`)
	for _, m := range []struct {
		c    Color
		v    string
		caps int
	}{{Black, "D2", 0}, {White, "C2", 1}, {Black, "D2", 5}} {
		before := p.Captures(m.c)
		if err := p.Play(m.c, mustGTP(t, m.v, 5)); err != nil {
			t.Fatalf("Play(%v %s) = %v\n%s", m.c, m.v, err, p)
		}
		checkInvariants(t, p)
		if got := p.Captures(m.c) - before; got != m.caps {
			t.Fatalf("Play(%v %s) captured %d; want %d", m.c, m.v, got, m.caps)
		}
	}
	want := trimDiagram(`
		. . . . .
		. X X X .
		X . . . X
		X . . X O
		. X X O .`)
	if got := p.String(); got != want {
		t.Fatalf("after snapback:\n%s\nwant\n%s", got, want)
	}
	if p.Ko() != Pass {
		t.Fatalf("snapback recapture set a ko point")
	}
}

func mustGTP(t testing.TB, s string, size int) Point {
	t.Helper()
	pt, err := ParseGTP(s, size)
	if err != nil {
		t.Fatal(err)
	}
	return pt
}

// checkInvariants compares the incremental structures with a recount.
func checkInvariants(t testing.TB, p *Position) {
	t.Helper()
	q := *p
	q.rebuildChains()
	var hash uint64
	var stones [3]int
	empties := 0
	for _, pt := range Points(p.size) {
		c := p.color[pt]
		if c == Empty {
			empties++
			if p.empty[p.emptyAt[pt]] != pt || int(p.emptyAt[pt]) >= p.numEmpty {
				t.Fatalf("empty set broken at %s", pt.GTP(p.size))
			}
			continue
		}
		hash ^= zobristStone[c][pt]
		stones[c]++
		if p.Liberties(pt) != int(q.libs[q.head[pt]]) {
			t.Fatalf("liberties at %s = %d; recount %d\n%s", pt.GTP(p.size), p.Liberties(pt), q.libs[q.head[pt]], p)
		}
		if p.ChainSize(pt) != int(q.count[q.head[pt]]) {
			t.Fatalf("chain size at %s = %d; recount %d", pt.GTP(p.size), p.ChainSize(pt), q.count[q.head[pt]])
		}
	}
	if empties != p.numEmpty {
		t.Fatalf("numEmpty %d; want %d", p.numEmpty, empties)
	}
	if hash != p.hash {
		t.Fatalf("hash %x; recomputed %x", p.hash, hash)
	}
	if stones != p.stones {
		t.Fatalf("stones %v; recount %v", p.stones, stones)
	}
}

func TestKo(t *testing.T) {
	p := mustDiagram(t, `
		. X O .
		X O . O
		. X O .
		. . . .`)
	if err := p.Play(Black, mustGTP(t, "C3", 4)); err != nil {
		t.Fatal(err)
	}
	if p.Ko() != mustGTP(t, "B3", 4) {
		t.Fatalf("Ko() = %v; want B3", p.Ko().GTP(4))
	}
	if err := p.Play(White, mustGTP(t, "B3", 4)); !errors.Is(err, ErrKo) {
		t.Fatalf("immediate retake = %v; want ErrKo", err)
	}
	// A ko threat elsewhere clears the ko.
	if err := p.Play(White, mustGTP(t, "A1", 4)); err != nil {
		t.Fatal(err)
	}
	if p.Ko() != Pass {
		t.Fatalf("ko not cleared")
	}
	if err := p.Play(Black, mustGTP(t, "D1", 4)); err != nil {
		t.Fatal(err)
	}
	if err := p.Play(White, mustGTP(t, "B3", 4)); err != nil {
		t.Fatalf("retake after threat: %v", err)
	}
}

func TestCoordinates(t *testing.T) {
	for _, size := range []int{2, 9, 19, 25} {
		for _, pt := range Points(size) {
			g := pt.GTP(size)
			back, err := ParseGTP(g, size)
			if err != nil || back != pt {
				t.Fatalf("ParseGTP(%q) = %v, %v; want %v", g, back, err, pt)
			}
			s := pt.SGF()
			back, err = ParseSGF(s, size)
			if err != nil || back != pt {
				t.Fatalf("ParseSGF(%q) = %v, %v; want %v", s, back, err, pt)
			}
		}
	}
	if g := PointAt(15, 3).GTP(19); g != "Q16" {
		t.Errorf("GTP = %s; want Q16", g)
	}
	if s := PointAt(15, 3).SGF(); s != "pd" {
		t.Errorf("SGF = %s; want pd", s)
	}
	for _, bad := range []string{"I5", "A0", "A20", "T1", "Z", "", "A-1", "A+1", "11"} {
		if _, err := ParseGTP(bad, 19); err == nil && bad != "T1" {
			t.Errorf("ParseGTP(%q) succeeded", bad)
		}
	}
	if _, err := ParseGTP("U1", 19); err == nil {
		t.Error("U1 on 19x19 accepted")
	}
	if pt, err := ParseSGF("tt", 19); err != nil || pt != Pass {
		t.Errorf("ParseSGF(tt, 19) = %v, %v; want pass", pt, err)
	}
	if pt, err := ParseSGF("tt", 21); err != nil || pt == Pass {
		t.Errorf("ParseSGF(tt, 21) = %v, %v; want a point", pt, err)
	}
	if _, err := ParseSGF("ss", 9); err == nil {
		t.Error("ParseSGF(ss, 9) accepted")
	}
}

// TestHashPinned pins Zobrist values: they must never change between
// versions (opening books, caches and tests depend on them).
func TestHashPinned(t *testing.T) {
	p, _ := NewPosition(19)
	if p.Hash() != 0 {
		t.Fatalf("empty hash %x", p.Hash())
	}
	for _, m := range []struct {
		c Color
		v string
	}{{Black, "Q16"}, {White, "D4"}, {Black, "Q4"}} {
		if err := p.Play(m.c, mustGTP(t, m.v, 19)); err != nil {
			t.Fatal(err)
		}
	}
	got := []uint64{zobristStone[Black][PointAt(0, 0)], zobristStone[White][PointAt(18, 18)], p.Hash()}
	want := []uint64{0x3242f60e08b4b94a, 0xa8fa2972468916eb, 0x3665c959f2262c0b}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("hash %d = %#x; want %#x", i, got[i], want[i])
		}
	}
}

// TestAgainstReference plays random games on the fast board and the
// flood-fill reference board and demands identical boards and legality.
func TestAgainstReference(t *testing.T) {
	games := 240
	if testing.Short() || raceEnabled {
		games = 24
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for g := range games {
		size := []int{2, 3, 4, 5, 7, 9, 13, 19}[g%8]
		compareRandomGame(t, rng, size, min(4*size*size, 600))
	}
}

func compareRandomGame(t *testing.T, rng *rand.Rand, size, maxMoves int) {
	t.Helper()
	p, _ := NewPosition(size)
	r := newRef(size)
	pts := Points(size)
	c := Black
	for range maxMoves {
		var legal []Point
		for i, pt := range pts {
			fast := p.Legal(c, pt)
			ref := r.try(c, i) != nil
			if fast != ref {
				t.Fatalf("%dx%d: Legal(%v %s) = %v; reference says %v\n%s", size, size, c, pt.GTP(size), fast, ref, p)
			}
			if fast {
				legal = append(legal, pt)
			}
		}
		if len(legal) == 0 || rng.IntN(50) == 0 {
			p.Play(c, Pass)
			r.play(c, -1)
		} else {
			pt := legal[rng.IntN(len(legal))]
			if err := p.Play(c, pt); err != nil {
				t.Fatal(err)
			}
			x, y := pt.XY()
			r.play(c, y*size+x)
		}
		for i, pt := range pts {
			if p.At(pt) != r.g[i] {
				t.Fatalf("%dx%d: boards differ at %s\nfast:\n%s", size, size, pt.GTP(size), p)
			}
		}
		checkInvariants(t, p)
		c = c.Opponent()
	}
}

// FuzzPlay drives the fast board and the reference with fuzzer-chosen moves.
func FuzzPlay(f *testing.F) {
	f.Add(uint8(5), []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add(uint8(3), []byte{4, 1, 3, 0, 5, 2, 7, 6, 8})
	f.Fuzz(func(t *testing.T, sz uint8, moves []byte) {
		size := int(sz)%8 + 2
		p, _ := NewPosition(size)
		r := newRef(size)
		pts := Points(size)
		c := Black
		for _, b := range moves {
			i := int(b) % (len(pts) + 1)
			if i == len(pts) {
				p.Play(c, Pass)
				r.play(c, -1)
			} else {
				fast := p.Play(c, pts[i]) == nil
				ref := r.play(c, i)
				if fast != ref {
					t.Fatalf("legal %v vs reference %v at %s\n%s", fast, ref, pts[i].GTP(size), p)
				}
				if !fast {
					continue
				}
			}
			for j, pt := range pts {
				if p.At(pt) != r.g[j] {
					t.Fatalf("boards differ at %s\n%s", pt.GTP(size), p)
				}
			}
			checkInvariants(t, p)
			c = c.Opponent()
		}
	})
}

func TestAreaScore(t *testing.T) {
	tests := []struct {
		name    string
		diagram string
		b, w    int
	}{
		{"empty", "...\n...\n...", 0, 0},
		{"one stone owns all", "...\n.X.\n...", 9, 0},
		{"split", `
			. X O .
			. X O .
			. X O .
			. X O .`, 8, 8},
		{"region reaching both colours is neutral", `
			. X O .
			X X O O
			. . . .
			X X O O`, 6, 6},
		{"dame", `
			X . O
			X . O
			X . O`, 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustDiagram(t, tt.diagram)
			b, w := p.AreaScore()
			if b != tt.b || w != tt.w {
				t.Errorf("AreaScore() = %d, %d; want %d, %d\n%s", b, w, tt.b, tt.w, p)
			}
		})
	}
}

func TestPlayoutEndsAndScores(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, size := range []int{5, 9, 19} {
		for range 50 {
			p, _ := NewPosition(size)
			res := p.Playout(Black, rng, 7.5, 0)
			checkInvariants(t, p)
			b, w := p.AreaScore()
			if res.Score != float64(b-w)-7.5 {
				t.Fatalf("score %v; area %d-%d", res.Score, b, w)
			}
			if res.Moves >= 3*size*size {
				t.Fatalf("%dx%d playout hit the move cap (%d moves)\n%s", size, size, res.Moves, p)
			}
			// At the end every empty point is a one-point eye of one
			// side or unplayable for both.
			for _, pt := range p.EmptyPoints() {
				for _, c := range []Color{Black, White} {
					if p.Legal(c, pt) && !p.IsEye(c, pt) {
						t.Fatalf("playout ended with a playable move %v %s\n%s", c, pt.GTP(size), p)
					}
				}
			}
		}
	}
}

func TestPlayoutDeterministic(t *testing.T) {
	run := func() string {
		p, _ := NewPosition(9)
		p.Playout(Black, rand.New(rand.NewPCG(3, 4)), 7, 0)
		return p.String()
	}
	if a, b := run(), run(); a != b {
		t.Fatalf("same seed, different playouts:\n%s\n%s", a, b)
	}
}

func TestPlace(t *testing.T) {
	p, _ := NewPosition(5)
	if err := p.Place(Black, []Point{PointAt(0, 0), PointAt(1, 0)}); err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, p)
	if p.Liberties(PointAt(0, 0)) != 3 {
		t.Fatalf("libs %d", p.Liberties(PointAt(0, 0)))
	}
	if err := p.Place(White, []Point{PointAt(0, 1), PointAt(1, 1), PointAt(2, 0)}); !errors.Is(err, ErrNoLiberties) {
		t.Fatalf("Place surrounding = %v; want ErrNoLiberties", err)
	}
	if err := p.Place(Empty, []Point{PointAt(0, 0)}); err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, p)
	if p.Stones(Black) != 1 {
		t.Fatalf("stones %d", p.Stones(Black))
	}
}

// TestMoveInfoAgainstPlay checks MoveInfo against actually playing.
func TestMoveInfoAgainstPlay(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for game := range 40 {
		size := []int{5, 9, 19}[game%3]
		p, _ := NewPosition(size)
		c := Black
		for range 3 * size * size {
			for _, pt := range p.EmptyPoints() {
				if !p.Legal(c, pt) {
					continue
				}
				info := p.MoveInfo(c, pt)
				q := *p
				q.Play(c, pt)
				want := MoveInfo{Liberties: q.Liberties(pt), Captured: q.Captures(c) - p.Captures(c), ChainSize: q.ChainSize(pt)}
				if info != want {
					t.Fatalf("MoveInfo(%v %s) = %+v; want %+v\n%s", c, pt.GTP(size), info, want, p)
				}
			}
			pt := p.randomMove(c, (*fastRand)(&[]uint64{rng.Uint64() | 1}[0]))
			p.play(c, pt)
			c = c.Opponent()
		}
	}
}

func TestHashAfter(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for game := range 30 {
		size := []int{5, 9, 19}[game%3]
		p, _ := NewPosition(size)
		c := Black
		for range 2 * size * size {
			for _, pt := range p.EmptyPoints() {
				if p.Legal(c, pt) {
					q := *p
					q.Play(c, pt)
					if got := p.HashAfter(c, pt); got != q.Hash() {
						t.Fatalf("HashAfter(%v %s) = %x; want %x", c, pt.GTP(size), got, q.Hash())
					}
				}
			}
			r := fastRand(rng.Uint64() | 1)
			p.play(c, p.randomMove(c, &r))
			c = c.Opponent()
		}
	}
}

// TestKoOutOfTurn: the capturer may fill the ko point when it plays twice
// in a row (GTP out-of-turn play, SGF); only its opponent is barred. GNU Go
// 3.8 agrees.
func TestKoOutOfTurn(t *testing.T) {
	p, _ := NewPosition(5)
	for i, v := range []string{"C4", "D4", "B3", "E3", "C2", "D2", "A1", "C3", "D3"} {
		c := Black
		if i%2 == 1 {
			c = White
		}
		if err := p.Play(c, mustGTP(t, v, 5)); err != nil {
			t.Fatal(err)
		}
	}
	c3 := mustGTP(t, "C3", 5)
	if p.Ko() != c3 || p.KoColor() != White {
		t.Fatalf("Ko() = %s for %v; want C3 for W", p.Ko().GTP(5), p.KoColor())
	}
	if p.Legal(White, c3) {
		t.Error("White may retake at once")
	}
	if !p.Legal(Black, c3) {
		t.Error("Black may not fill its own ko point")
	}
}
