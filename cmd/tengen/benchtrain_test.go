package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestBenchTrain(t *testing.T) {
	defer func(b int) { benchTrainBatch = b }(benchTrainBatch)
	benchTrainBatch = 2 // keep the test fast
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"bench", "train", "--json", "--seconds", "0.01", "--sizes", "5,6"}, nil, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var got trainTable
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(got.Rows) != 2 || got.Rows[0].Size != 5 || got.Rows[1].Size != 6 || got.BLAS == "" {
		t.Fatalf("table %+v; want rows for 5x5 and 6x6", got)
	}
	for _, r := range got.Rows {
		if r.Batch != 2 || r.Steps < 1 || !(r.PosPerSec > 0) || !(r.Loss > 0) || r.FastSteps < 1 || !(r.FastPosPerSec > 0) || !(r.FastLoss > 0) || !(r.Speedup > 0) {
			t.Errorf("bad row %+v", r)
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"bench", "train", "--seconds", "0.01", "--sizes", "5"}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "positions/s") || !strings.Contains(s, "fast pos/s") || !strings.Contains(s, " 5x5 ") {
		t.Errorf("table output:\n%s", s)
	}
	if err := run(context.Background(), []string{"bench", "train", "--seconds", "0.01", "--sizes", "1"}, nil, &out, &errb); err == nil || exitCode(err) != 2 {
		t.Errorf("size 1: err = %v; want a usage error", err)
	}
}
