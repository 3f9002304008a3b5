package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestBenchTrainPipeline(t *testing.T) {
	defer func(b int) { benchTrainBatch = b }(benchTrainBatch)
	benchTrainBatch = 2
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"bench", "train-pipeline", "--json", "--seconds", "0.2", "--sizes", "7"}, nil, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var got pipelineTable
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(got.Rows) != 1 {
		t.Fatalf("table %+v", got)
	}
	if r := got.Rows[0]; r.Size != 7 || r.Batch != 2 || r.Steps < 1 || !(r.PosPerSec > 0) || !(r.ExamplesSec > 0) {
		t.Errorf("bad row %+v", r)
	}
	out.Reset()
	if err := run(context.Background(), []string{"bench", "train-pipeline", "--seconds", "0.1", "--sizes", "5"}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "positions/s") || !strings.Contains(s, " 5x5 ") {
		t.Errorf("table output:\n%s", s)
	}
}
