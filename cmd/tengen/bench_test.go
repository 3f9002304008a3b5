package main

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

func TestBenchPlayoutsJSON(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"bench", "playouts", "--json", "--seconds", "0.05", "--sizes", "5,9"}, nil, &out, &errb)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var got playoutTable
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	// Light and heavy for each size, in the same run.
	if len(got.Rows) != 4 {
		t.Fatalf("%d rows; want 4: %+v", len(got.Rows), got)
	}
	for i, want := range []struct {
		size   int
		policy string
	}{{5, "light"}, {5, "heavy"}, {9, "light"}, {9, "heavy"}} {
		r := got.Rows[i]
		if r.Size != want.size || r.Policy != want.policy || r.PlayoutsPerSec <= 0 || r.RatioToLight <= 0 {
			t.Fatalf("row %d = %+v; want size %d policy %s", i, r, want.size, want.policy)
		}
		if r.Size == 9 && r.MovesPerPlayout < 20 {
			t.Fatalf("row %d: %v moves per playout", i, r.MovesPerPlayout)
		}
	}
	if got.Rows[0].RatioToLight != 1 {
		t.Fatalf("light row ratio %v; want 1", got.Rows[0].RatioToLight)
	}
	// The JSON carries the policy by name.
	var raw struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if raw.Rows[0]["policy"] != "light" || raw.Rows[1]["policy"] != "heavy" {
		t.Fatalf("policies %v, %v; want light, heavy", raw.Rows[0]["policy"], raw.Rows[1]["policy"])
	}
}

func TestBenchPlayoutsTable(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"bench", "playouts", "--seconds", "0.02", "--sizes", "5", "--policies", "heavy"}, nil, &out, &errb)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[2], "heavy") || strings.Contains(out.String(), "light ") {
		t.Fatalf("table:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"bench", "playouts", "--policies", "medium"}, nil, &out, &out); err == nil || exitCode(err) != 2 {
		t.Fatalf("unknown policy: err = %v", err)
	}
}

func TestBenchUnknownTarget(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"bench", "nope"}, nil, &out, &out); err == nil || exitCode(err) != 2 {
		t.Fatalf("err = %v", err)
	}
}

// TestBenchSearchJSON: network rows on 1 and 2 cores with one goroutine
// per core and tengen gtp's count, over one backend and over the pool
// (one backend per core), each with its raw throughput and overhead;
// hybrid and playout rows; GOMAXPROCS restored.
func TestBenchSearchJSON(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"bench", "search", "--json", "--seconds", "0.05", "--sizes", "5"}, nil, &out, &errb)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if runtime.GOMAXPROCS(0) != procs {
		t.Errorf("GOMAXPROCS %d after the bench; was %d", runtime.GOMAXPROCS(0), procs)
	}
	var got searchTable
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	pool, kinds := false, map[string]int{}
	for _, r := range got.Rows {
		kinds[r.Evaluator]++
		if r.Size != 5 || r.VisitsPS <= 0 || r.Goroutines < r.Threads || r.Threads < 1 || r.Threads > 2 {
			t.Fatalf("row %+v", r)
		}
		if r.Evaluator == "network" {
			if r.RawPS <= 0 || r.Overhead <= 0 || r.MeanBatch < 1 || r.Precision != "fp32" || r.Backends < 1 || r.Backends > r.Threads {
				t.Fatalf("network row %+v", r)
			}
			pool = pool || r.Backends == 2 && r.Threads == 2
		}
		if r.Evaluator == "playouts" && (r.ExpandVisits != 1 || r.NodesPerVisit <= 0) {
			t.Fatalf("playout row %+v: want expand_visits 1 on 5x5 and nodes per visit", r)
		}
	}
	if !pool || kinds["network"] != 5 || kinds["hybrid"] != 2 || kinds["playouts"] != 2 {
		t.Fatalf("rows by evaluator %v, pool row %v; want 5 network (one on the pool), 2 hybrid, 2 playouts:\n%s", kinds, pool, out.String())
	}
}

// TestBenchPlayJSON: bench play measures the gtp engine with its
// defaults: on 9x9 (the embedded v3 network, searched by the network)
// one row per --feature-playouts with the first as the baseline, on 7x7
// (no network) one playout row.
func TestBenchPlayJSON(t *testing.T) {
	if ws, _ := embeddedNets(); len(ws) == 0 {
		t.Skip("no embedded networks")
	}
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"bench", "play", "--json", "--seconds", "0.05", "--sizes", "9,7", "--feature-playouts", "16,2"}, nil, &out, &errb)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var got playTable
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(got.Rows) != 3 {
		t.Fatalf("%d rows; want 2 for 9x9 and 1 for 7x7:\n%s", len(got.Rows), out.String())
	}
	for i, want := range []struct {
		size int
		eval string
		fp   int
	}{{9, "net", 16}, {9, "net", 2}, {7, "playouts", 0}} {
		r := got.Rows[i]
		if r.Size != want.size || r.Evaluator != want.eval || r.FeaturePlayouts != want.fp || r.Positions != playPositions || r.Visits <= 0 || r.VisitsPS <= 0 {
			t.Errorf("row %d: %+v; want %dx%d %s with %d feature playouts", i, r, want.size, want.size, want.eval, want.fp)
		}
	}
	if got.Rows[0].XBaseline != 1 || got.Rows[2].XBaseline != 1 || got.Rows[1].XBaseline <= 0 {
		t.Errorf("x_baseline %v, %v, %v; want 1 for each size's first row", got.Rows[0].XBaseline, got.Rows[1].XBaseline, got.Rows[2].XBaseline)
	}
	if err := run(context.Background(), []string{"bench", "play", "--feature-playouts", "-1"}, nil, &out, &errb); exitCode(err) != 2 {
		t.Errorf("--feature-playouts -1: %v; want a usage error", err)
	}
}
