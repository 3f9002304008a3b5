package board_test

import (
	"fmt"

	"github.com/tengen-go/tengen/board"
)

func ExamplePosition_Play() {
	p, _ := board.ParseDiagram(`
		. X .
		X O X
		. . .`)
	pt, _ := board.ParseGTP("B1", p.Size())
	if err := p.Play(board.Black, pt); err != nil {
		fmt.Println(err)
	}
	fmt.Print(p)
	fmt.Println("captured:", p.Captures(board.Black))
	// Output:
	// .X.
	// X.X
	// .X.
	// captured: 1
}

func ExampleGame() {
	g, _ := board.NewGame(9, 7.5, board.DefaultRules())
	for _, v := range []string{"E5", "C3", "pass", "pass"} {
		pt, _ := board.ParseGTP(v, g.Size())
		if err := g.Play(g.ToMove(), pt); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println("over:", g.Over())
	fmt.Println("score:", g.Score())
	// Output:
	// over: true
	// score: -7.5
}

func ExampleParseGTP() {
	pt, _ := board.ParseGTP("Q16", 19)
	x, y := pt.XY()
	fmt.Println(x, y, pt.SGF(), pt.GTP(19))
	// Output: 15 3 pd Q16
}
