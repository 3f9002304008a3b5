package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tengen-go/tengen/board"
)

// analysisArgs are small searches on the playout evaluator.
var analysisArgs = []string{"analysis", "--visits", "20", "--evaluator", "playouts", "--threads", "2", "--seed", "1"}

// runAnalysisLines runs "tengen analysis" in process on the input lines
// and returns its response lines, decoded, and stderr.
func runAnalysisLines(t *testing.T, args []string, input string) ([]map[string]any, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(context.Background(), args, strings.NewReader(input), &out, &errb); err != nil {
		t.Fatalf("run: %v\n%s", err, errb.String())
	}
	var msgs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("response is not one JSON object per line: %v\n%s", err, line)
		}
		msgs = append(msgs, m)
	}
	return msgs, errb.String()
}

// analysisReplies sorts the messages: final analyses by id, reports
// during the search by id, and warnings and errors by id (""
// without one).
type analysisReplies struct {
	final, during     map[string][]map[string]any
	warnings, errors_ map[string][]map[string]any
	other             map[string]map[string]any // actions' answers
}

func sortReplies(t *testing.T, msgs []map[string]any) analysisReplies {
	t.Helper()
	r := analysisReplies{final: map[string][]map[string]any{}, during: map[string][]map[string]any{},
		warnings: map[string][]map[string]any{}, errors_: map[string][]map[string]any{}, other: map[string]map[string]any{}}
	for _, m := range msgs {
		id, _ := m["id"].(string)
		switch {
		case m["error"] != nil:
			r.errors_[id] = append(r.errors_[id], m)
		case m["warning"] != nil:
			r.warnings[id] = append(r.warnings[id], m)
		case m["action"] != nil:
			r.other[id] = m
		case m["isDuringSearch"] == true:
			r.during[id] = append(r.during[id], m)
		case m["isDuringSearch"] == false:
			r.final[id] = append(r.final[id], m)
		default:
			t.Errorf("unexpected response %v", m)
		}
	}
	return r
}

// analysisWant is what a response must show beyond the schema.
type analysisWant struct {
	size      int
	toMove    string // "B" or "W"
	ownership bool
	policy    bool
	occupied  []string // points the policy must mark -1
}

// checkAnalysis checks one analysis response against KataGo's documented
// schema (docs/Analysis_Engine.md).
func checkAnalysis(t *testing.T, m map[string]any, want analysisWant) {
	t.Helper()
	id, _ := m["id"].(string)
	num := func(v any, what string) float64 {
		t.Helper()
		f, ok := v.(float64)
		if !ok {
			t.Fatalf("%s: %s = %v (%T); want a number", id, what, v, v)
		}
		return f
	}
	integer := func(v any, what string) int {
		t.Helper()
		f := num(v, what)
		if f != math.Trunc(f) {
			t.Fatalf("%s: %s = %v; want an integer", id, what, f)
		}
		return int(f)
	}
	in := func(v any, lo, hi float64, what string) float64 {
		t.Helper()
		f := num(v, what)
		if f < lo || f > hi {
			t.Errorf("%s: %s = %v; want [%v, %v]", id, what, f, lo, hi)
		}
		return f
	}
	integer(m["turnNumber"], "turnNumber")
	if m["isDuringSearch"] != false {
		t.Errorf("%s: isDuringSearch = %v; want false", id, m["isDuringSearch"])
	}
	infos, ok := m["moveInfos"].([]any)
	if !ok || len(infos) == 0 {
		t.Fatalf("%s: moveInfos = %v; want a non-empty list", id, m["moveInfos"])
	}
	sum := 0
	for i, v := range infos {
		mi, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: moveInfos[%d] = %v", id, i, v)
		}
		for _, k := range []string{"move", "visits", "winrate", "scoreLead", "scoreMean", "scoreStdev", "prior", "lcb", "utility", "utilityLcb", "order", "pv"} {
			if _, ok := mi[k]; !ok {
				t.Errorf("%s: moveInfos[%d] has no %s: %v", id, i, k, mi)
			}
		}
		move, _ := mi["move"].(string)
		if _, err := board.ParseGTP(move, want.size); err != nil {
			t.Errorf("%s: moveInfos[%d].move %q: %v", id, i, move, err)
		}
		if o := integer(mi["order"], "order"); o != i {
			t.Errorf("%s: moveInfos[%d].order = %d; want sorted by order", id, i, o)
		}
		sum += integer(mi["visits"], "visits")
		in(mi["winrate"], 0, 1, "winrate")
		in(mi["prior"], 0, 1, "prior")
		in(mi["utility"], -1, 1, "utility")
		num(mi["lcb"], "lcb")
		num(mi["utilityLcb"], "utilityLcb")
		if num(mi["scoreMean"], "scoreMean") != num(mi["scoreLead"], "scoreLead") {
			t.Errorf("%s: scoreMean %v != scoreLead %v", id, mi["scoreMean"], mi["scoreLead"])
		}
		in(mi["scoreStdev"], 0, math.Inf(1), "scoreStdev")
		pv, ok := mi["pv"].([]any)
		if !ok || len(pv) == 0 || pv[0] != move {
			t.Errorf("%s: moveInfos[%d].pv = %v; want a list starting with %s", id, i, mi["pv"], move)
		}
		for _, p := range pv {
			if s, ok := p.(string); !ok {
				t.Errorf("%s: pv entry %v is not a string", id, p)
			} else if _, err := board.ParseGTP(s, want.size); err != nil {
				t.Errorf("%s: pv entry %q: %v", id, s, err)
			}
		}
		if _, ok := mi["ownership"]; ok {
			t.Errorf("%s: moveInfos[%d] has ownership, which is not supported", id, i)
		}
	}
	root, ok := m["rootInfo"].(map[string]any)
	if !ok {
		t.Fatalf("%s: rootInfo = %v", id, m["rootInfo"])
	}
	if v := integer(root["visits"], "rootInfo.visits"); v < sum {
		t.Errorf("%s: rootInfo.visits %d < %d, the moves' visits", id, v, sum)
	}
	in(root["winrate"], 0, 1, "rootInfo.winrate")
	in(root["utility"], -1, 1, "rootInfo.utility")
	num(root["scoreLead"], "rootInfo.scoreLead")
	if root["currentPlayer"] != want.toMove {
		t.Errorf("%s: rootInfo.currentPlayer = %v; want %s", id, root["currentPlayer"], want.toMove)
	}
	own, hasOwn := m["ownership"].([]any)
	if hasOwn != want.ownership {
		t.Errorf("%s: ownership present %v; want %v", id, hasOwn, want.ownership)
	}
	if hasOwn {
		if len(own) != want.size*want.size {
			t.Errorf("%s: %d ownership values; want %d", id, len(own), want.size*want.size)
		}
		for _, o := range own {
			in(o, -1, 1, "ownership")
		}
	}
	pol, hasPol := m["policy"].([]any)
	if hasPol != want.policy {
		t.Errorf("%s: policy present %v; want %v", id, hasPol, want.policy)
	}
	if hasPol {
		if len(pol) != want.size*want.size+1 {
			t.Fatalf("%s: %d policy values; want %d", id, len(pol), want.size*want.size+1)
		}
		total := 0.0
		for _, p := range pol {
			if f := num(p, "policy"); f != -1 {
				total += in(f, 0, 1, "policy")
			}
		}
		if math.Abs(total-1) > 1e-3 {
			t.Errorf("%s: legal policy sums to %v; want 1", id, total)
		}
		for _, s := range want.occupied {
			pt, _ := board.ParseGTP(s, want.size)
			x, y := pt.XY()
			if p := pol[y*want.size+x]; p != -1.0 {
				t.Errorf("%s: policy at occupied %s = %v; want -1", id, s, p)
			}
		}
	}
}

// TestAnalysisKaTrainQueries feeds queries shaped like KaTrain's (its
// command line included) and checks every response against the schema.
func TestAnalysisKaTrainQueries(t *testing.T) {
	input, err := os.ReadFile("testdata/analysis/katrain-queries.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	args := append(slices.Clone(analysisArgs), "-model", "kata1.bin.gz", "-config", "analysis.cfg", "-analysis-threads", "8")
	msgs, stderr := runAnalysisLines(t, args, string(input))
	if !strings.Contains(stderr, "ignoring KataGo's options -model kata1.bin.gz -config analysis.cfg -analysis-threads 8") {
		t.Errorf("no note of the ignored KataGo options on stderr:\n%s", stderr)
	}
	r := sortReplies(t, msgs)
	if len(r.errors_) > 0 {
		t.Errorf("errors: %v", r.errors_)
	}
	for _, tc := range []struct {
		id   string
		want []analysisWant
	}{
		{"QUERY:1", []analysisWant{{size: 9, toMove: "W", ownership: true, policy: true, occupied: []string{"E5", "C3", "G7"}}}},
		{"QUERY:2", []analysisWant{
			{size: 9, toMove: "B", policy: true},
			{size: 9, toMove: "W", policy: true, occupied: []string{"E5"}},
			{size: 9, toMove: "B", policy: true, occupied: []string{"E5", "C3"}},
		}},
		{"QUERY:3", []analysisWant{{size: 19, toMove: "B", ownership: true, policy: true, occupied: []string{"D4", "Q16", "Q4"}}}},
		{"QUERY:4", []analysisWant{{size: 9, toMove: "W", policy: true}}},
		{"QUERY:5", []analysisWant{{size: 9, toMove: "B"}}},
	} {
		got := r.final[tc.id]
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d responses; want %d", tc.id, len(got), len(tc.want))
			continue
		}
		for i, m := range got {
			if turn, _ := m["turnNumber"].(float64); len(tc.want) > 1 && int(turn) != i {
				t.Errorf("%s: response %d for turn %v; want %d", tc.id, i, turn, i)
			}
			checkAnalysis(t, m, tc.want[i])
		}
	}
	for _, mi := range r.final["QUERY:4"][0]["moveInfos"].([]any) {
		if mv := mi.(map[string]any)["move"]; mv == "C7" || mv == "D6" || mv == "pass" {
			t.Errorf("QUERY:4 avoids C7, D6 and pass, yet moveInfos has %v", mv)
		}
	}
	fields := map[string]bool{}
	for _, w := range r.warnings["QUERY:1"] {
		fields[w["field"].(string)] = true
	}
	for _, f := range []string{"includeMovesOwnership", "rules", "overrideSettings"} {
		if !fields[f] {
			t.Errorf("QUERY:1: no warning for %s; got %v", f, r.warnings["QUERY:1"])
		}
	}
	if len(r.warnings["QUERY:2"]) > 0 || len(r.warnings["QUERY:3"]) > 0 {
		t.Errorf("warnings for clean queries: %v %v", r.warnings["QUERY:2"], r.warnings["QUERY:3"])
	}
	if v := r.other["QUERY:6"]; v["action"] != "query_version" || v["version"] != version || v["git_hash"] == nil {
		t.Errorf("query_version answer %v", v)
	}
	if v := r.other["QUERY:7"]; v["action"] != "clear_cache" {
		t.Errorf("clear_cache answer %v", v)
	}
}

// TestAnalysisErrors: bad lines get an error (with the id and field
// where known) and the engine goes on; unknown fields get a warning and
// the analysis.
func TestAnalysisErrors(t *testing.T) {
	const game = `"rules":"chinese","komi":7,"boardXSize":9,"boardYSize":9`
	input := strings.Join([]string{
		`this is not json`,
		`{"moves":[],` + game + `}`,
		`{"id":"illegal","moves":[["B","E5"],["W","E5"]],` + game + `}`,
		`{"id":"offboard","moves":[["B","K5"]],` + game + `}`,
		`{"id":"nonsquare","moves":[],"rules":"chinese","komi":7,"boardXSize":9,"boardYSize":13}`,
		`{"id":"toobig","moves":[],"rules":"chinese","komi":7,"boardXSize":26,"boardYSize":26}`,
		`{"id":"nosize","moves":[],"rules":"chinese","komi":7}`,
		`{"id":"turns","moves":[["B","E5"]],"analyzeTurns":[2],` + game + `}`,
		`{"id":"komi","moves":[],"rules":"chinese","komi":7.3,"boardXSize":9,"boardYSize":9}`,
		`{"id":"rules","moves":[],"rules":"calvinball","komi":7,"boardXSize":9,"boardYSize":9}`,
		`{"id":"visits","moves":[],"maxVisits":"many",` + game + `}`,
		`{"id":"action","action":"dance"}`,
		`{"id":"unknown","moves":[["B","E5"]],"fooBar":1,` + game + `}`,
	}, "\n")
	msgs, _ := runAnalysisLines(t, analysisArgs, input)
	r := sortReplies(t, msgs)
	for _, tc := range []struct{ id, field, text string }{
		{"", "", "could not parse JSON"},
		{"", "id", "no id"},
		{"illegal", "moves", "Illegal move 1"},
		{"offboard", "moves", "K5"},
		{"nonsquare", "boardYSize", "square"},
		{"toobig", "boardXSize", "26"},
		{"nosize", "boardXSize", "required"},
		{"turns", "analyzeTurns", "2"},
		{"komi", "komi", "7.3"},
		{"rules", "rules", "calvinball"},
		{"visits", "maxVisits", "integer"},
		{"action", "action", "dance"},
	} {
		found := false
		for _, e := range r.errors_[tc.id] {
			msg, _ := e["error"].(string)
			field, _ := e["field"].(string)
			if field == tc.field && strings.Contains(msg, tc.text) {
				found = true
			}
		}
		if !found {
			t.Errorf("no error for %q with field %q containing %q; errors: %v", tc.id, tc.field, tc.text, r.errors_[tc.id])
		}
		if len(r.final[tc.id]) > 0 && tc.id != "" {
			t.Errorf("%s: analysed despite the error", tc.id)
		}
	}
	if w := r.warnings["unknown"]; len(w) != 1 || w[0]["field"] != "fooBar" {
		t.Errorf("unknown field: warnings %v; want one for fooBar", w)
	}
	if got := r.final["unknown"]; len(got) != 1 {
		t.Fatalf("unknown field: %d analyses; want 1", len(got))
	}
	checkAnalysis(t, r.final["unknown"][0], analysisWant{size: 9, toMove: "W"})
}

// lopsided is a 9x9 position that Black owns entirely (walls on the C and
// G columns), White to move.
const lopsided = `"initialStones":[["B","C1"],["B","C2"],["B","C3"],["B","C4"],["B","C5"],["B","C6"],["B","C7"],["B","C8"],["B","C9"],` +
	`["B","G1"],["B","G2"],["B","G3"],["B","G4"],["B","G5"],["B","G6"],["B","G7"],["B","G8"],["B","G9"]],` +
	`"initialPlayer":"W","moves":[],"rules":"tromp-taylor","komi":7.5,"boardXSize":9,"boardYSize":9,"includeOwnership":true,"maxVisits":40`

// TestAnalysisPerspective: reportAnalysisWinratesAs (and --report-as)
// turn winrates, score leads and ownership to Black, White or the side to
// move, checked by their signs in a position Black owns.
func TestAnalysisPerspective(t *testing.T) {
	input := strings.Join([]string{
		`{"id":"default",` + lopsided + `}`,
		`{"id":"black","overrideSettings":{"reportAnalysisWinratesAs":"BLACK"},` + lopsided + `}`,
		`{"id":"white","overrideSettings":{"reportAnalysisWinratesAs":"WHITE"},` + lopsided + `}`,
		`{"id":"stm","overrideSettings":{"reportAnalysisWinratesAs":"SIDETOMOVE"},` + lopsided + `}`,
	}, "\n")
	check := func(r analysisReplies, id string, sign float64) (winrate float64) {
		t.Helper()
		got := r.final[id]
		if len(got) != 1 {
			t.Fatalf("%s: %d responses; want 1 (errors %v)", id, len(got), r.errors_)
		}
		m := got[0]
		checkAnalysis(t, m, analysisWant{size: 9, toMove: "W", ownership: true})
		root := m["rootInfo"].(map[string]any)
		w, lead := root["winrate"].(float64), root["scoreLead"].(float64)
		best := m["moveInfos"].([]any)[0].(map[string]any)
		own := 0.0
		for _, o := range m["ownership"].([]any) {
			own += o.(float64) / 81
		}
		if sign*lead < 20 || sign*best["scoreLead"].(float64) < 20 || sign*(w-0.5) < 0.2 || sign*own < 0.5 {
			t.Errorf("%s: scoreLead %.1f, best move's %.1f, winrate %.2f, mean ownership %.2f; want the sign %+v", id, lead, best["scoreLead"], w, own, sign)
		}
		return w
	}
	r := sortReplies(t, func() []map[string]any { m, _ := runAnalysisLines(t, analysisArgs, input); return m }())
	check(r, "default", +1)
	wb := check(r, "black", +1)
	ww := check(r, "white", -1)
	check(r, "stm", -1) // White to move
	if math.Abs(wb+ww-1) > 0.2 {
		t.Errorf("winrates for Black %.3f and White %.3f do not add up to about 1", wb, ww)
	}

	args := append(slices.Clone(analysisArgs), "--report-as", "WHITE")
	msgs, _ := runAnalysisLines(t, args, `{"id":"flag",`+lopsided+`}`)
	check(sortReplies(t, msgs), "flag", -1)
}

// TestAnalysisTerminate: terminate drops queued turns (answered with
// noResults) and stops a running search; every turn still ends with
// exactly one final response. reportDuringSearchEvery reports midway.
func TestAnalysisTerminate(t *testing.T) {
	const game = `"rules":"chinese","komi":7,"boardXSize":9,"boardYSize":9`
	input := strings.Join([]string{
		`{"id":"long","moves":[],"maxVisits":100000000,"overrideSettings":{"maxTime":60},` + game + `}`,
		`{"id":"multi","moves":[["B","E5"],["W","C3"]],"analyzeTurns":[0,1,2],` + game + `}`,
		`{"id":"t1","action":"terminate","terminateId":"multi","turnNumbers":[1,2]}`,
		`{"id":"t2","action":"terminate","terminateId":"long"}`,
		`{"id":"every","moves":[],"maxVisits":100000000,"overrideSettings":{"maxTime":0.6},"reportDuringSearchEvery":0.1,` + game + `}`,
	}, "\n")
	start := time.Now()
	msgs, _ := runAnalysisLines(t, analysisArgs, input)
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %v: the long query was not terminated", d)
	}
	r := sortReplies(t, msgs)
	if len(r.errors_) > 0 {
		t.Errorf("errors: %v", r.errors_)
	}
	for _, id := range []string{"t1", "t2"} {
		if a := r.other[id]; a["action"] != "terminate" || a["terminateId"] == nil {
			t.Errorf("terminate %s acknowledged as %v; want the query echoed", id, a)
		}
	}
	if n := len(r.final["long"]); n != 1 {
		t.Errorf("long: %d final responses; want 1", n)
	}
	multi := r.final["multi"]
	if len(multi) != 3 {
		t.Fatalf("multi: %d final responses; want 3", len(multi))
	}
	for _, m := range multi {
		turn := m["turnNumber"].(float64)
		if noRes := m["noResults"] == true; noRes != (turn > 0) {
			t.Errorf("multi turn %v: noResults %v; want it for the terminated turns 1 and 2 only", turn, m["noResults"])
		}
		if turn == 0 {
			checkAnalysis(t, m, analysisWant{size: 9, toMove: "B"})
		}
	}
	if n := len(r.final["every"]); n != 1 {
		t.Errorf("every: %d final responses; want 1", n)
	}
	if len(r.during["every"]) == 0 {
		t.Errorf("every: no reports during the search")
	}
	for _, m := range r.during["every"] {
		if _, ok := m["moveInfos"].([]any); !ok {
			t.Errorf("report during the search without moveInfos: %v", m)
		}
	}
}

func TestStripKataGoArgs(t *testing.T) {
	for _, tc := range []struct {
		in, rest, ignored string
	}{
		{"-model m.bin.gz -config a.cfg -analysis-threads 4 --visits 9", "--visits 9", "-model m.bin.gz -config a.cfg -analysis-threads 4"},
		{"--visits 9 -override-config maxVisits=5 -quit-without-waiting", "--visits 9", "-override-config maxVisits=5 -quit-without-waiting"},
		{"-config=a.cfg --threads 2", "--threads 2", "-config=a.cfg"},
		{"--visits 9", "--visits 9", ""},
	} {
		rest, ignored := stripKataGoArgs(strings.Fields(tc.in))
		if strings.Join(rest, " ") != tc.rest || strings.Join(ignored, " ") != tc.ignored {
			t.Errorf("stripKataGoArgs(%q) = %q, %q; want %q, %q", tc.in, rest, ignored, tc.rest, tc.ignored)
		}
	}
}

// FuzzAnalysisQuery: no query line makes the parser panic, and every
// query it accepts replays to a game for each of its turns.
func FuzzAnalysisQuery(f *testing.F) {
	if data, err := os.ReadFile("testdata/analysis/katrain-queries.jsonl"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f.Add(line)
		}
	}
	f.Add(`{"id":"x",` + lopsided + `}`)
	f.Add(`{"id":"x","moves":[["B","(2,3)"],["W","pass"]],"rules":{"ko":"SITUATIONAL","scoring":"TERRITORY"},"boardXSize":5,"boardYSize":5}`)
	a := &analyzer{eng: &engine{cfg: engineConfig{evaluator: "playouts"}}}
	f.Fuzz(func(t *testing.T, line string) {
		var fields map[string]json.RawMessage
		if json.Unmarshal([]byte(line), &fields) != nil || fields == nil {
			return
		}
		_, jobs, _, fe := a.parseQuery(fields)
		if fe != nil {
			return
		}
		for _, j := range jobs {
			if _, err := j.q.game(j.turn); err != nil {
				t.Fatalf("accepted %s, yet turn %d does not replay: %v", line, j.turn, err)
			}
		}
	})
}
