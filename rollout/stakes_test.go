package rollout

import (
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// catchDiagram: Black's ataris at A1 or F1 catch four White stones,
// at J5 or J7 one (used by the Priors and Stakes tests).
const catchDiagram = `
	. . . . . . . . .
	. . . . . . . . .
	. . . . . . . X .
	. . . . . . . X O
	. . . . . . . X .
	. . . . . . . . .
	. . . . . . . . .
	X X X X X X . . .
	. O O O O . . . .`

// saveDiagram: Black saves three stones at F4 and one at H7; B1 is a
// doomed escape.
const saveDiagram = `
	. . . . . . . O .
	. . . . . . O X O
	. . . . . . . . .
	. . . O O O . . .
	. . O X X X O . .
	. . . O O . . . .
	. O . . . . . . .
	O X O . . . X . .
	. . . . . . . . .`

func stakeAt(t *testing.T, p *board.Position, stakes []int16, v string) int16 {
	t.Helper()
	x, y := vertex(t, p, v).XY()
	return stakes[y*p.Size()+x]
}

// TestStakes: captures, saves and catches count their stones, a laddered
// escape is Doomed unless it also does something else, and everything
// else is 0.
func TestStakes(t *testing.T) {
	for _, tc := range []struct {
		name, diagram string
		c             board.Color
		want          map[string]int16
	}{
		{"laddered escape", strings.Replace(ladderDiagram, "%s", ".", 1), board.White,
			map[string]int16{"F5": Doomed, "B2": 0, "D4": 0}},
		{"escape with the ladder broken", strings.Replace(ladderDiagram, "%s", "O", 1), board.White,
			map[string]int16{"F5": 1}},
		{"capture of the laddered stone", strings.Replace(ladderDiagram, "%s", ".", 1), board.Black,
			map[string]int16{"F5": 1, "B2": 0}},
		{"catching four stones and one", catchDiagram, board.Black,
			map[string]int16{"A1": 4, "F1": 4, "J7": 1, "J5": 1, "G5": 0}},
		{"saving three stones and one; a doomed one", saveDiagram, board.Black,
			map[string]int16{"F4": 3, "H7": 1, "B1": Doomed, "G3": 0}},
		{"capturing next to a chain in atari saves it", counterDiagram, board.Black,
			map[string]int16{"D1": 4, "A1": Doomed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := parse(t, tc.diagram)
			stakes := make([]int16, p.Size()*p.Size())
			for i := range stakes {
				stakes[i] = 99 // every entry must be written
			}
			Stakes(p, tc.c, stakes)
			for v, want := range tc.want {
				if got := stakeAt(t, p, stakes, v); got != want {
					t.Errorf("%s: stake %d, want %d\n%s", v, got, want, p)
				}
			}
			for i, k := range stakes {
				if k == 99 {
					t.Fatalf("stake %d not written", i)
				}
			}
		})
	}
}

// TestStakesDoesNotAllocate: Stakes runs at every refined node.
func TestStakesDoesNotAllocate(t *testing.T) {
	p := parse(t, strings.Replace(ladderDiagram, "%s", ".", 1))
	stakes := make([]int16, 81)
	if n := testing.AllocsPerRun(50, func() { Stakes(p, board.White, stakes) }); n != 0 {
		t.Errorf("%v allocations per call", n)
	}
}
