package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/internal/neteval"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/cpu"
	"github.com/tengen-go/tengen/plot"
	"github.com/tengen-go/tengen/sgf"
)

func init() {
	register(command{name: "viz", summary: "pictures: first-layer filters, a policy heatmap", run: runViz})
}

func runViz(ctx context.Context, e env) error {
	return dispatch(ctx, "viz", []command{
		{name: "filters", summary: "the first convolution's filters as a grid (PNG)", run: runVizFilters},
		{name: "policy", summary: "a board from an SGF game with the network's policy as a heatmap (PNG)", run: runVizPolicy},
	}, e)
}

func runVizFilters(ctx context.Context, e env) error {
	fs := newFlags("viz filters", "--weights W --out F.png", e.stdout)
	weights := fs.String("weights", "", "network weights file (default: the embedded 19x19 network)")
	out := fs.String("out", "", "PNG file to write")
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return usageError("viz filters: need --out F.png and no arguments")
	}
	var w *nets.Weights
	if *weights != "" {
		var err error
		if w, err = nets.Load(*weights); err != nil {
			return err
		}
	} else {
		ws, err := loadNetworks(nil, e.stderr)
		if err != nil {
			return err
		}
		w = ws[0]
		for _, x := range ws {
			if x.Spec.BoardSize == 19 {
				w = x
			}
		}
	}
	if err := plot.FilterGrid(w, *out); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "tengen: wrote %s\n", *out)
	return nil
}

func runVizPolicy(ctx context.Context, e env) error {
	fs := newFlags("viz policy", "--sgf F --move N [--game K] [--weights W]... [--symmetries 1|8] --out P.png", e.stdout)
	path := fs.String("sgf", "", "SGF file")
	move := fs.Int("move", 1, "show the position before this main-line move (1-based, passes counted) and mark the move")
	game := fs.Int("game", 1, "game of the file (1-based)")
	var weights []string
	fs.StringArrayVar(&weights, "weights", nil, "network weights file (repeat for several board sizes); default: the embedded networks")
	syms := fs.Int("symmetries", 1, "1, or 8 to average the policy over the board symmetries")
	out := fs.String("out", "", "PNG file to write")
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	if *path == "" && fs.NArg() == 1 {
		*path = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return usageError("viz policy: unexpected arguments %v", fs.Args())
	}
	switch {
	case *path == "" || *out == "":
		return usageError("viz policy: need --sgf F and --out P.png")
	case *move < 1 || *game < 1:
		return usageError("viz policy: --move and --game count from 1")
	case *syms != 1 && *syms != nets.NumSymmetries:
		return usageError("viz policy: --symmetries %d (want 1 or 8)", *syms)
	}
	data, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	coll, err := sgf.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *path, err)
	}
	if *game > len(coll.Games) {
		return fmt.Errorf("%s: no game %d (the file holds %d)", *path, *game, len(coll.Games))
	}
	ws, err := loadNetworks(weights, e.stderr)
	if err != nil {
		return err
	}

	errDone := errors.New("done")
	var drawErr error
	n := 0
	g := sgf.ReplayFunc(coll.Games[*game-1], *game, func(bg *board.Game, m board.Move) error {
		n++
		if n < *move {
			return nil
		}
		drawErr = drawPolicy(ctx, bg, m, ws, *syms, *out)
		return errDone
	})
	switch {
	case g.Err != nil && !errors.Is(g.Err, errDone):
		return fmt.Errorf("%s: %w", *path, g.Err)
	case g.Err == nil:
		return fmt.Errorf("%s: game %d has %d moves; no move %d", *path, *game, n, *move)
	case drawErr != nil:
		return drawErr
	}
	fmt.Fprintf(e.stderr, "tengen: wrote %s\n", *out)
	return nil
}

// drawPolicy evaluates the position before m with the network for its
// board size (from the mover's view) and writes the heatmap.
func drawPolicy(ctx context.Context, bg *board.Game, m board.Move, ws []*nets.Weights, syms int, out string) error {
	size := bg.Size()
	var w *nets.Weights
	for _, x := range ws {
		if x.Spec.BoardSize == size {
			w = x
		}
	}
	if w == nil {
		return fmt.Errorf("no network for %dx%d", size, size)
	}
	be, err := cpu.New(w, cpu.Options{MaxBatch: 1})
	if err != nil {
		return err
	}
	defer be.Close()
	sh, err := w.Spec.InputShape()
	if err != nil {
		return err
	}
	moves := w.Spec.Moves()
	in := make([]float32, sh.Len())
	logits, probs, back, avg := make([]float32, moves), make([]float32, moves), make([]float32, moves), make([]float32, moves)
	var value [1]float32
	s := bg.State()
	s.ToMove = m.Color
	fs, err := nets.FeatureSetByName(w.Spec.Features)
	if err != nil {
		return err
	}
	for k := range syms {
		sym := nets.Symmetry(k)
		fs.EncodeState(&s, sym, in)
		if err := be.Forward(ctx, in, 1, logits, value[:]); err != nil {
			return err
		}
		neteval.Softmax(logits, probs)
		sym.UntransformPolicy(probs, back, size)
		for i, p := range back {
			avg[i] += p / float32(syms)
		}
	}
	return plot.PolicyHeatmap(bg, avg, m.Point, out)
}
