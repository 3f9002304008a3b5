package rollout

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// chainMoveNames are for messages.
var chainMoveNames = [...]string{"capture", "escape", "doomed", "counter", "catch", "chase", "defend"}

// counterDiagram: Black's four stones are in atari and A1 does not save
// them; capturing C1 at D1 does (used by the Stakes test too).
const counterDiagram = `
	. . . . . . .
	. . . . . . .
	. . . . . . .
	. . . . . . .
	O O O O . . .
	X X X O . . .
	. X O . O . .`

// chainEvents lists what chainMoves reports for c on p, sorted.
func chainEvents(p *board.Position, c board.Color, defends bool) []string {
	t := newTactics(p)
	var seen [maxPoint]bool
	var got []string
	t.chainMoves(c, &seen, defends, func(kind chainMove, pt board.Point, k int) {
		got = append(got, fmt.Sprintf("%s %s %d", chainMoveNames[kind], gtp(p, pt), k))
	})
	slices.Sort(got)
	return got
}

// TestChainMoves: the one walk behind Priors and Stakes reports each
// kind of chain tactic where it is, with the chain's stones (a
// counter-capture once per stone of the saved chain next to it), and
// without defends the same less the defences.
func TestChainMoves(t *testing.T) {
	for _, tc := range []struct {
		name, diagram string
		c             board.Color
		want          []string
	}{
		{"saves and a doomed escape", saveDiagram, board.Black, []string{"catch J7 1", "doomed B1 1", "escape F4 3", "escape H7 1"}},
		{"catches", catchDiagram, board.Black, []string{"catch A1 4", "catch F1 4", "catch J5 1", "catch J7 1"}},
		{"capture, counter-capture, doomed", counterDiagram, board.Black, []string{"capture D1 1", "counter D1 4", "counter D1 4", "doomed A1 4"}},
		{"capture, chase, defend", `
			. . . . . . . . .
			. . . . . . . . .
			. . X . . . . . .
			. X O X . . . . .
			. . . . . . . . .
			. . . . O X . . .
			. . . . . . O . .
			. . . . . . X O .
			. . . . . . . . .`, board.Black, []string{"capture C5 1", "defend F2 1", "defend G1 1"}},
		{"chase with the ladder broken", `
			. . . . . . . . .
			. . . . . . . O .
			. . . . . . . . .
			. . . . X . . . .
			. . . X O O . . .
			. . . . X X . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, board.Black, []string{"chase G5 2"}},
		{"catch without the breaker", `
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . X . . . .
			. . . X O O . . .
			. . . . X X . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, board.Black, []string{"catch G5 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := parse(t, tc.diagram)
			got := chainEvents(p, tc.c, true)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q\nwant %q\n%s", got, tc.want, p)
			}
			// Without defends, the same less the defences.
			want := slices.DeleteFunc(slices.Clone(tc.want), func(e string) bool { return strings.HasPrefix(e, "defend ") })
			if got := chainEvents(p, tc.c, false); !slices.Equal(got, want) {
				t.Errorf("defends off: got %q, want %q", got, want)
			}
		})
	}
}
