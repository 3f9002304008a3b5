package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/nets/cuda"
)

// noGPU skips t where the GPU backend works (the tests here check the
// fallback and the error of a machine without one).
func noGPU(t *testing.T) {
	t.Helper()
	t.Setenv(cuda.EnvLibDir, "")
	if _, err := cuda.Probe(cuda.Options{}); err == nil {
		t.Skip("a GPU is usable here")
	}
}

// fallbackLines returns the lines of stderr that announce the fallback.
func fallbackLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "tengen: cuda unavailable (") {
			out = append(out, l)
		}
	}
	return out
}

// TestBackendAuto checks that --backend auto plays on the CPU here and
// says why in exactly one line, though two networks (the embedded 9x9 and
// 19x19 ones) are loaded.
func TestBackendAuto(t *testing.T) {
	noGPU(t)
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"gtp", "--backend", "auto", "--visits", "8", "--threads", "1", "--seed", "1"},
		strings.NewReader("boardsize 9\ngenmove b\nquit\n"), &out, &errb)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if !strings.HasPrefix(strings.Split(out.String(), "\n\n")[1], "= ") {
		t.Errorf("genmove failed:\n%s", out.String())
	}
	lines := fallbackLines(errb.String())
	if len(lines) != 1 || !strings.HasSuffix(lines[0], "); using the CPU backend") || !strings.Contains(lines[0], "(nets/cuda: ") {
		t.Errorf("fallback lines %q; want one \"tengen: cuda unavailable (nets/cuda: ...); using the CPU backend\"\nstderr:\n%s", lines, errb.String())
	}
}

// TestBackendCUDA checks that --backend cuda fails here with the
// backend's error: a missing driver, or a binary without GPU support.
func TestBackendCUDA(t *testing.T) {
	noGPU(t)
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"gtp", "--backend", "cuda"}, strings.NewReader("quit\n"), &out, &errb)
	if err == nil || !errors.Is(err, cuda.ErrUnavailable) || !strings.HasPrefix(err.Error(), "nets/cuda: ") {
		t.Fatalf("gtp --backend cuda = %v; want the nets/cuda error", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "libcuda.so.1 not found (searched ") && !strings.Contains(msg, "tengen_nocuda") {
		t.Errorf("error %q names neither the missing driver nor the build tag", msg)
	}
	if len(fallbackLines(errb.String())) != 0 {
		t.Errorf("--backend cuda fell back:\n%s", errb.String())
	}
	err = run(context.Background(), []string{"bench", "nets", "--backend", "cuda", "--sizes", "5"}, nil, &out, &errb)
	if !errors.Is(err, cuda.ErrUnavailable) {
		t.Errorf("bench nets --backend cuda = %v; want the nets/cuda error", err)
	}
}

// TestBenchNetsAuto checks that bench nets --backend auto measures the
// CPU table after one fallback line.
func TestBenchNetsAuto(t *testing.T) {
	noGPU(t)
	var out, errb bytes.Buffer
	args := []string{"bench", "nets", "--backend", "auto", "--json", "--seconds", "0.01", "--sizes", "5", "--batches", "1"}
	if err := run(context.Background(), args, nil, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var got netsTable
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || len(got.Rows) != 1 || got.Rows[0].FastPosPerSec <= 0 {
		t.Fatalf("table %+v (%v)\n%s", got, err, out.String())
	}
	if n := len(fallbackLines(errb.String())); n != 1 {
		t.Errorf("%d fallback lines:\n%s", n, errb.String())
	}
}

// TestBackendFlags checks that every command that runs networks takes the
// backend flags, and that a bad value is a usage error.
func TestBackendFlags(t *testing.T) {
	for _, args := range [][]string{
		{"gtp", "--backend", "auto", "--cuda-lib-dir", "/x"},
		{"eval", "--backend", "cuda", "--cuda-lib-dir", "/x"},
		{"selfplay", "--backend", "auto"},
		{"gate", "--backend", "cpu"},
		{"loop", "--net-backend", "auto", "--backend", "fast"},
		{"bench", "--backend", "cuda"},
	} {
		if err := checkCommandLine(args); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	for _, args := range [][]string{
		{"gtp", "--backend", "gpu"},
		{"bench", "nets", "--backend", "tpu"},
		{"eval", "--backend", "x", "some.sgf"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), args, strings.NewReader(""), &out, &out); exitCode(err) != 2 {
			t.Errorf("%q = %v; want a usage error", args, err)
		}
	}
}
