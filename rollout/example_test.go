package rollout_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/rollout"
)

// White's D5 stone is in atari next to White's last move, E4: the heavy
// policy takes it (its capture rule fires 9 times in 10). A seed fixes the
// playout; the moves are recorded for RAVE.
func ExamplePolicy_Playout() {
	start, _ := board.ParseDiagram(`
		. . . . . . .
		. . . X . . .
		. . X O X . .
		. . . . O . .
		. . . . . . .
		. . . . . . .
		. . . . . . .`)
	last, _ := board.ParseGTP("E4", start.Size())
	pos := *start // Playout changes the position: play out a copy
	var moves []board.Move
	rng := rand.New(rand.NewPCG(7, 8))
	res := rollout.DefaultPolicy().Playout(&pos, board.Black, last, 7.5, 0, rng, &moves)
	fmt.Println(rollout.DefaultPolicy().Name(), "first move:", moves[0].Point.GTP(start.Size()))
	fmt.Println("moves recorded:", len(moves) == res.Moves)
	// Output:
	// heavy first move: D4
	// moves recorded: true
}
