package rollout

import (
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/board"
)

func parse(t testing.TB, diagram string) *board.Position {
	t.Helper()
	p, err := board.ParseDiagram(diagram)
	if err != nil {
		t.Fatalf("ParseDiagram: %v\n%s", err, diagram)
	}
	return p
}

func vertex(t testing.TB, p *board.Position, v string) board.Point {
	t.Helper()
	if v == "" {
		return board.Pass
	}
	pt, err := board.ParseGTP(v, p.Size())
	if err != nil {
		t.Fatal(err)
	}
	return pt
}

func gtp(p *board.Position, pt board.Point) string { return pt.GTP(p.Size()) }

// newRunner returns the state of a playout on p, as Playout sets it up.
func newRunner(p *board.Position, pol Policy, seed uint64) *runner {
	s := new(runner)
	s.pos, s.size, s.on = p, p.Size(), &onBoard[p.Size()]
	s.init(pol, rand.New(rand.NewPCG(seed, 1)))
	return s
}

func newTactics(p *board.Position) *tactics {
	t := new(tactics)
	t.pos, t.size, t.on = p, p.Size(), &onBoard[p.Size()]
	return t
}

// firstMove returns the first move pol plays on a copy of p.
func firstMove(p *board.Position, pol Policy, toMove board.Color, last board.Point, seed uint64) board.Point {
	q := *p
	var moves []board.Move
	pol.Playout(&q, toMove, last, 0, 1, rand.New(rand.NewPCG(seed, 2)), &moves)
	return moves[0].Point
}
