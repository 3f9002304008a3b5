package main

// tengen analysis speaks KataGo's JSON analysis engine protocol
// (docs/Analysis_Engine.md in KataGo's repository): one JSON query per
// line on stdin, one JSON response per analysed turn on stdout, so that
// KaTrain and other tools written for KataGo's analysis engine can run
// tengen instead. Queries are searched one at a time, each with all the
// search threads; actions (query_version, clear_cache, terminate) are
// answered as soon as they are read.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/mcts"
)

func init() {
	register(command{name: "analysis", summary: "KataGo's JSON analysis engine protocol on stdin/stdout (KaTrain)", run: runAnalysis})
}

// defaultAnalysisVisits is the visit limit per analysed turn when none of
// --visits, --playouts, --time is given (KataGo's example analysis
// config says 500 too).
const defaultAnalysisVisits = 500

// kataGoValueOptions are the options of KataGo's analysis command line
// that take a value, and kataGoSwitches those that take none: tengen
// ignores them, so that a command line written for KataGo (KaTrain's
// "analysis -model M -config C -analysis-threads N") starts tengen.
var (
	kataGoValueOptions = map[string]bool{"-model": true, "-config": true, "-override-config": true, "-analysis-threads": true, "-human-model": true}
	kataGoSwitches     = map[string]bool{"-quit-without-waiting": true}
)

// stripKataGoArgs splits args into tengen's own and KataGo's options
// (with their values), which tengen ignores.
func stripKataGoArgs(args []string) (rest, ignored []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(rest, args[i:]...), ignored
		}
		name, _, hasValue := strings.Cut(a, "=")
		switch {
		case kataGoValueOptions[name] && !hasValue && i+1 < len(args):
			ignored = append(ignored, a, args[i+1])
			i++
		case kataGoValueOptions[name] || kataGoSwitches[a]:
			ignored = append(ignored, a)
		default:
			rest = append(rest, a)
		}
	}
	return rest, ignored
}

func runAnalysis(ctx context.Context, e env) error {
	args, ignored := stripKataGoArgs(e.args)
	fs := newFlags("analysis", "[flags] (one JSON query per line on stdin; default --visits 500)", e.stdout)
	ec := engineFlags(fs)
	reportAs := fs.String("report-as", "BLACK", "perspective of winrates, score leads and ownership where a query's overrideSettings.reportAnalysisWinratesAs does not say: BLACK (KataGo's default), WHITE or SIDETOMOVE")
	if done, err := parseFlags(fs, args); done || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("analysis takes no arguments, got %q", fs.Args())
	}
	if len(ignored) > 0 {
		fmt.Fprintf(e.stderr, "tengen: analysis: ignoring KataGo's options %s (tengen has no model or config file: use its own flags, see tengen help analysis)\n", strings.Join(ignored, " "))
	}
	if !fs.Changed("visits") && !fs.Changed("playouts") && !fs.Changed("time") {
		ec.visits = defaultAnalysisVisits
	}
	if err := ec.validate(); err != nil {
		return err
	}
	persp, ok := parsePerspective(*reportAs)
	if !ok {
		return usageError("--report-as must be BLACK, WHITE or SIDETOMOVE, not %q", *reportAs)
	}
	eng, err := newEngine(*ec, e.stderr)
	if err != nil {
		return err
	}
	defer eng.Close()
	if !eng.Estimates() {
		fmt.Fprintln(e.stderr, "tengen: analysis: this evaluator gives no score leads or ownership: scoreLead is 0 and ownership is left out")
	}
	a := &analyzer{
		eng:    eng,
		limits: mcts.Limits{Visits: ec.visits, Playouts: ec.playouts, Time: ec.perMove},
		persp:  persp,
	}
	return a.serve(ctx, stdinOr(e.stdin), e.stdout)
}

// perspective is reportAnalysisWinratesAs: whose winrates, score leads
// and ownership the responses give.
type perspective uint8

const (
	perspBlack perspective = iota
	perspWhite
	perspSideToMove
)

func parsePerspective(s string) (perspective, bool) {
	switch strings.ToUpper(s) {
	case "BLACK", "B":
		return perspBlack, true
	case "WHITE", "W":
		return perspWhite, true
	case "SIDETOMOVE":
		return perspSideToMove, true
	}
	return 0, false
}

// flips reports whether values for the side to move c (winrates, score
// leads) are reported for its opponent.
func (p perspective) flips(c board.Color) bool {
	return p == perspBlack && c == board.White || p == perspWhite && c == board.Black
}

// ownershipSign is the factor that turns ownership (+1 Black) into
// ownership from the perspective with c to move.
func (p perspective) ownershipSign(c board.Color) float64 {
	if p == perspWhite || p == perspSideToMove && c == board.White {
		return -1
	}
	return 1
}

// analyzer runs the protocol: the reading goroutine parses lines,
// answers actions and bad queries at once and queues one job per turn to
// analyse; the working goroutine searches the jobs one at a time,
// highest priority first, then in order of arrival.
type analyzer struct {
	// Fixed for the session.
	eng    *engine
	limits mcts.Limits // from the flags; queries may override
	persp  perspective // --report-as

	outMu sync.Mutex
	out   *bufio.Writer

	// The queue, under mu.
	mu      sync.Mutex
	wake    *sync.Cond
	queue   []*analysisJob
	seq     int
	closed  bool // input ended: work finishes the queue and returns
	running *analysisJob
}

// analysisQuery is a parsed query: the game, shared by its turns' jobs.
type analysisQuery struct {
	size   int
	komi   float64
	rules  board.Rules
	setup  [2][]board.Point // Black's and White's initial stones
	first  board.Color      // to move at turn 0
	moves  []board.Move
	idText string // the id, for terminate: a JSON string's value or the raw text
}

// analysisJob is one turn of a query to analyse.
type analysisJob struct {
	q         *analysisQuery
	id        json.RawMessage
	turn      int
	priority  int
	seq       int
	limits    mcts.Limits
	avoid     []board.Point
	allow     []board.Point
	ownership bool
	policy    bool
	persp     perspective
	every     time.Duration // reportDuringSearchEvery; 0: none

	// Under analyzer.mu.
	cancel     context.CancelFunc // while it runs
	terminated bool
}

// game replays the query up to turn t, which it has checked legal.
func (q *analysisQuery) game(t int) (*board.Game, error) {
	g, err := board.NewGame(q.size, q.komi, q.rules)
	if err != nil {
		return nil, err
	}
	g.SetToMove(q.first)
	for i, c := range []board.Color{board.Black, board.White} {
		if len(q.setup[i]) > 0 {
			if err := g.Setup(c, q.setup[i]); err != nil {
				return nil, err
			}
		}
	}
	for _, m := range q.moves[:t] {
		if err := g.Play(m.Color, m.Point); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// jsonObject is one response line; encoding/json sorts its keys, as
// KataGo's output is sorted.
type jsonObject = map[string]any

// serve reads queries from r until it ends, answers on w, finishes the
// queued queries and returns. When ctx ends it returns at once.
func (a *analyzer) serve(ctx context.Context, r io.Reader, w io.Writer) error {
	a.out = bufio.NewWriter(w)
	a.wake = sync.NewCond(&a.mu)
	stop := context.AfterFunc(ctx, func() {
		a.mu.Lock()
		a.wake.Broadcast()
		a.mu.Unlock()
	})
	defer stop()
	readErr := make(chan error, 1)
	go func() {
		br := bufio.NewReader(r)
		for {
			line, err := br.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				a.handle(line)
			}
			if err != nil {
				if err == io.EOF {
					err = nil
				}
				a.mu.Lock()
				a.closed = true
				a.wake.Broadcast()
				a.mu.Unlock()
				readErr <- err
				return
			}
		}
	}()
	a.work(ctx)
	if ctx.Err() != nil {
		return nil // interrupted: the reader may still block on stdin
	}
	return <-readErr
}

// work searches queued jobs until the input has ended and the queue is
// empty, or ctx ends.
func (a *analyzer) work(ctx context.Context) {
	for {
		a.mu.Lock()
		for len(a.queue) == 0 && !a.closed && ctx.Err() == nil {
			a.wake.Wait()
		}
		if ctx.Err() != nil || len(a.queue) == 0 {
			a.mu.Unlock()
			return
		}
		best := 0
		for i, j := range a.queue {
			if j.priority > a.queue[best].priority {
				best = i
			}
		}
		j := a.queue[best]
		a.queue = slices.Delete(a.queue, best, best+1)
		jctx, cancel := context.WithCancel(ctx)
		j.cancel = cancel
		a.running = j
		a.mu.Unlock()

		a.analyse(jctx, j)
		cancel()
		a.mu.Lock()
		a.running = nil
		a.mu.Unlock()
	}
}

// send writes one response line.
func (a *analyzer) send(v jsonObject) {
	b, err := json.Marshal(v)
	if err != nil { // a NaN slipped through: say so rather than go silent
		b, _ = json.Marshal(jsonObject{"id": v["id"], "error": "internal error: " + err.Error()})
	}
	a.outMu.Lock()
	defer a.outMu.Unlock()
	a.out.Write(b)
	a.out.WriteByte('\n')
	a.out.Flush()
}

// fieldError is a bad query field (field may be empty: the whole query).
type fieldError struct {
	field, msg string
}

func (a *analyzer) sendError(id json.RawMessage, fe fieldError) {
	m := jsonObject{"error": fe.msg}
	if id != nil {
		m["id"] = id
	}
	if fe.field != "" {
		m["field"] = fe.field
	}
	a.send(m)
}

func (a *analyzer) sendWarning(id json.RawMessage, fe fieldError) {
	m := jsonObject{"warning": fe.msg, "field": fe.field}
	if id != nil {
		m["id"] = id
	}
	a.send(m)
}

// handle answers or queues one input line.
func (a *analyzer) handle(line []byte) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil || fields == nil {
		msg := "could not parse JSON object"
		if err != nil {
			msg += ": " + err.Error()
		}
		a.sendError(nil, fieldError{msg: msg})
		return
	}
	id, idText, fe := parseID(fields["id"])
	if _, isAction := fields["action"]; isAction {
		a.action(id, fields)
		return
	}
	if fe != nil {
		a.sendError(nil, *fe)
		return
	}
	q, jobs, warnings, fe := a.parseQuery(fields)
	for _, w := range warnings {
		a.sendWarning(id, w)
	}
	if fe != nil {
		a.sendError(id, *fe)
		return
	}
	q.idText = idText
	a.mu.Lock()
	for _, j := range jobs {
		j.id = id
		j.seq = a.seq
		a.seq++
	}
	a.queue = append(a.queue, jobs...)
	a.wake.Broadcast()
	a.mu.Unlock()
}

// parseID checks a query's id: a string (KataGo's protocol) or a number,
// echoed as given.
func parseID(raw json.RawMessage) (json.RawMessage, string, *fieldError) {
	if raw == nil {
		return nil, "", &fieldError{"id", "query has no id"}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return raw, s, nil
	}
	var f float64
	if json.Unmarshal(raw, &f) == nil {
		return raw, string(raw), nil
	}
	return nil, "", &fieldError{"id", "id must be a string"}
}

// action answers a special action query.
func (a *analyzer) action(id json.RawMessage, fields map[string]json.RawMessage) {
	var name string
	if err := json.Unmarshal(fields["action"], &name); err != nil {
		a.sendError(id, fieldError{"action", "action must be a string"})
		return
	}
	echo := jsonObject{}
	for k, v := range fields {
		echo[k] = v
	}
	switch name {
	case "query_version":
		echo["version"] = version
		echo["git_hash"] = gitHash()
		a.send(echo)
	case "clear_cache":
		a.send(echo) // nothing kept between queries but the search tree, which a new position replaces
	case "terminate", "terminate_all":
		var target string
		if name == "terminate" {
			raw, ok := fields["terminateId"]
			if !ok {
				a.sendError(id, fieldError{"terminateId", "terminate needs terminateId"})
				return
			}
			if json.Unmarshal(raw, &target) != nil {
				target = string(raw)
			}
		}
		var turns []int
		if raw, ok := fields["turnNumbers"]; ok {
			if err := json.Unmarshal(raw, &turns); err != nil {
				a.sendError(id, fieldError{"turnNumbers", "turnNumbers must be a list of integers"})
				return
			}
		}
		match := func(j *analysisJob) bool {
			return (name == "terminate_all" || j.q.idText == target) && (turns == nil || slices.Contains(turns, j.turn))
		}
		a.mu.Lock()
		var dropped []*analysisJob
		a.queue = slices.DeleteFunc(a.queue, func(j *analysisJob) bool {
			if match(j) {
				dropped = append(dropped, j)
				return true
			}
			return false
		})
		if j := a.running; j != nil && match(j) {
			j.terminated = true
			j.cancel()
		}
		a.mu.Unlock()
		for _, j := range dropped {
			a.send(noResults(j))
		}
		a.send(echo)
	default:
		a.sendError(id, fieldError{"action", fmt.Sprintf("unknown action %q", name)})
	}
}

// noResults is the response to a turn terminated before any analysis.
func noResults(j *analysisJob) jsonObject {
	return jsonObject{"id": j.id, "turnNumber": j.turn, "isDuringSearch": false, "noResults": true}
}

// gitHash is the commit the binary was built from, as KataGo's
// query_version reports it.
func gitHash() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "<omitted>"
}

// unsupportedFields are query fields of KataGo's protocol that tengen
// accepts and ignores, with a warning.
var unsupportedFields = map[string]string{
	"includeMovesOwnership":     "per-move ownership is not supported; moveInfos have no ownership",
	"includePVVisits":           "pvVisits are not supported",
	"rootPolicyTemperature":     "not supported; ignored",
	"rootFpuReductionMax":       "not supported; ignored",
	"analysisPVLen":             "not supported; ignored",
	"whiteHandicapBonus":        "not supported: scores are area counts minus komi, with no handicap bonus",
	"includeNoResultValue":      "not supported; ignored",
	"rootNumSymmetriesToSample": "not supported; ignored",
}

// knownFields are the query fields parseQuery reads.
var knownFields = map[string]bool{
	"id": true, "moves": true, "initialStones": true, "initialPlayer": true, "rules": true, "komi": true,
	"boardXSize": true, "boardYSize": true, "analyzeTurns": true, "maxVisits": true, "includeOwnership": true,
	"includePolicy": true, "avoidMoves": true, "allowMoves": true, "overrideSettings": true,
	"reportDuringSearchEvery": true, "priority": true, "priorities": true,
}

// moveFilter is one entry of avoidMoves or allowMoves.
type moveFilter struct {
	Player     string   `json:"player"`
	Moves      []string `json:"moves"`
	UntilDepth int      `json:"untilDepth"`
}

// parseQuery checks an analysis query and returns its jobs, one per turn,
// and warnings for fields it ignores; or the first bad field.
func (a *analyzer) parseQuery(f map[string]json.RawMessage) (*analysisQuery, []*analysisJob, []fieldError, *fieldError) {
	var warnings []fieldError
	bad := func(field, format string, args ...any) *fieldError {
		return &fieldError{field, fmt.Sprintf(format, args...)}
	}
	// get decodes field name into dst if present.
	get := func(name string, dst any, want string) (bool, *fieldError) {
		raw, ok := f[name]
		if !ok {
			return false, nil
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return true, bad(name, "%s must be %s", name, want)
		}
		return true, nil
	}
	names := make([]string, 0, len(f))
	for k := range f {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if msg, ok := unsupportedFields[k]; ok {
			var on bool
			if json.Unmarshal(f[k], &on) == nil && !on {
				continue // includeMovesOwnership false and the like: nothing asked
			}
			warnings = append(warnings, fieldError{k, msg})
		} else if !knownFields[k] && k != "action" {
			warnings = append(warnings, fieldError{k, "unknown field, ignored"})
		}
	}

	q := &analysisQuery{komi: 7.5, rules: board.DefaultRules()}
	var xs, ys int
	if ok, fe := get("boardXSize", &xs, "an integer"); fe != nil || !ok {
		return nil, nil, warnings, cmpOr(fe, bad("boardXSize", "boardXSize is required"))
	}
	if ok, fe := get("boardYSize", &ys, "an integer"); fe != nil || !ok {
		return nil, nil, warnings, cmpOr(fe, bad("boardYSize", "boardYSize is required"))
	}
	if xs != ys {
		return nil, nil, warnings, bad("boardYSize", "boardXSize %d and boardYSize %d differ: only square boards are supported", xs, ys)
	}
	if xs < board.MinSize || xs > board.MaxSize {
		return nil, nil, warnings, bad("boardXSize", "board size %d is not supported (%d to %d)", xs, board.MinSize, board.MaxSize)
	}
	q.size = xs

	if raw, ok := f["rules"]; ok {
		r, warn, fe := parseAnalysisRules(raw)
		if fe != nil {
			return nil, nil, warnings, fe
		}
		if warn != "" {
			warnings = append(warnings, fieldError{"rules", warn})
		}
		q.rules = r
	}
	if _, fe := get("komi", &q.komi, "a number"); fe != nil {
		return nil, nil, warnings, fe
	}
	if math.IsNaN(q.komi) || math.Abs(q.komi) > 150 || q.komi*2 != math.Trunc(q.komi*2) {
		return nil, nil, warnings, bad("komi", "komi %v must be an integer or half-integer in [-150, 150]", q.komi)
	}

	var initial, moves [][]string
	if _, fe := get("initialStones", &initial, "a list of [player, location] pairs"); fe != nil {
		return nil, nil, warnings, fe
	}
	if _, fe := get("moves", &moves, "a list of [player, location] pairs"); fe != nil {
		return nil, nil, warnings, fe
	}
	seen := map[board.Point]bool{}
	for i, s := range initial {
		m, err := parseAnalysisMove(s, q.size)
		if err != nil {
			return nil, nil, warnings, bad("initialStones", "initialStones[%d]: %v", i, err)
		}
		if m.Point == board.Pass || seen[m.Point] {
			return nil, nil, warnings, bad("initialStones", "initialStones[%d]: %s is a pass or a second stone on a point", i, s[1])
		}
		seen[m.Point] = true
		q.setup[m.Color-board.Black] = append(q.setup[m.Color-board.Black], m.Point)
	}
	for i, s := range moves {
		m, err := parseAnalysisMove(s, q.size)
		if err != nil {
			return nil, nil, warnings, bad("moves", "moves[%d]: %v", i, err)
		}
		q.moves = append(q.moves, m)
	}
	q.first = board.Black
	if len(q.moves) > 0 {
		q.first = q.moves[0].Color
	}
	var first string
	if ok, fe := get("initialPlayer", &first, `"B" or "W"`); fe != nil {
		return nil, nil, warnings, fe
	} else if ok {
		c, err := board.ParseColor(first)
		if err != nil {
			return nil, nil, warnings, bad("initialPlayer", `initialPlayer must be "B" or "W", not %q`, first)
		}
		q.first = c
	}
	// Every move must be legal, analysed or not (KaTrain looks for
	// "Illegal move" in the error).
	g, err := board.NewGame(q.size, q.komi, q.rules)
	if err != nil {
		return nil, nil, warnings, bad("", "%v", err)
	}
	g.SetToMove(q.first)
	for i, c := range []board.Color{board.Black, board.White} {
		if len(q.setup[i]) > 0 {
			if err := g.Setup(c, q.setup[i]); err != nil {
				return nil, nil, warnings, bad("initialStones", "initialStones: %v", err)
			}
		}
	}
	for i, m := range q.moves {
		if err := g.Play(m.Color, m.Point); err != nil {
			return nil, nil, warnings, bad("moves", "Illegal move %d: %s %s (%v)", i, m.Color, m.Point.GTP(q.size), errors.Unwrap(err))
		}
	}

	turns := []int{len(q.moves)}
	if _, fe := get("analyzeTurns", &turns, "a list of integers"); fe != nil {
		return nil, nil, warnings, fe
	}
	for _, t := range turns {
		if t < 0 || t > len(q.moves) {
			return nil, nil, warnings, bad("analyzeTurns", "turn %d is not in [0, %d]", t, len(q.moves))
		}
	}
	var priority int
	var priorities []int
	if _, fe := get("priority", &priority, "an integer"); fe != nil {
		return nil, nil, warnings, fe
	}
	if ok, fe := get("priorities", &priorities, "a list of integers"); fe != nil {
		return nil, nil, warnings, fe
	} else if ok && len(priorities) != len(turns) {
		return nil, nil, warnings, bad("priorities", "priorities has %d entries for %d analyzeTurns", len(priorities), len(turns))
	}

	limits := a.limits
	persp := a.persp
	var every float64
	var ownership, policy bool
	if raw, ok := f["overrideSettings"]; ok {
		var settings map[string]json.RawMessage
		if err := json.Unmarshal(raw, &settings); err != nil || settings == nil {
			return nil, nil, warnings, bad("overrideSettings", "overrideSettings must be an object")
		}
		keys := make([]string, 0, len(settings))
		for k := range settings {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := settings[k]
			var err error
			switch k {
			case "reportAnalysisWinratesAs":
				var s string
				if err = json.Unmarshal(v, &s); err == nil {
					var ok bool
					if persp, ok = parsePerspective(s); !ok {
						err = fmt.Errorf("want BLACK, WHITE or SIDETOMOVE, not %q", s)
					}
				}
			case "maxVisits", "maxPlayouts":
				var n int
				if err = json.Unmarshal(v, &n); err == nil && n < 1 {
					err = fmt.Errorf("must be at least 1")
				}
				if k == "maxVisits" {
					limits.Visits = n
				} else {
					limits.Playouts = n
				}
			case "maxTime":
				var s float64
				if err = json.Unmarshal(v, &s); err == nil && !(s > 0) {
					err = fmt.Errorf("must be above 0")
				}
				limits.Time = time.Duration(s * float64(time.Second))
			default:
				warnings = append(warnings, fieldError{"overrideSettings", fmt.Sprintf("overrideSettings.%s is not supported by tengen; ignored", k)})
			}
			if err != nil {
				return nil, nil, warnings, bad("overrideSettings", "overrideSettings.%s: %v", k, err)
			}
		}
	}
	var visits int
	if ok, fe := get("maxVisits", &visits, "an integer"); fe != nil {
		return nil, nil, warnings, fe
	} else if ok {
		if visits < 1 {
			return nil, nil, warnings, bad("maxVisits", "maxVisits must be at least 1")
		}
		limits.Visits = visits
	}
	if _, fe := get("includeOwnership", &ownership, "a boolean"); fe != nil {
		return nil, nil, warnings, fe
	}
	if ownership && !a.eng.Estimates() {
		warnings = append(warnings, fieldError{"includeOwnership", "this evaluator gives no ownership (--evaluator net or --lambda 0)"})
	}
	if _, fe := get("includePolicy", &policy, "a boolean"); fe != nil {
		return nil, nil, warnings, fe
	}
	if _, fe := get("reportDuringSearchEvery", &every, "a number of seconds"); fe != nil {
		return nil, nil, warnings, fe
	} else if every < 0 || math.IsNaN(every) {
		return nil, nil, warnings, bad("reportDuringSearchEvery", "reportDuringSearchEvery must not be negative")
	}

	var filters [2][]moveFilter
	for i, name := range []string{"avoidMoves", "allowMoves"} {
		if _, fe := get(name, &filters[i], "a list of {player, moves, untilDepth} objects"); fe != nil {
			return nil, nil, warnings, fe
		}
	}
	if len(filters[1]) > 1 {
		return nil, nil, warnings, bad("allowMoves", "allowMoves may have one entry only")
	}

	jobs := make([]*analysisJob, len(turns))
	for i, t := range turns {
		j := &analysisJob{q: q, turn: t, priority: priority, limits: limits, ownership: ownership, policy: policy, persp: persp,
			every: time.Duration(every * float64(time.Second))}
		if priorities != nil {
			j.priority = priorities[i]
		}
		toMove := q.first
		if t > 0 {
			toMove = q.moves[t-1].Color.Opponent()
		}
		for k, name := range []string{"avoidMoves", "allowMoves"} {
			for _, mf := range filters[k] {
				c, err := board.ParseColor(mf.Player)
				if err != nil {
					return nil, nil, warnings, bad(name, "%s: player must be \"B\" or \"W\", not %q", name, mf.Player)
				}
				if mf.UntilDepth < 1 {
					return nil, nil, warnings, bad(name, "%s: untilDepth must be at least 1", name)
				}
				if i == 0 && mf.UntilDepth > 1 {
					warnings = append(warnings, fieldError{name, name + ": only the root move is restricted (untilDepth 1)"})
				}
				for _, s := range mf.Moves {
					pt, err := board.ParseGTP(s, q.size)
					if err != nil {
						return nil, nil, warnings, bad(name, "%s: %v", name, err)
					}
					if c != toMove {
						continue
					}
					if k == 0 {
						j.avoid = append(j.avoid, pt)
					} else {
						j.allow = append(j.allow, pt)
					}
				}
			}
		}
		if j.limits.Visits > 0 {
			// maxVisits counts the new simulations: a tree kept from an
			// earlier search (the previous turn's, or this position's with
			// other avoidMoves) may hold the root visits already, and
			// ownership and avoidMoves need a search of their own.
			// rootInfo.visits includes the kept ones.
			if j.limits.Playouts == 0 || j.limits.Visits < j.limits.Playouts {
				j.limits.Playouts = j.limits.Visits
			}
			j.limits.Visits = 0
		}
		jobs[i] = j
	}
	return q, jobs, warnings, nil
}

// cmpOr returns the first non-nil error.
func cmpOr(a, b *fieldError) *fieldError {
	if a != nil {
		return a
	}
	return b
}

// parseAnalysisMove reads a [player, location] pair; the location is a
// GTP vertex, "pass" or KataGo's "(x,y)" from the top left.
func parseAnalysisMove(s []string, size int) (board.Move, error) {
	if len(s) != 2 {
		return board.Move{}, fmt.Errorf("want [player, location], got %q", s)
	}
	c, err := board.ParseColor(s[0])
	if err != nil {
		return board.Move{}, err
	}
	loc := strings.TrimSpace(s[1])
	if strings.HasPrefix(loc, "(") && strings.HasSuffix(loc, ")") {
		var x, y int
		if _, err := fmt.Sscanf(strings.ReplaceAll(loc, " ", ""), "(%d,%d)", &x, &y); err != nil || x < 0 || y < 0 || x >= size || y >= size {
			return board.Move{}, fmt.Errorf("bad location %q", loc)
		}
		return board.Move{Color: c, Point: board.PointAt(x, y)}, nil
	}
	pt, err := board.ParseGTP(loc, size)
	if err != nil {
		return board.Move{}, err
	}
	return board.Move{Color: c, Point: pt}, nil
}

// territoryRules are KataGo's rulesets scored by territory.
var territoryRules = map[string]bool{"japanese": true, "korean": true, "jp": true, "kr": true, "ko": true}

// parseAnalysisRules reads a query's rules: one of KataGo's names or a
// JSON object with ko and scoring. Scoring is always by area: a
// territory ruleset keeps its ko rule and comes with a warning.
func parseAnalysisRules(raw json.RawMessage) (board.Rules, string, *fieldError) {
	var name string
	if json.Unmarshal(raw, &name) == nil {
		n := strings.ToLower(strings.TrimSpace(name))
		alias := map[string]string{
			"new-zealand": "nz", "newzealand": "nz", "chinese-ogs": "chinese", "chinese-kgs": "chinese",
			"stone-scoring": "chinese", "aga-button": "aga", "tromptaylor": "tromp-taylor", "ko": "korean",
		}
		if a, ok := alias[n]; ok {
			n = a
		}
		r, err := board.RulesByName(n)
		if err != nil {
			return board.Rules{}, "", &fieldError{"rules", fmt.Sprintf("unknown rules %q", name)}
		}
		if territoryRules[n] {
			return r, fmt.Sprintf("%s rules are scored by area here (territory scoring is not supported); komi as given", name), nil
		}
		return r, "", nil
	}
	var obj struct {
		Ko      string `json:"ko"`
		Scoring string `json:"scoring"`
		Suicide bool   `json:"suicide"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return board.Rules{}, "", &fieldError{"rules", "rules must be a name or an object"}
	}
	r := board.Rules{Name: "custom"}
	switch strings.ToUpper(obj.Ko) {
	case "SIMPLE":
		r.Ko = board.KoSimple
	case "POSITIONAL", "":
		r.Ko = board.KoPositional
	case "SITUATIONAL":
		r.Ko = board.KoSituational
	default:
		return board.Rules{}, "", &fieldError{"rules", fmt.Sprintf("unknown ko rule %q", obj.Ko)}
	}
	var warn []string
	if s := strings.ToUpper(obj.Scoring); s != "" && s != "AREA" {
		warn = append(warn, "scoring is by area here (territory scoring is not supported)")
	}
	if obj.Suicide {
		warn = append(warn, "suicide is illegal here")
	}
	return r, strings.Join(warn, "; "), nil
}

// analyse searches one job and sends its response (and the reports
// during the search that it asked for).
func (a *analyzer) analyse(ctx context.Context, j *analysisJob) {
	g, err := j.q.game(j.turn)
	if err != nil {
		a.sendError(j.id, fieldError{msg: err.Error()})
		return
	}
	c := g.ToMove()
	s, err := a.eng.setGame(g, c)
	if err != nil {
		a.sendError(j.id, fieldError{msg: err.Error()})
		return
	}
	var policy []float64
	if j.policy {
		if policy, err = rootPolicy(ctx, s.Evaluator(), g); err != nil && ctx.Err() == nil {
			a.sendError(j.id, fieldError{msg: "policy: " + err.Error()})
			return
		}
	}
	var reports sync.WaitGroup
	stopReports := make(chan struct{})
	if j.every > 0 {
		reports.Add(1)
		go func() {
			defer reports.Done()
			tick := time.NewTicker(max(j.every, 10*time.Millisecond))
			defer tick.Stop()
			for {
				select {
				case <-tick.C:
					if root := s.RootInfo(); root.Visits > 0 {
						a.send(a.response(j, g, s.Snapshot(), root, true, nil))
					}
				case <-stopReports:
					return
				}
			}
		}()
	}
	res, err := s.Search(ctx, mcts.Options{Limits: j.limits, Avoid: j.avoid, Allow: j.allow, Ownership: j.ownership})
	close(stopReports)
	reports.Wait()
	if err != nil {
		a.sendError(j.id, fieldError{msg: err.Error()})
		return
	}
	a.mu.Lock()
	terminated := j.terminated
	a.mu.Unlock()
	if res.Root.Visits == 0 && (terminated || ctx.Err() != nil) {
		a.send(noResults(j))
		return
	}
	a.send(a.response(j, g, res.Moves, res.Root, false, policy))
}

// response is the analysis of one turn in KataGo's format, from the
// job's perspective.
func (a *analyzer) response(j *analysisJob, g *board.Game, moves []mcts.MoveStat, root mcts.RootInfo, during bool, policy []float64) jsonObject {
	size := g.Size()
	c := g.ToMove()
	flip := j.persp.flips(c)
	rate := func(w float64) float64 {
		if flip {
			w = 1 - w
		}
		return jsonFinite(w)
	}
	score := func(s float64, has bool) float64 {
		if !has {
			return 0
		}
		if flip {
			s = -s
		}
		return jsonFinite(s)
	}
	infos := make([]jsonObject, len(moves))
	for i, m := range moves {
		pv := make([]string, len(m.PV))
		for k, p := range m.PV {
			pv[k] = p.GTP(size)
		}
		w, lcb, lead := rate(m.Winrate), rate(m.LCB), score(m.ScoreLead, m.HasScore)
		infos[i] = jsonObject{
			"move": m.Move.GTP(size), "visits": m.Visits, "order": m.Order, "pv": pv,
			"winrate": w, "lcb": lcb, "utility": 2*w - 1, "utilityLcb": 2*lcb - 1,
			"scoreLead": lead, "scoreMean": lead, "scoreSelfplay": lead, "scoreStdev": jsonFinite(m.ScoreStdev),
			"prior": jsonFinite(m.Prior),
		}
	}
	w, lead := rate(root.Winrate), score(root.ScoreLead, root.HasScore)
	player := "B"
	if c == board.White {
		player = "W"
	}
	pos := g.Position()
	hash := pos.Hash() ^ uint64(pos.Ko())*0x9e3779b97f4a7c15 ^ uint64(size)*0xbf58476d1ce4e5b9
	if c == board.White {
		hash = ^hash
	}
	out := jsonObject{
		"id": j.id, "turnNumber": j.turn, "isDuringSearch": during, "moveInfos": infos,
		"rootInfo": jsonObject{
			"winrate": w, "utility": 2*w - 1, "visits": root.Visits, "currentPlayer": player,
			"scoreLead": lead, "scoreSelfplay": lead, "scoreStdev": jsonFinite(root.ScoreStdev),
			"thisHash": fmt.Sprintf("%016X", hash),
		},
	}
	if j.ownership && root.Ownership != nil {
		sign := j.persp.ownershipSign(c)
		own := make([]float64, len(root.Ownership))
		for i, o := range root.Ownership {
			own[i] = round6(sign * float64(o))
		}
		out["ownership"] = own
	}
	if policy != nil {
		out["policy"] = policy
	}
	return out
}

// rootPolicy is the evaluator's prior for every move at g's position (a
// PriorRefiner's refined one: the network's, with the hybrid), in
// KataGo's layout: the points row-major from the top left, then pass;
// normalised over the legal moves, -1 for illegal ones.
func rootPolicy(ctx context.Context, ev mcts.Evaluator, g *board.Game) ([]float64, error) {
	n := g.Size() * g.Size()
	priors := make([]float32, n+1)
	st := g.State()
	var err error
	if r, ok := ev.(mcts.PriorRefiner); ok && r.RefineAt() > 0 {
		err = r.Refine(ctx, &st, priors) // the network's priors, which the search's root gets
	} else {
		_, err = ev.Evaluate(ctx, &st, priors)
	}
	if err != nil {
		return nil, err
	}
	out := make([]float64, n+1)
	sum := float64(max(priors[n], 0)) // pass is always legal
	for i, pt := range board.Points(g.Size()) {
		if g.Position().At(pt) != board.Empty || !g.Legal(g.ToMove(), pt) {
			out[i] = -1
			continue
		}
		out[i] = float64(max(priors[i], 0))
		sum += out[i]
	}
	out[n] = float64(max(priors[n], 0))
	legal := 0
	for _, p := range out {
		if p >= 0 {
			legal++
		}
	}
	for i, p := range out {
		switch {
		case p < 0:
		case sum > 0:
			out[i] = round6(p / sum)
		default:
			out[i] = round6(1 / float64(legal))
		}
	}
	return out, nil
}

// jsonFinite keeps NaN and infinities, which JSON cannot carry, out of a
// response.
func jsonFinite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

// round6 rounds to six decimals: shorter lines, no lost meaning.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
