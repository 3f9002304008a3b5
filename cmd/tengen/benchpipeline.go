package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/tengen-go/tengen/dataset"
	"github.com/tengen-go/tengen/internal/gamegen"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/tape"
	"github.com/tengen-go/tengen/train"
)

func init() {
	benchmarks["train-pipeline"] = benchTrainPipeline
}

// pipelineRow is one board size's speed of the whole training pipeline:
// SGF records -> encoded examples -> shuffle buffer -> batches -> Step.
type pipelineRow struct {
	Size        int     `json:"size"`
	Batch       int     `json:"batch"`
	Games       int     `json:"games"`
	ExamplesSec float64 `json:"examples_per_s"` // SGF -> encoded examples alone, one goroutine
	Steps       int64   `json:"steps"`
	Seconds     float64 `json:"seconds"`
	PosPerSec   float64 `json:"positions_per_s"` // training, whole pipeline
	MsPerStep   float64 `json:"ms_per_step"`
}

type pipelineTable struct {
	Network string        `json:"network"`
	BLAS    string        `json:"blas"`
	Threads int           `json:"threads"`
	Rows    []pipelineRow `json:"rows"`
}

func (t pipelineTable) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "training pipeline (generated games -> examples -> shuffle buffer -> batches -> gorgonia step), %s network, BLAS %s, %d threads\n", t.Network, t.BLAS, t.Threads)
	fmt.Fprintf(&b, "%5s %5s %12s %6s %12s %10s\n", "size", "batch", "examples/s", "steps", "positions/s", "ms/step")
	for _, r := range t.Rows {
		fmt.Fprintf(&b, "%2dx%-2d %5d %12.0f %6d %12.1f %10.1f\n", r.Size, r.Size, r.Batch, r.ExamplesSec, r.Steps, r.PosPerSec, r.MsPerStep)
	}
	return b.String()
}

// benchTrainPipeline measures, per board size, how fast encoded examples
// come out of SGF records, then trains the default network through
// train.Run for o.seconds and reports its positions/s (from the first to
// the last step, the shuffle buffer's initial fill excluded).
func benchTrainPipeline(ctx context.Context, e env, o benchOptions) (any, error) {
	t := pipelineTable{Network: "default", BLAS: tape.BLAS(), Threads: runtime.GOMAXPROCS(0)}
	tmp, err := os.MkdirTemp("", "tengen-bench-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for _, size := range o.sizes {
		spec := nets.DefaultSpec(size)
		if err := spec.Validate(); err != nil {
			return nil, usageError("board size %d: %v", size, err)
		}
		const games = 40
		dir, err := gamegen.Write(filepath.Join(tmp, fmt.Sprintf("games%d", size)), games, size, o.seed)
		if err != nil {
			return nil, err
		}
		row := pipelineRow{Size: size, Batch: benchTrainBatch, Games: games}
		exCfg := dataset.ExampleConfig{Paths: []string{dir}, Filter: dataset.Filter{Size: size}, Symmetries: true, Seed: o.seed, Passes: true}
		n, start := 0, time.Now()
		if _, err := dataset.Examples(ctx, exCfg, func(int, *dataset.Example) error { n++; return nil }); err != nil {
			return nil, err
		}
		row.ExamplesSec = float64(n) / time.Since(start).Seconds()

		w, err := nets.NewWeights(spec, rand.New(rand.NewPCG(o.seed, uint64(size))))
		if err != nil {
			return nil, err
		}
		cfg := train.DefaultConfig()
		cfg.Dir = filepath.Join(tmp, fmt.Sprintf("run%d", size))
		cfg.Init = w
		cfg.Options.BatchSize = benchTrainBatch
		cfg.Steps = 1 << 40
		cfg.CheckpointEvery = 1 << 40
		cfg.BufferSize = 1000
		cfg.SaveBuffer = false
		cfg.LogEvery = 1
		// The clock starts at the first progress line (after the graph is
		// built and the shuffle buffer filled).
		rctx, cancel := context.WithCancel(ctx)
		stop := &stopAfter{d: time.Duration(o.seconds * float64(time.Second)), cancel: cancel}
		_, err = train.Run(rctx, cfg, &train.SGFSource{Config: exCfg}, stop)
		cancel()
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		first, last, err := trainSpan(filepath.Join(cfg.Dir, "metrics.jsonl"))
		if err != nil {
			return nil, fmt.Errorf("bench train-pipeline %dx%d: %w (try more --seconds)", size, size, err)
		}
		row.Steps = last.Step - first.Step
		row.Seconds = last.Seconds - first.Seconds
		row.PosPerSec = float64(last.Positions-first.Positions) / row.Seconds
		row.MsPerStep = 1000 * row.Seconds / float64(row.Steps)
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// trainSpan returns the first and last train records of a metrics log.
func trainSpan(path string) (first, last train.Record, err error) {
	f, err := os.Open(path)
	if err != nil {
		return first, last, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r train.Record
		if json.Unmarshal(sc.Bytes(), &r) != nil || r.TrainMetrics == nil {
			continue
		}
		if n == 0 {
			first = r
		}
		last = r
		n++
	}
	if n < 2 || !(last.Seconds > first.Seconds) {
		return first, last, fmt.Errorf("%d training steps measured", n)
	}
	return first, last, sc.Err()
}

// stopAfter is a progress writer that cancels a run d after its first
// progress line.
type stopAfter struct {
	d      time.Duration
	cancel func()
	first  time.Time
}

func (s *stopAfter) Write(p []byte) (int, error) {
	if s.first.IsZero() {
		s.first = time.Now()
	} else if time.Since(s.first) >= s.d {
		s.cancel()
	}
	return len(p), nil
}
