package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tengen-go/tengen/internal/testenv"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/selfplay"
)

// tiny7Weights writes a 7x7 network of 2 conv layers x 8 filters with
// "tengen net new --spec" (the start network of a self-play run) and
// returns its path.
func tiny7Weights(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny7.json")
	js := `{"name":"tiny7","board_size":7,"features":"v1",
	 "trunk":[{"kind":"conv","filters":8,"kernel":3},{"kind":"relu"},{"kind":"conv","filters":8,"kernel":3},{"kind":"relu"}],
	 "policy":{"kind":"conv","filters":2},"value":{"filters":1,"hidden":8}}`
	if err := os.WriteFile(spec, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	w := filepath.Join(dir, "w0.weights")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"net", "new", "--spec", spec, "--out", w, "--seed", "3"}, nil, &stdout, &stderr); err != nil {
		t.Fatalf("net new: %v\n%s", err, stderr.String())
	}
	return w
}

// fastPlay are self-play flags for quick 7x7 games.
var fastPlay = []string{"--visits", "8", "--fast-visits", "3", "--full-share", "0.5", "--komi", "9", "--max-moves", "70"}

// tengenProcess starts the tengen command (this test binary, see
// TestMain) with args; its standard error goes to the returned buffer.
func tengenProcess(t *testing.T, args ...string) (*exec.Cmd, *testenv.SyncBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "TENGEN_TEST_MAIN=1")
	var out testenv.SyncBuffer
	cmd.Stderr = &out
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// killWhen waits (up to a minute) until cond holds, then kills cmd with
// SIGKILL and checks that it died of it. It fails if cmd exits first.
func killWhen(t *testing.T, cmd *exec.Cmd, out *testenv.SyncBuffer, what string, cond func() bool) {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		select {
		case err := <-exited:
			t.Fatalf("the process ended (%v) before %s:\n%s", err, what, out.String())
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			t.Fatalf("no %s after a minute:\n%s", what, out.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("did not die of SIGKILL (%v):\n%s", cmd.ProcessState, out.String())
	}
}

// gameNames lists a directory's games, checking that each chunk reads.
func gameNames(t *testing.T, d selfplay.Dir) []string {
	t.Helper()
	files, err := d.ListGames()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		if _, err := selfplay.ReadGameFile(f.Path(d), 7); err != nil {
			t.Errorf("game %s unreadable: %v", f, err)
		}
		names = append(names, f.String())
	}
	return names
}

func TestSelfplayCommand(t *testing.T) {
	w := tiny7Weights(t)
	dir := filepath.Join(t.TempDir(), "run")
	args := append([]string{"selfplay", "--weights", w, "--out", dir, "--games", "4", "--parallel", "2", "--resign-off", "1", "--quiet"}, fastPlay...)
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	log := stderr.String()
	for _, want := range []string{"is generation 0", "self-play: 4 games", "resignation false positives", "in 4 games without resignation"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	d := selfplay.Dir(dir)
	if n := len(gameNames(t, d)); n != 4 {
		t.Fatalf("%d games; want 4", n)
	}
	sgfs, _ := filepath.Glob(filepath.Join(dir, "sgf", "gen-000000", "*.sgf"))
	if len(sgfs) != 4 {
		t.Errorf("%d SGF files; want 4", len(sgfs))
	}
	// Again: the games on disk count; --weights is not needed any more.
	stderr.Reset()
	if err := run(context.Background(), []string{"selfplay", "--out", dir, "--games", "4"}, nil, &stdout, &stderr); err != nil || !strings.Contains(stderr.String(), "self-play: 0 games") {
		t.Errorf("second run: %v\n%s", err, stderr.String())
	}
	for _, bad := range [][]string{
		{"selfplay"},
		{"selfplay", "--out", t.TempDir()}, // no best network, no --weights
		{"selfplay", "--out", dir, "--visits", "0"},
		{"selfplay", "--out", dir, "extra"},
	} {
		if err := run(context.Background(), bad, nil, &stdout, &stderr); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: %v; want a usage error", bad, err)
		}
	}
}

// TestSelfplayKillResume kills a self-play worker with SIGKILL after a few
// games and restarts it: the finished games are kept and readable, and the
// restarted worker completes the count exactly.
func TestSelfplayKillResume(t *testing.T) {
	w := tiny7Weights(t)
	dir := filepath.Join(t.TempDir(), "run")
	d := selfplay.Dir(dir)
	const total = 24
	args := append([]string{"selfplay", "--weights", w, "--out", dir, "--games", strconv.Itoa(total), "--parallel", "2", "--poll", "10ms", "--quiet"}, fastPlay...)
	cmd, out := tengenProcess(t, args...)
	killWhen(t, cmd, out, "3 games", func() bool { n, _ := d.CountGames(); return n >= 3 })
	before := gameNames(t, d)
	if len(before) < 3 || len(before) >= total {
		t.Fatalf("killed with %d games on disk", len(before))
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
		t.Fatalf("restart: %v\n%s", err, stderr.String())
	}
	after := gameNames(t, d)
	if len(after) != total {
		t.Fatalf("%d games after the restart; want %d", len(after), total)
	}
	kept := map[string]bool{}
	for _, n := range after {
		kept[n] = true
	}
	for _, n := range before {
		if !kept[n] {
			t.Errorf("game %s lost", n)
		}
	}
	if !strings.Contains(stderr.String(), strconv.Itoa(len(before))+" games on disk") {
		t.Errorf("restart log does not count the %d games on disk:\n%s", len(before), stderr.String())
	}
}

// TestSelfplayTwoWorkers runs two worker processes on one empty folder:
// they agree on generation 0, write games without collisions, and stop
// together at the count.
func TestSelfplayTwoWorkers(t *testing.T) {
	w := tiny7Weights(t)
	dir := filepath.Join(t.TempDir(), "run")
	const total = 16
	args := append([]string{"selfplay", "--weights", w, "--out", dir, "--games", strconv.Itoa(total), "--parallel", "2", "--poll", "5ms", "--quiet"}, fastPlay...)
	a, outA := tengenProcess(t, args...)
	b, outB := tengenProcess(t, args...)
	for _, p := range []struct {
		cmd *exec.Cmd
		out *testenv.SyncBuffer
	}{{a, outA}, {b, outB}} {
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("worker: %v\n%s", err, p.out.String())
		}
	}
	d := selfplay.Dir(dir)
	names := gameNames(t, d)
	// Each worker stops starting games at the count; games in flight
	// then may overshoot it by at most the other's parallel games.
	if len(names) < total || len(names) > total+2 {
		t.Fatalf("%d games; want %d..%d", len(names), total, total+2)
	}
	byPID := map[string]int{}
	for _, n := range names {
		parts := strings.Split(n, "-")
		byPID[parts[len(parts)-3]]++
	}
	if len(byPID) != 2 || byPID[strconv.Itoa(a.Process.Pid)] == 0 || byPID[strconv.Itoa(b.Process.Pid)] == 0 {
		t.Errorf("games by process id %v; want both workers %d and %d", byPID, a.Process.Pid, b.Process.Pid)
	}
	sgfs, _ := filepath.Glob(filepath.Join(dir, "sgf", "*", "*.sgf"))
	if len(sgfs) != len(names) {
		t.Errorf("%d SGFs for %d games", len(sgfs), len(names))
	}
	created := strings.Count(outA.String()+outB.String(), "is generation 0")
	if created != 1 {
		t.Errorf("generation 0 created %d times:\n%s\n%s", created, outA.String(), outB.String())
	}
}

// fastLoop are loop flags for a tiny 7x7 run.
func fastLoop(dir, w string, gens int) []string {
	return append([]string{"loop", "--dir", dir, "--weights", w, "--generations", strconv.Itoa(gens),
		"--games-per-gen", "6", "--parallel", "3", "--poll", "10ms", "--window", "50",
		"--steps", "40", "--batch", "16", "--checkpoint-every", "10", "--log-every", "10", "--buffer", "300",
		"--optimizer", "adam", "--lr", "0.002",
		"--gate-games", "6", "--gate-parallel", "3", "--gate-visits", "8", "--gate-max-moves", "70", "--sprt=false", "--threshold", "0.5"}, fastPlay...)
}

func readLadder(t *testing.T, d selfplay.Dir) *selfplay.Ladder {
	t.Helper()
	l, err := selfplay.LoadLadder(d.LadderPath())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLoopCommand: a tiny 7x7 loop from a random network yields a gated
// generation: a ladder entry, its picture, and the best network it says.
func TestLoopCommand(t *testing.T) {
	w := tiny7Weights(t)
	dir := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), fastLoop(dir, w, 1), nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	d := selfplay.Dir(dir)
	l := readLadder(t, d)
	if len(l.Generations) != 1 {
		t.Fatalf("ladder: %+v", l)
	}
	e := l.Generations[0]
	if !e.Decided || e.Games < 1 || e.Candidate != "gen-000001" || e.TrainSteps != 40 || e.WindowGames != 6 {
		t.Errorf("generation 1: %+v", e)
	}
	best, _ := d.ReadBest()
	if want := map[bool]string{true: "gen-000001", false: "gen-000000"}[e.Promote]; best.Name != want {
		t.Errorf("best %s after %+v", best.Name, e.Decision)
	}
	for _, f := range []string{d.LadderPNG(), d.StopPath(), filepath.Join(d.TrainDir(1), "loss.png"), d.WeightsPath(1)} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
	log := stderr.String()
	for _, want := range []string{"generation 1: self-play with gen-000000 until 6 games", "step 40/40", "generation 1: gating gen-000001", "loop: done after generation 1"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	// tengen gate on the finished generation only reports it.
	stdout.Reset()
	if err := run(context.Background(), []string{"gate", "--dir", dir, "--generation", "1", "--json", "--games", "6", "--sprt=false", "--threshold", "0.5"}, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var again selfplay.LadderEntry
	if err := json.Unmarshal(stdout.Bytes(), &again); err != nil || !reflect.DeepEqual(again, e) {
		t.Errorf("gate --json on a gated generation: %v\n%s", err, stdout.String())
	}
}

// TestLoopKillResume kills "tengen loop" with SIGKILL during the first
// generation's training and again after its gating, restarting it each
// time: the finished generation is kept as it was and the run completes.
func TestLoopKillResume(t *testing.T) {
	w := tiny7Weights(t)
	dir := filepath.Join(t.TempDir(), "run")
	d := selfplay.Dir(dir)
	args := fastLoop(dir, w, 2)
	cmd, out := tengenProcess(t, args...)
	killWhen(t, cmd, out, "a training checkpoint", func() bool {
		_, err := os.Stat(filepath.Join(d.TrainDir(1), "latest"))
		return err == nil
	})
	cmd, out = tengenProcess(t, args...)
	killWhen(t, cmd, out, "generation 1's gating", func() bool {
		l, err := selfplay.LoadLadder(d.LadderPath())
		return err == nil && len(l.Generations) == 1
	})
	if !strings.Contains(out.String(), "loop: resuming generation 1 at train") || !strings.Contains(out.String(), "generation 1: training resumes from step ") {
		t.Errorf("second start did not resume the training:\n%s", out.String())
	}
	first := readLadder(t, d).Generations[0]
	games := gameNames(t, d)
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
		t.Fatalf("final restart: %v\n%s", err, stderr.String())
	}
	l := readLadder(t, d)
	if len(l.Generations) != 2 || !reflect.DeepEqual(l.Generations[0], first) {
		t.Fatalf("ladder after the kills: %+v\ngeneration 1 before: %+v", l.Generations, first)
	}
	after := map[string]bool{}
	for _, n := range gameNames(t, d) {
		after[n] = true
	}
	for _, n := range games {
		if !after[n] {
			t.Errorf("game %s lost", n)
		}
	}
	if len(after) != 12 {
		t.Errorf("%d games; want 12 (6 per generation)", len(after))
	}
	st, ok, err := d.ReadLoopState()
	if !ok || err != nil || st.Phase != selfplay.PhaseDone || st.Generation != 3 {
		t.Errorf("loop state %+v, %v", st, err)
	}
	if s, err := trainStep(d, 1); err != nil || s != 40 {
		t.Errorf("generation 1 trained to step %d (%v); want 40", s, err)
	}
}

func trainStep(d selfplay.Dir, gen int) (int64, error) {
	// The candidate's provenance: its checkpoints are removed once it is
	// saved.
	w, err := nets.Load(d.WeightsPath(gen))
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(w.Meta["train.steps"], 10, 64)
}

// TestTrainSelfplayAndGate: the two phases as separate commands.
func TestTrainSelfplayAndGate(t *testing.T) {
	w := tiny7Weights(t)
	dir := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	args := append([]string{"selfplay", "--weights", w, "--out", dir, "--games", "5", "--parallel", "2", "--quiet"}, fastPlay...)
	if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	train := []string{"train", "--selfplay", dir, "--window", "4", "--steps", "12", "--batch", "16", "--checkpoint-every", "6", "--log-every", "6"}
	if err := run(context.Background(), train, nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "on 4 games") || !strings.Contains(stderr.String(), "gate it with: tengen gate --dir") {
		t.Errorf("train log:\n%s", stderr.String())
	}
	d := selfplay.Dir(dir)
	if s, err := trainStep(d, 1); err != nil || s != 12 {
		t.Errorf("trained to step %d, %v", s, err)
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"gate", "--dir", dir, "--games", "4", "--parallel", "2", "--visits", "8", "--komi", "9", "--sprt=false", "--quiet"}, nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "gen-000001 ") || !strings.Contains(stdout.String(), "against gen-000000") {
		t.Errorf("gate output %q", stdout.String())
	}
	if _, err := os.Stat(d.LadderPNG()); err != nil {
		t.Error(err)
	}
	for _, bad := range [][]string{
		{"train", "--selfplay", dir, "--sgf", "x.sgf"},
		{"train", "--selfplay", dir, "--out", t.TempDir()},
		{"train", "--selfplay", dir, "x.sgf"},
		{"gate"},
		{"gate", "--dir", dir, "--threshold", "2"},
	} {
		if err := run(context.Background(), bad, nil, &stdout, &stderr); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: %v; want a usage error", bad, err)
		}
	}
}
