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
// [minmoves N], [maxmoves N], in any order after the colour (Leela Zero,
// Lizzie, KaTrain and Sabaki forms); kata-analyze and
// kata-genmove_analyze also take [ownership true|false] and
// [rootInfo true|false] (KataGo's forms).
type analyzeArgs struct {
	color     board.Color
	interval  time.Duration
	avoid     []MoveFilter
	allow     []MoveFilter
	minMoves  int
	maxMoves  int
	kata      bool
	ownership bool
	rootInfo  bool
}

var errAnalyzeArgs = errors.New("cannot parse analyze tags")

func (s *Server) parseAnalyze(args []string, kata bool) (analyzeArgs, error) {
	a := analyzeArgs{color: s.game.ToMove(), kata: kata}
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
		case "minmoves", "maxmoves":
			if len(args) < 2 {
				return a, errAnalyzeArgs
			}
			n, err := strconv.Atoi(args[1])
			if err != nil || n < 0 {
				return a, errAnalyzeArgs
			}
			if tag == "minmoves" {
				a.minMoves = n
			} else {
				a.maxMoves = n
			}
			args = args[2:]
		case "ownership", "rootinfo":
			if !kata || len(args) < 2 {
				return a, errAnalyzeArgs
			}
			v, err := strconv.ParseBool(args[1])
			if err != nil {
				return a, errAnalyzeArgs
			}
			if tag == "ownership" {
				a.ownership = v
			} else {
				a.rootInfo = v
			}
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
	args   analyzeArgs
	closed bool
}

func (r *reporter) report(a Analysis) {
	var line string
	if r.args.kata {
		line = formatKataInfo(a, r.size, r.args)
	} else {
		line = formatInfo(a.Moves, r.size, r.args.maxMoves)
	}
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

// limitMoves returns the moves in Order, at most max of them (0: all).
func limitMoves(stats []MoveStat, max int) []MoveStat {
	stats = append([]MoveStat(nil), stats...)
	sort.SliceStable(stats, func(i, j int) bool { return stats[i].Order < stats[j].Order })
	if max > 0 && len(stats) > max {
		stats = stats[:max]
	}
	return stats
}

// formatInfo writes an lz-analyze info line: one segment per move in
// Order (at most maxMoves, 0: all), "info move V visits N winrate W
// prior P lcb L order K pv V V...", winrate, prior and lcb as integers in
// 1/10000; pv last.
func formatInfo(stats []MoveStat, size, maxMoves int) string {
	stats = limitMoves(stats, maxMoves)
	var b strings.Builder
	for _, m := range stats {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "info move %s visits %d winrate %d prior %d lcb %d order %d pv",
			m.Move.GTP(size), max(m.Visits, 0), perTenThousand(m.Winrate), perTenThousand(m.Prior),
			perTenThousand(m.LCB), m.Order)
		writePV(&b, m, size)
	}
	return b.String()
}

func writePV(b *strings.Builder, m MoveStat, size int) {
	pv := m.PV
	if len(pv) == 0 {
		pv = []board.Point{m.Move}
	}
	for _, pt := range pv {
		b.WriteByte(' ')
		b.WriteString(pt.GTP(size))
	}
}

// formatKataInfo writes a kata-analyze line (KataGo's GTP extension):
// per move in Order "info move V visits N utility U winrate W scoreMean S
// scoreStdev D scoreLead S prior P lcb L utilityLcb UL order K pv V...",
// values as floats from the analysed side's point of view (winrate,
// prior and lcb in [0, 1]; utility is the search's value in [-1, 1]);
// then "rootInfo ..." and "ownership" with size x size values for the
// analysed side, row-major from the top left, when asked for. A move
// without a score estimate takes the root's (the Player promised
// estimates: Estimator).
func formatKataInfo(a Analysis, size int, args analyzeArgs) string {
	var b strings.Builder
	num := func(key string, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			v = 0
		}
		b.WriteByte(' ')
		b.WriteString(key)
		b.WriteByte(' ')
		b.WriteString(strconv.FormatFloat(v, 'f', 6, 64))
	}
	clamp := func(p float64) float64 { return min(max(p, 0), 1) }
	for _, m := range limitMoves(a.Moves, args.maxMoves) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "info move %s visits %d", m.Move.GTP(size), max(m.Visits, 0))
		lead, stdev := m.ScoreLead, m.ScoreStdev
		if !m.HasScore {
			lead, stdev = a.Root.ScoreLead, a.Root.ScoreStdev
		}
		num("utility", 2*clamp(m.Winrate)-1)
		num("winrate", clamp(m.Winrate))
		num("scoreMean", lead)
		num("scoreStdev", stdev)
		num("scoreLead", lead)
		num("prior", clamp(m.Prior))
		num("lcb", clamp(m.LCB))
		num("utilityLcb", 2*clamp(m.LCB)-1)
		fmt.Fprintf(&b, " order %d pv", m.Order)
		writePV(&b, m, size)
	}
	if args.rootInfo {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "rootInfo visits %d", max(a.Root.Visits, 0))
		num("utility", 2*clamp(a.Root.Winrate)-1)
		num("winrate", clamp(a.Root.Winrate))
		num("scoreMean", a.Root.ScoreLead)
		num("scoreStdev", a.Root.ScoreStdev)
		num("scoreLead", a.Root.ScoreLead)
		b.WriteString(" currentPlayer ")
		b.WriteString(args.color.String())
	}
	if args.ownership {
		own := a.Root.Ownership
		n := size * size
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("ownership")
		sign := float32(1)
		if args.color == board.White {
			sign = -1
		}
		for i := range n {
			v := float32(0)
			if i < len(own) {
				v = sign * own[i]
			}
			b.WriteByte(' ')
			b.WriteString(strconv.FormatFloat(float64(min(max(v, -1), 1)), 'f', 4, 32))
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
	return s.analyze(ctx, x, false)
}

func cmdKataAnalyze(s *Server, ctx context.Context, x *exchange) (string, error) {
	return s.analyze(ctx, x, true)
}

func (s *Server) analyze(ctx context.Context, x *exchange, kata bool) (string, error) {
	a, err := s.parseAnalyze(x.args, kata)
	if err != nil {
		return "", err
	}
	rep := &reporter{x: x, size: s.game.Size(), args: a}
	x.startStream()
	opts := a.options()
	opts.Report = rep.report
	err = s.player.Analyze(ctx, s.game, a.color, opts)
	rep.close()
	return "", err
}

func cmdLzGenmoveAnalyze(s *Server, ctx context.Context, x *exchange) (string, error) {
	return s.genmoveAnalyze(ctx, x, false)
}

func cmdKataGenmoveAnalyze(s *Server, ctx context.Context, x *exchange) (string, error) {
	return s.genmoveAnalyze(ctx, x, true)
}

func (s *Server) genmoveAnalyze(ctx context.Context, x *exchange, kata bool) (string, error) {
	a, err := s.parseAnalyze(x.args, kata)
	if err != nil {
		return "", err
	}
	rep := &reporter{x: x, size: s.game.Size(), args: a}
	opts := a.options()
	opts.Budget = s.budget(a.color)
	opts.MaxBudget = s.maxBudget(a.color)
	opts.NoSaving = !s.tc.Saves(s.clocks[a.color])
	if a.interval > 0 {
		opts.Report = rep.report
	}
	text, err := s.think(ctx, a.color, opts, true, rep)
	if err == nil && !rep.streaming() {
		x.startStream()
	}
	return text, err
}
