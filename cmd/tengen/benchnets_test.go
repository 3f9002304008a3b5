package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestBenchNetsJSON(t *testing.T) {
	var out, errb bytes.Buffer
	args := []string{"bench", "nets", "--json", "--seconds", "0.01", "--sizes", "5", "--batches", "1,3"}
	if err := run(context.Background(), args, nil, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var got netsTable
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(got.Rows) != 2 || got.Rows[0].Batch != 1 || got.Rows[1].Batch != 3 || got.Rows[1].Size != 5 {
		t.Fatalf("rows = %+v; want 5x5 batches 1 and 3", got.Rows)
	}
	for _, r := range got.Rows {
		if !(r.FastPosPerSec > 0 && r.GorgoniaPosPerS > 0 && r.FastGFLOPs > 0) {
			t.Errorf("row %+v: rates must be positive", r)
		}
		if math.Abs(r.Ratio-r.FastPosPerSec/r.GorgoniaPosPerS) > 1e-9*r.Ratio {
			t.Errorf("row %+v: ratio is not fast/gorgonia", r)
		}
	}
	// No 19x19 batch 32 here: the headline is the last row.
	if got.HeadlineSize != 5 || got.HeadlineBatch != 3 || got.FastPosPerSec != got.Rows[1].FastPosPerSec || got.Ratio != got.Rows[1].Ratio {
		t.Errorf("headline %d/%d %v %v; want the last row", got.HeadlineSize, got.HeadlineBatch, got.FastPosPerSec, got.Ratio)
	}
	if got.SgemmGFLOPs <= 0 || got.SgemmConvGFLOPs <= 0 || got.BLAS == "" {
		t.Errorf("sgemm %v and %v GFLOP/s (%q)", got.SgemmGFLOPs, got.SgemmConvGFLOPs, got.BLAS)
	}
	if !strings.HasPrefix(got.SgemmShape, "1024x1024x1024,") {
		t.Errorf("sgemm_shape %q; want the fixed 1024^3 product", got.SgemmShape)
	}
	for _, r := range got.Rows {
		if math.Abs(r.ShareOfSgemm-r.FastGFLOPs/got.SgemmGFLOPs) > 1e-9 || math.Abs(r.ShareOfSgemmConv-r.FastGFLOPs/got.SgemmConvGFLOPs) > 1e-9 {
			t.Errorf("row %+v: shares are not fast over the sgemm rates", r)
		}
	}
	// The raw JSON has the documented top-level keys.
	var raw map[string]any
	json.Unmarshal(out.Bytes(), &raw)
	for _, k := range []string{"fast_pos_per_s", "gorgonia_pos_per_s", "ratio", "rows", "sgemm_gflops", "sgemm_conv_gflops"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
}

func TestBenchNetsBadBatch(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"bench", "nets", "--seconds", "0.01", "--sizes", "5", "--batches", "0"}, nil, &out, &out)
	if err == nil || exitCode(err) != 2 {
		t.Fatalf("err = %v; want a usage error", err)
	}
}
