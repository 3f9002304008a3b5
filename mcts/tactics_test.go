package mcts

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
)

type tactic struct {
	name    string
	toMove  board.Color
	komi    float64
	answers []string
	diagram []string
}

func readTactics(t *testing.T) []tactic {
	f, err := os.Open("testdata/tactics.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []tactic
	var cur *tactic
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#"):
		case line == "":
			cur = nil
		case strings.HasPrefix(line, "name "):
			out = append(out, tactic{name: line[5:]})
			cur = &out[len(out)-1]
		case strings.HasPrefix(line, "to "):
			c, err := board.ParseColor(line[3:])
			if err != nil {
				t.Fatal(err)
			}
			cur.toMove = c
		case strings.HasPrefix(line, "komi "):
			var k float64
			if _, err := fmtSscan(line[5:], &k); err != nil {
				t.Fatal(err)
			}
			cur.komi = k
		case strings.HasPrefix(line, "answers "):
			cur.answers = strings.Fields(line[8:])
		default:
			cur.diagram = append(cur.diagram, line)
		}
	}
	return out
}

// TestTactics: the playout search must find the answer of each position.
func TestTactics(t *testing.T) {
	tactics := readTactics(t)
	if len(tactics) < 2 {
		t.Fatalf("read %d positions", len(tactics))
	}
	for _, tc := range tactics {
		t.Run(tc.name, func(t *testing.T) {
			pos, err := board.ParseDiagram(strings.Join(tc.diagram, "\n"))
			if err != nil {
				t.Fatal(err)
			}
			g, _ := board.NewGame(pos.Size(), tc.komi, board.DefaultRules())
			setupFrom(t, g, pos)
			g.SetToMove(tc.toMove)
			cfg := DefaultConfig()
			s := mustSearcher(t, NewPlayoutEvaluator(4, 7), cfg)
			s.SetGame(g)
			res, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: 3000}})
			if err != nil {
				t.Fatal(err)
			}
			got := res.Best.GTP(pos.Size())
			for _, a := range tc.answers {
				if strings.EqualFold(a, got) {
					return
				}
			}
			t.Errorf("best %s (winrate %.2f); want one of %v; top moves %v", got, res.Winrate, tc.answers, top(res.Moves, pos.Size()))
		})
	}
}

func top(ms []MoveStat, size int) []string {
	var out []string
	for i, m := range ms {
		if i == 5 {
			break
		}
		out = append(out, m.Move.GTP(size)+":"+itoa(m.Visits))
	}
	return out
}
