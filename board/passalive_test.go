package board

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// passAliveDiagram draws PassAlive's map: X Black's area, O White's, . neither.
func passAliveDiagram(p *Position) string {
	pa := p.PassAlive(nil)
	var sb strings.Builder
	for y := range p.Size() {
		for x := range p.Size() {
			switch pa[y*p.Size()+x] {
			case Black:
				sb.WriteByte('X')
			case White:
				sb.WriteByte('O')
			default:
				sb.WriteByte('.')
			}
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

func TestPassAlive(t *testing.T) {
	cases := []struct {
		name, diagram, want string
	}{
		{"empty board", `
			. . . . .
			. . . . .
			. . . . .
			. . . . .
			. . . . .`, `
			. . . . .
			. . . . .
			. . . . .
			. . . . .
			. . . . .`},
		{"two eyes in the corner, open outside", `
			. X . X .
			X X X X .
			. . . . .
			. . . . .
			. . . . .`, `
			X X X X .
			X X X X .
			. . . . .
			. . . . .
			. . . . .`},
		{"one eye only", `
			. X X X .
			X X . X .
			. . . . .
			. . . . .
			. . . . .`, `
			. . . . .
			. . . . .
			. . . . .
			. . . . .
			. . . . .`},
		{"a big eye is not two eyes", `
			. . X . .
			. . X . .
			X X X . .
			. . . . .
			. . . . .`, `
			. . . . .
			. . . . .
			. . . . .
			. . . . .
			. . . . .`},
		{"dead stone in an eye is Black's", `
			O . X . X
			X X X X X
			. . . . .
			. . . . .
			. . . . .`, `
			X X X X X
			X X X X X
			. . . . .
			. . . . .
			. . . . .`},
		{"two chains sharing two eyes", `
			. X X . .
			X . X . .
			X X . . .
			. . . . .
			. . . . .`, `
			X X X . .
			X X X . .
			X X . . .
			. . . . .
			. . . . .`},
		{"both sides alive, dame between", `
			. X . X . O . O
			X X X X . O O O
			. . . X . O . .
			X X X X . O O O
			. X . X . O . O
			X X X X . O O O
			. . . . . . . .
			. . . . . . . .`, `
			X X X X . O O O
			X X X X . O O O
			X X X X . O O O
			X X X X . O O O
			X X X X . O O O
			X X X X . O O O
			. . . . . . . .
			. . . . . . . .`},
		{"a capturing race: nobody has two eyes", `
			. X O . O X .
			X X O . O X X
			O O O O O X .
			X X X X X X .
			. . . . . . .
			. . . . . . .
			. . . . . . .`, `
			. . . . . . .
			. . . . . . .
			. . . . . . .
			. . . . . . .
			. . . . . . .
			. . . . . . .
			. . . . . . .`},
	}
	for _, tc := range cases {
		p, err := ParseDiagram(tc.diagram)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got, want := passAliveDiagram(p), trimDiagram(tc.want); got != want {
			t.Errorf("%s:\n%s\ngot\n%s\nwant\n%s", tc.name, p, got, want)
		}
	}
}

// TestPassAliveSurvives checks the definition on random positions: with
// the owner passing throughout, no random sequence of the opponent's legal
// moves captures a pass-alive stone, and the owner's stones stay in its
// pass-alive area after every move.
func TestPassAliveSurvives(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	found := 0
	for trial := 0; trial < 400; trial++ {
		size := 5 + rng.IntN(5)
		p, _ := NewPosition(size)
		// A random game of sensible moves until late.
		moves := size * size * (1 + rng.IntN(3)) / 2
		c := Black
		var buf []Point
		for range moves {
			buf = p.SensibleMoves(c, buf)
			if len(buf) == 0 {
				break
			}
			if err := p.Play(c, buf[rng.IntN(len(buf))]); err != nil {
				t.Fatal(err)
			}
			c = c.Opponent()
		}
		for _, owner := range []Color{Black, White} {
			pa := p.PassAlive(nil)
			var stones []Point
			for i, pt := range Points(size) {
				if pa[i] == owner && p.At(pt) == owner {
					stones = append(stones, pt)
				}
			}
			if len(stones) == 0 {
				continue
			}
			found++
			q := *p
			opp := owner.Opponent()
			var qa []Color
			for range 3 * size * size {
				legal := q.EmptyPoints()
				var cand []Point
				for _, pt := range legal {
					if q.Legal(opp, pt) {
						cand = append(cand, pt)
					}
				}
				if len(cand) == 0 {
					break
				}
				if err := q.Play(opp, cand[rng.IntN(len(cand))]); err != nil {
					t.Fatal(err)
				}
				for _, s := range stones {
					if q.At(s) != owner {
						t.Fatalf("size %d: %v's pass-alive stone %s captured\nstart\n%s\nnow\n%s", size, owner, s.GTP(size), p, &q)
					}
				}
				// The pass-alive area never shrinks under the opponent's moves.
				qa := q.PassAlive(qa)
				for i, pt := range Points(size) {
					if pa[i] == owner && q.At(pt) == owner && qa[i] != owner {
						t.Fatalf("size %d: %s left %v's pass-alive area\nstart\n%s\nnow\n%s", size, pt.GTP(size), owner, p, &q)
					}
				}
			}
		}
	}
	if found < 50 {
		t.Fatalf("only %d random positions had pass-alive stones; the test checks too little", found)
	}
}

func BenchmarkPassAlive(b *testing.B) {
	p, err := ParseDiagram(`
		. X . X . O . O . . . . . . . . . . .
		X X X X . O O O . . . . . . . . . . .
		. . . X . O . . . . . . . . . . . . .
		X X X X . O O O . . . . . . . . . . .
		. X . X . O . O . . . . X . . . . . .
		X X X X . O O O . . . . . . . . . . .
		. . . . . . . . . . . . . . . . . . .
		. . . . . . . . . . . . . . . . . . .
		. . . . . . . . . O . . . . . . . . .
		. . . . . . . . . . . . . . . . . . .
		. . . . . . . . . . . . . . . . . . .
		. . . X . . . . . . . . . . . . O . .
		. . . . . . . . . . . . . . . . . . .
		. . . . . . . . . . . . . . . . . . .
		. . . . . . . . . . . . . . . . . . .
		. . . . . . . . . . . . . . . . . . .
		. . . . . . . . . . . . . . . . . . .
		. . . . . . . . . . . . . . . . . . .
		. . . . . . . . . . . . . . . . . . .`)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var dst []Color
	for b.Loop() {
		dst = p.PassAlive(dst)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "positions/s")
}
