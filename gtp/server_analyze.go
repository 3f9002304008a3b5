package gtp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tengen-go/tengen/board"
)

// analyzeArgs are the arguments of lz-analyze and lz-genmove_analyze:
// [color] [interval] or [interval N], [avoid|allow color v,v,... depth]...,
// [minmoves N], in any order after the colour (Leela Zero, Lizzie,
// KaTrain and Sabaki forms).
type analyzeArgs struct {
	color    board.Color
	interval time.Duration
	avoid    []MoveFilter
	allow    []MoveFilter
	minMoves int
}

var errAnalyzeArgs = errors.New("cannot parse analyze tags")

func (s *Server) parseAnalyze(args []string) (analyzeArgs, error) {
	a := analyzeArgs{color: s.game.ToMove()}
	if len(args) > 0 {
		if c, err := board.ParseColor(args[0]); err == nil {
			a.color = c
			args = args[1:]
		}
	}
	centis := func(v string) (time.Duration, error) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1e7 {
			return 0, errAnalyzeArgs
		}
		return time.Duration(n) * 10 * time.Millisecond, nil
	}
	for len(args) > 0 {
		tag := strings.ToLower(args[0])
		switch tag {
		case "interval":
			if len(args) < 2 {
				return a, errAnalyzeArgs
			}
			d, err := centis(args[1])
			if err != nil {
				return a, err
			}
			a.interval = d
			args = args[2:]
		case "minmoves":
			if len(args) < 2 {
				return a, errAnalyzeArgs
			}
			n, err := strconv.Atoi(args[1])
			if err != nil || n < 0 {
				return a, errAnalyzeArgs
			}
			a.minMoves = n
			args = args[2:]
		case "avoid", "allow":
			if len(args) < 4 {
				return a, errAnalyzeArgs
			}
			f, err := s.parseFilter(args[1], args[2], args[3])
			if err != nil {
				return a, err
			}
			if tag == "avoid" {
				a.avoid = append(a.avoid, f)
			} else {
				a.allow = append(a.allow, f)
			}
			args = args[4:]
		default:
			d, err := centis(args[0])
			if err != nil {
				return a, err
			}
			a.interval = d
			args = args[1:]
		}
	}
	return a, nil
}

// parseFilter reads "color v,v,... untilDepth".
func (s *Server) parseFilter(color, list, depth string) (MoveFilter, error) {
	c, err := board.ParseColor(color)
	if err != nil {
		return MoveFilter{}, errAnalyzeArgs
	}
	d, err := strconv.Atoi(depth)
	if err != nil || d < 1 {
		return MoveFilter{}, errAnalyzeArgs
	}
	f := MoveFilter{Color: c, UntilDepth: d}
	for _, v := range strings.Split(list, ",") {
		if v == "" {
			continue
		}
		pt, err := board.ParseGTP(v, s.game.Size())
		if err != nil {
			return MoveFilter{}, errAnalyzeArgs
		}
		f.Moves = append(f.Moves, pt)
	}
	return f, nil
}

func (a analyzeArgs) options() SearchOptions {
	return SearchOptions{Avoid: a.avoid, Allow: a.allow, MinMoves: a.minMoves, Interval: a.interval}
}

// reporter writes a Player's reports as info lines of a streamed reply
// until it is closed.
type reporter struct {
	mu     sync.Mutex
	x      *exchange
	size   int
	closed bool
}

func (r *reporter) report(stats []MoveStat) {
	line := formatInfo(stats, r.size)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || line == "" {
		return
	}
	if !r.x.streaming {
		r.x.startStream()
	}
	r.x.line(line)
}

func (r *reporter) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
}

// streaming reports (after close) whether anything was written.
func (r *reporter) streaming() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.x.streaming
}

// formatInfo writes an lz-analyze info line: one segment per move in
// Order, "info move V visits N winrate W prior P lcb L order K pv V V...",
// winrate, prior and lcb as integers in 1/10000; pv last.
func formatInfo(stats []MoveStat, size int) string {
	stats = append([]MoveStat(nil), stats...)
	sort.SliceStable(stats, func(i, j int) bool { return stats[i].Order < stats[j].Order })
	var b strings.Builder
	for _, m := range stats {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "info move %s visits %d winrate %d prior %d lcb %d order %d pv",
			m.Move.GTP(size), max(m.Visits, 0), perTenThousand(m.Winrate), perTenThousand(m.Prior),
			perTenThousand(m.LCB), m.Order)
		pv := m.PV
		if len(pv) == 0 {
			pv = []board.Point{m.Move}
		}
		for _, pt := range pv {
			b.WriteByte(' ')
			b.WriteString(pt.GTP(size))
		}
	}
	return b.String()
}

// perTenThousand maps a probability to 0..10000.
func perTenThousand(p float64) int {
	if math.IsNaN(p) {
		return 0
	}
	return int(math.Round(min(max(p, 0), 1) * 10000))
}

func cmdLzAnalyze(s *Server, ctx context.Context, x *exchange) (string, error) {
	a, err := s.parseAnalyze(x.args)
	if err != nil {
		return "", err
	}
	rep := &reporter{x: x, size: s.game.Size()}
	x.startStream()
	opts := a.options()
	opts.Report = rep.report
	err = s.player.Analyze(ctx, s.game, a.color, opts)
	rep.close()
	return "", err
}

func cmdLzGenmoveAnalyze(s *Server, ctx context.Context, x *exchange) (string, error) {
	a, err := s.parseAnalyze(x.args)
	if err != nil {
		return "", err
	}
	rep := &reporter{x: x, size: s.game.Size()}
	opts := a.options()
	opts.Budget = s.budget(a.color)
	opts.MaxBudget = s.maxBudget(a.color)
	if a.interval > 0 {
		opts.Report = rep.report
	}
	text, err := s.think(ctx, a.color, opts, true, rep)
	if err == nil && !rep.streaming() {
		x.startStream()
	}
	return text, err
}
