// Package gamegen writes small random but legal game records for tests.
package gamegen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/tengen-go/tengen/board"
)

// results cycles through the result kinds: decided (resignation, score)
// and undecided (time, none).
var results = []string{"B+R", "W+3.5", "W+T", "W+R", "B+12.5", ""}

// SGF returns one game of size with moves random legal moves, seeded by
// seed, with ranks and the given result ("" for none). Most moves are
// next to the previous move (so a network can learn something), some
// anywhere, a few passes.
func SGF(size, moves int, seed uint64, result string) (string, error) {
	rng := rand.New(rand.NewPCG(seed, 1))
	g, err := board.NewGame(size, 7, board.DefaultRules())
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "(;FF[4]GM[1]SZ[%d]KM[7]BR[7d]WR[6d]", size)
	if result != "" {
		fmt.Fprintf(&b, "RE[%s]", result)
	}
	var legal []board.Point
	c := board.Black
	last := board.Pass
	for i := 0; i < moves; i++ {
		legal = g.LegalMoves(c, legal[:0])
		pt := board.Pass
		if len(legal) > 0 && rng.IntN(30) != 0 {
			pt = legal[rng.IntN(len(legal))]
			if near := nearby(legal, last); len(near) > 0 && rng.IntN(5) != 0 {
				pt = near[rng.IntN(len(near))]
			}
		}
		last = pt
		if err := g.Play(c, pt); err != nil {
			return "", err
		}
		coord := ""
		if pt != board.Pass {
			coord = pt.SGF()
		}
		fmt.Fprintf(&b, ";%s[%s]", map[board.Color]string{board.Black: "B", board.White: "W"}[c], coord)
		c = c.Opponent()
	}
	b.WriteString(")\n")
	return b.String(), nil
}

// Write writes n games of size into dir as g000.sgf, g001.sgf, ..., each
// with 30 to 59 moves, and returns dir.
func Write(dir string, n, size int, seed uint64) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for i := range n {
		s, err := SGF(size, 30+int((seed+uint64(i))*7919%30), seed*1000+uint64(i), results[i%len(results)])
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("g%03d.sgf", i)), []byte(s), 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// nearby returns the points of legal within one step (diagonals included)
// of last.
func nearby(legal []board.Point, last board.Point) []board.Point {
	if last == board.Pass {
		return nil
	}
	lx, ly := last.XY()
	var out []board.Point
	for _, p := range legal {
		x, y := p.XY()
		if abs(x-lx) <= 1 && abs(y-ly) <= 1 {
			out = append(out, p)
		}
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
