package gtp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/sgf"
)

// action is one step of the game's history as the Server made it: a move,
// or setup stones of one colour (Empty clears), with the side to move
// before it.
type action struct {
	setup  bool
	move   board.Move // the move; for setup, Color is the stones' colour
	pts    []board.Point
	toMove board.Color // before the step; Empty: not recorded
}

// dissect takes a game apart by undoing it to its start and returns its
// steps in order and its side to move at the end. g is left empty.
func dissect(g *board.Game) (steps []action, final board.Color) {
	final = g.ToMove()
	for {
		after := *g.Position()
		m, isMove := g.LastMove()
		if g.Undo() != nil {
			break
		}
		a := action{move: m, toMove: g.ToMove()}
		if !isMove {
			a = action{setup: true, toMove: g.ToMove()}
			before := g.Position()
			for _, pt := range board.Points(g.Size()) {
				if c := after.At(pt); c != before.At(pt) {
					a.move.Color = c
					a.pts = append(a.pts, pt)
				}
			}
		}
		steps = append(steps, a)
	}
	for i, j := 0, len(steps)-1; i < j; i, j = i+1, j-1 {
		steps[i], steps[j] = steps[j], steps[i]
	}
	return steps, final
}

// rebuild replays steps on a new game.
func rebuild(size int, komi float64, rules board.Rules, steps []action, final board.Color) (*board.Game, error) {
	g, err := board.NewGame(size, komi, rules)
	if err != nil {
		return nil, err
	}
	for _, a := range steps {
		g.SetToMove(a.toMove)
		if a.setup {
			err = g.Setup(a.move.Color, a.pts)
		} else {
			err = g.Play(a.move.Color, a.move.Point)
		}
		if err != nil {
			return nil, err
		}
	}
	g.SetToMove(final)
	return g, nil
}

// truncated copies the main line of root up to, not including, the move
// numbered n (from 1); n <= 0 keeps every move.
func truncated(root *sgf.Node, n int) *sgf.Node {
	var first, last *sgf.Node
	moves := 0
	for _, nd := range root.MainLine() {
		c := &sgf.Node{Props: append([]sgf.Property(nil), nd.Props...)}
		stop := false
		if nd.Has("B") || nd.Has("W") {
			moves++
			if n > 0 && moves >= n {
				c.Delete("B")
				c.Delete("W")
				stop = true
			}
		}
		if first == nil {
			first = c
		} else {
			last.Children = []*sgf.Node{c}
		}
		last = c
		if stop {
			break
		}
	}
	return first
}

var errLoad = errors.New("cannot load file")

func cmdLoadSGF(s *Server, _ context.Context, x *exchange) (string, error) {
	if len(x.args) < 1 || len(x.args) > 2 {
		return "", errArgs
	}
	n := 0
	if len(x.args) == 2 {
		var err error
		if n, err = strconv.Atoi(x.args[1]); err != nil || n < 1 {
			return "", fmt.Errorf("%w: bad move number %q", errArgs, x.args[1])
		}
	}
	data, err := s.cfg.ReadFile(x.args[0])
	if err != nil {
		return "", errLoad
	}
	coll, err := sgf.Parse(data)
	if err != nil || len(coll.Games) == 0 {
		return "", errLoad
	}
	root := truncated(coll.Games[0], n)
	rg := sgf.Replay(root)
	if rg.Err != nil || rg.Board == nil {
		return "", errLoad
	}
	komi := s.game.Komi()
	if root.Has("KM") {
		komi = rg.Info.Komi
	}
	steps, final := dissect(rg.Board)
	g, err := rebuild(rg.Info.Size, komi, s.cfg.Rules, steps, final)
	if err != nil {
		// Legal under the record's rules only (a repetition our ko
		// rule forbids): keep the record's rules.
		if g, err = rebuild(rg.Info.Size, komi, rg.Info.Rules, steps, final); err != nil {
			return "", errLoad
		}
	}
	s.game = g
	s.record = steps
	s.clocks[board.Black] = s.tc.NewClock()
	s.clocks[board.White] = s.tc.NewClock()
	s.ponder = board.Empty
	return "", nil
}

// sgfText writes the game as SGF: root properties and the setup before
// the first move in the root node, one node per later step.
func (s *Server) sgfText() string {
	g := s.game
	size := g.Size()
	root := &sgf.Node{}
	root.Set("GM", "1")
	root.Set("FF", "4")
	root.Set("CA", "UTF-8")
	root.Set("AP", s.cfg.Name+":"+s.cfg.Version)
	root.Set("SZ", strconv.Itoa(size))
	root.Set("KM", strconv.FormatFloat(g.Komi(), 'f', -1, 64))
	root.Set("RU", g.Rules().Name)
	if h := g.Handicap(); h > 0 {
		root.Set("HA", strconv.Itoa(h))
	}
	setupID := map[board.Color]string{board.Black: "AB", board.White: "AW", board.Empty: "AE"}
	node := root
	moved := false
	for _, a := range s.record {
		if a.setup {
			if len(a.pts) == 0 {
				continue
			}
			if moved {
				n := &sgf.Node{}
				node.Children = []*sgf.Node{n}
				node = n
				moved = false
			}
			vals := make([]string, len(a.pts))
			for i, pt := range a.pts {
				vals[i] = pt.SGF()
			}
			node.Add(setupID[a.move.Color], vals...)
			continue
		}
		n := &sgf.Node{}
		n.Set(a.move.Color.String(), a.move.Point.SGF())
		node.Children = []*sgf.Node{n}
		node = n
		moved = true
	}
	if !moved {
		node.Set("PL", g.ToMove().String())
	}
	var b strings.Builder
	_ = sgf.Write(&b, &sgf.Collection{Games: []*sgf.Node{root}})
	return b.String()
}

func cmdPrintSGF(s *Server, _ context.Context, x *exchange) (string, error) {
	if len(x.args) > 1 {
		return "", errArgs
	}
	text := s.sgfText()
	if len(x.args) == 1 {
		if err := s.cfg.WriteFile(x.args[0], []byte(text)); err != nil {
			return "", errors.New("cannot write file")
		}
		return "", nil
	}
	return "\n" + text, nil
}
