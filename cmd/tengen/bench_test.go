package main

import (
	"bytes"
	"context"
	"encoding/json"
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
	if len(got.Rows) != 2 || got.Rows[1].Size != 9 || got.Rows[1].PlayoutsPerSec <= 0 || got.Rows[1].MovesPerPlayout < 20 {
		t.Fatalf("bad table %+v", got)
	}
}

func TestBenchUnknownTarget(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"bench", "nope"}, nil, &out, &out); err == nil || exitCode(err) != 2 {
		t.Fatalf("err = %v", err)
	}
}
