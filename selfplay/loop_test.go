package selfplay

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/train"
)

func fastTrainConfig() TrainConfig {
	tc := train.DefaultConfig()
	tc.Steps, tc.CheckpointEvery, tc.LogEvery, tc.BufferSize = 8, 4, 4, 200
	tc.Options.BatchSize = 16
	tc.Options.Optimizer = "adam"
	tc.Schedule = train.Schedule{Kind: train.Constant, Base: 0.002}
	return TrainConfig{Window: 20, Symmetries: true, Train: tc}
}

func fastGateConfig() GateConfig {
	g := DefaultGateConfig(7)
	g.Game.Visits, g.Game.MaxMoves = 6, 50
	g.Games, g.Parallel, g.SPRT = 4, 2, false
	return g
}

// TestTrainCandidate trains generation 1, is idempotent, and resumes an
// interrupted training from its checkpoint with the same window.
func TestTrainCandidate(t *testing.T) {
	d := newTinyDir(t, 7)
	cfg := fastConfig(7)
	cfg.Games = 6
	if _, err := Run(context.Background(), d, cfg, nil); err != nil {
		t.Fatal(err)
	}
	tc := fastTrainConfig()
	// Interrupted after its first checkpoint.
	ctx, cancel := context.WithCancel(context.Background())
	tc1 := tc
	tc1.Train.AfterCheckpoint = func(string) error { cancel(); return nil }
	if _, err := TrainCandidate(ctx, d, 1, tc1, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted training: %v", err)
	}
	if _, err := os.Stat(d.WeightsPath(1)); err == nil {
		t.Fatal("an interrupted training wrote the candidate")
	}
	list1, _ := os.ReadFile(filepath.Join(d.TrainDir(1), "window.txt"))
	// More games arrive; the resumed training keeps its window.
	cfg.Games = 8
	if _, err := Run(context.Background(), d, cfg, nil); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	w, err := TrainCandidate(context.Background(), d, 1, tc, &log)
	if err != nil {
		t.Fatal(err)
	}
	list2, _ := os.ReadFile(filepath.Join(d.TrainDir(1), "window.txt"))
	if !bytes.Equal(list1, list2) || len(bytes.Fields(list1)) != 6 {
		t.Errorf("window changed on resume: %d then %d games", len(bytes.Fields(list1)), len(bytes.Fields(list2)))
	}
	if w.Meta["train.steps"] != "8" {
		t.Fatalf("training ended at step %s; want 8", w.Meta["train.steps"])
	}
	// The candidate saved, its checkpoints are gone (a committed run
	// would carry megabytes a generation); the metrics stay.
	if steps, err := train.Checkpoints(d.TrainDir(1)); err != nil || len(steps) != 0 {
		t.Errorf("checkpoints %v left after training (%v)", steps, err)
	}
	for _, f := range []string{"latest", "latest.weights"} {
		if _, err := os.Stat(filepath.Join(d.TrainDir(1), f)); err == nil {
			t.Errorf("%s left after training", f)
		}
	}
	if _, err := os.Stat(filepath.Join(d.TrainDir(1), "metrics.jsonl")); err != nil {
		t.Errorf("metrics: %v", err)
	}
	if w.Spec.Name != "gen-000001" || w.Meta["selfplay.generation"] != "1" || !strings.HasPrefix(w.Meta["selfplay.parent"], "gen-000000 ") {
		t.Errorf("candidate spec name %q meta %v", w.Spec.Name, w.Meta)
	}
	if _, ok := w.Meta["train.validation"]; ok || !strings.HasPrefix(w.Meta["train.data"], "self-play window") || w.Meta["train.schedule"] != "constant lr=0.002" {
		t.Errorf("candidate provenance mixes in its parent's: %v", w.Meta)
	}
	if !strings.Contains(log.String(), "on 6 games") {
		t.Errorf("log:\n%s", log.String())
	}
	again, err := TrainCandidate(context.Background(), d, 1, tc, nil)
	if err != nil || !reflect.DeepEqual(again.Tensors, w.Tensors) {
		t.Fatalf("second TrainCandidate: %v", err)
	}
}

// TestLoop runs two generations on 7x7 (always promoting), then resumes
// for a third.
func TestLoop(t *testing.T) {
	d := newTinyDir(t, 7)
	sp := fastConfig(7)
	gate := fastGateConfig()
	gate.Threshold = 0 // any result promotes
	plotted := 0
	cfg := LoopConfig{
		Generations: 2, GamesPerGeneration: 4, Local: true, SelfPlay: sp,
		Train: fastTrainConfig(), Gate: gate, StopWorkers: true,
		AfterGate: func(l *Ladder) error { plotted = len(l.Generations); return nil },
	}
	var log bytes.Buffer
	if err := Loop(context.Background(), d, cfg, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	l, err := LoadLadder(d.LadderPath())
	if err != nil || len(l.Generations) != 2 || plotted != 2 {
		t.Fatalf("ladder %+v, %v; plotted %d", l, err, plotted)
	}
	for i, e := range l.Generations {
		if e.Generation != i+1 || !e.Promote || e.Best != NetworkName(i) || e.Games < 1 || e.WindowGames == 0 || e.TrainSteps != 8 {
			t.Errorf("ladder entry %d: %+v", i, e)
		}
	}
	if l.Generations[1].BestRating != l.Generations[0].Rating {
		t.Errorf("generation 2's opponent rated %v; generation 1 earned %v", l.Generations[1].BestRating, l.Generations[0].Rating)
	}
	best, _ := d.ReadBest()
	if best.Name != "gen-000002" {
		t.Errorf("best %+v; want gen-000002", best)
	}
	st, ok, err := d.ReadLoopState()
	if !ok || err != nil || st.Phase != PhaseDone || st.Generation != 3 || !d.Stopped() {
		t.Errorf("loop state %+v, %v, %v; stopped %v", st, ok, err, d.Stopped())
	}
	files, _ := d.ListGames()
	if len(files) != 8 || files[0].Network != "gen-000001" {
		t.Errorf("%d games, newest by %v", len(files), files[0])
	}
	for _, want := range []string{"generation 1: self-play", "generation 1: training", "generation 2: gen-000002 promoted", "loop: done after generation 2"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	// One more generation under a rule that rejects any lost game.
	cfg.Generations = 3
	cfg.Gate.Threshold = 1
	if err := Loop(context.Background(), d, cfg, &log); err != nil {
		t.Fatal(err)
	}
	l, _ = LoadLadder(d.LadderPath())
	if len(l.Generations) != 3 {
		t.Fatalf("generation 3: %+v", l.Generations)
	}
	e := l.Generations[2]
	want := map[bool]string{true: "gen-000003", false: "gen-000002"}[e.Promote]
	if best, _ := d.ReadBest(); best.Name != want || e.Promote != (e.Losses == 0 && e.Draws == 0) {
		t.Errorf("best %s after generation 3 %+v", best.Name, e)
	}
	if _, err := nets.Load(d.WeightsPath(3)); err != nil {
		t.Errorf("the rejected candidate is gone: %v", err)
	}
	if sgfs, _ := filepath.Glob(filepath.Join(d.TrainDir(3), "gate", "*.sgf")); len(sgfs) == 0 {
		t.Error("no gating SGF")
	}
}

// TestGateCandidateResume: gating interrupted after a game continues
// from gate.json without replaying it.
func TestGateCandidateResume(t *testing.T) {
	d := newTinyDir(t, 7)
	w, _ := nets.Load(d.WeightsPath(0))
	w.Tensors[0].Data[0] += 0.5
	if err := nets.Save(d.WeightsPath(1), w); err != nil {
		t.Fatal(err)
	}
	gate := fastGateConfig()
	gate.Parallel = 1
	gate.Threshold = 1 // every game must be won: usually played to the end
	ctx, cancel := context.WithCancel(context.Background())
	var log bytes.Buffer
	// Cancel from the progress writer once game 0 is saved.
	pw := progressFunc(func(p []byte) {
		log.Write(p)
		if strings.Contains(string(p), "gate game 0") {
			cancel()
		}
	})
	if _, err := GateCandidate(ctx, d, 1, gate, pw); err == nil {
		// Game 0 may have decided already (a loss under a 100% rule).
		l, _ := LoadLadder(d.LadderPath())
		if e, ok := l.Entry(1); !ok || e.Games != 1 || e.Promote {
			t.Fatalf("uninterrupted gating: %+v", e)
		}
		return
	}
	log.Reset()
	e, err := GateCandidate(context.Background(), d, 1, gate, &log)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "resumes after 1 games") || strings.Contains(log.String(), "gate game 0 ") {
		t.Errorf("resumed log:\n%s", log.String())
	}
	if !e.Decided || e.Generation != 1 {
		t.Errorf("entry %+v", e)
	}
	// Done: a third call only reads the ladder.
	e2, err := GateCandidate(context.Background(), d, 1, gate, nil)
	if err != nil || e2 != e {
		t.Fatalf("third call: %+v, %v", e2, err)
	}
}

type progressFunc func([]byte)

func (f progressFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

// TestLoopWithWorkers: a loop that waits for other workers' games (Local
// false) and a worker that runs until the loop's stop file coordinate
// through the directory alone.
func TestLoopWithWorkers(t *testing.T) {
	d := newTinyDir(t, 7)
	gate := fastGateConfig()
	gate.Threshold = 0
	cfg := LoopConfig{Generations: 2, GamesPerGeneration: 4, Gate: gate, Train: fastTrainConfig(), StopWorkers: true, Poll: 5 * time.Millisecond}
	worker := fastConfig(7)
	worker.Parallel = 2
	done := make(chan error, 1)
	var st Stats
	go func() {
		var err error
		st, err = Run(context.Background(), d, worker, nil)
		done <- err
	}()
	var log bytes.Buffer
	if err := Loop(context.Background(), d, cfg, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the worker did not stop after the loop")
	}
	l, _ := LoadLadder(d.LadderPath())
	if len(l.Generations) != 2 || !strings.Contains(log.String(), "games from the workers") {
		t.Fatalf("ladder %+v\n%s", l.Generations, log.String())
	}
	files, _ := d.ListGames()
	byNet := map[string]int{}
	for _, f := range files {
		byNet[f.Network]++
	}
	if st.Games != len(files) || byNet["gen-000000"] < 4 || byNet["gen-000001"] == 0 {
		t.Errorf("worker played %d; on disk by network %v", st.Games, byNet)
	}
}
