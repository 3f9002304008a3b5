package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tengen-go/tengen/internal/gamegen"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/train"
)

// TestMain runs the tengen command instead of the tests when
// TENGEN_TEST_MAIN is set, so tests can start it as a subprocess (and kill
// it) without building a binary.
func TestMain(m *testing.M) {
	if os.Getenv("TENGEN_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	if os.Getenv("TENGEN_TEST_PASSER") == "1" {
		passer()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// tinyTrainSetup writes 12 random 9x9 games and a tiny spec (DefaultSpec(9)
// with 8 filters) and returns their paths.
func tinyTrainSetup(t *testing.T) (games, spec string) {
	dir := t.TempDir()
	games, err := gamegen.Write(filepath.Join(dir, "games"), 12, 9, 7)
	if err != nil {
		t.Fatal(err)
	}
	s := nets.DefaultSpec(9)
	s.Name = "tiny"
	for i := range s.Trunk {
		if s.Trunk[i].Kind == nets.KindConv {
			s.Trunk[i].Filters = 8
		}
	}
	s.Value.Hidden = 16
	js, _ := json.Marshal(s)
	spec = filepath.Join(dir, "tiny.json")
	if err := os.WriteFile(spec, js, 0o644); err != nil {
		t.Fatal(err)
	}
	return games, spec
}

// tinyHeadsSpec is a 9x9 network of 8-filter convolutions with a pooled
// value head and ownership and score heads, for tests of the heads.
func tinyHeadsSpec() nets.Spec {
	s := nets.DefaultSpec(9)
	s.Name = "tiny-heads"
	for i := range s.Trunk {
		if s.Trunk[i].Kind == nets.KindConv {
			s.Trunk[i].Filters = 8
		}
	}
	s.Value = nets.ValueHead{Kind: nets.ValuePool, Filters: 4, Hidden: 8}
	s.Ownership = nets.OwnershipHead{Filters: 4}
	s.Score = nets.ScoreHead{Hidden: 8}
	return s
}

func tinyTrainArgs(out, spec, games string, steps string) []string {
	return []string{"train", "--out", out, "--spec", spec, "--size", "9", "--steps", steps, "--batch", "8",
		"--buffer", "100", "--checkpoint-every", "10", "--log-every", "10", "--validation-games", "1",
		"--validation-positions", "30", "--optimizer", "adam", "--lr", "0.002", "--schedule", "cosine", "--seed", "5", games}
}

func latestStep(t *testing.T, dir string) int64 {
	c, err := train.LoadLatest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c.State.Step
}

func TestTrainCommand(t *testing.T) {
	games, spec := tinyTrainSetup(t)
	out := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), tinyTrainArgs(out, spec, games, "20"), nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if s := latestStep(t, out); s != 20 {
		t.Fatalf("latest step %d; want 20", s)
	}
	for _, f := range []string{"latest.weights", "metrics.jsonl", "validation.txt", "train.json", "ckpt-00000020.weights", "loss.png", "accuracy.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	log := stderr.String()
	for _, want := range []string{"step 20/20", "validation at step 20", "trained steps 0..20 (160 positions)"} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
	// validation.txt depends on the seed only.
	val, _ := os.ReadFile(filepath.Join(out, "validation.txt"))
	if len(bytes.Fields(val)) != 1 {
		t.Fatalf("validation.txt %q; want one game (a tenth of 12, capped)", val)
	}
	seen := map[string]bool{}
	for _, seed := range []string{"5", "5", "6", "7", "8", "9"} {
		other := filepath.Join(t.TempDir(), "run")
		args := append(tinyTrainArgs(other, spec, games, "1"), "--seed", seed)
		if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		v, _ := os.ReadFile(filepath.Join(other, "validation.txt"))
		if seed == "5" && !bytes.Equal(v, val) {
			t.Errorf("seed 5: validation.txt %q; first run %q", v, val)
		}
		seen[string(v)] = true
	}
	if len(seen) < 2 {
		t.Errorf("seeds 5..9 all chose validation game %v", seen)
	}
	// --split-seed 5 keeps seed 5's validation games whatever --seed is.
	for _, seed := range []string{"6", "7", "8", "9"} {
		other := filepath.Join(t.TempDir(), "run")
		args := append(tinyTrainArgs(other, spec, games, "1"), "--seed", seed, "--split-seed", "5")
		if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		if v, _ := os.ReadFile(filepath.Join(other, "validation.txt")); !bytes.Equal(v, val) {
			t.Errorf("--seed %s --split-seed 5: validation.txt %q; want seed 5's %q", seed, v, val)
		}
	}
	// A second run into the same directory without --resume is refused.
	if err := run(context.Background(), tinyTrainArgs(out, spec, games, "20"), nil, &stdout, &stderr); err == nil {
		t.Error("train overwrote a run without --resume")
	}
}

// TestTrainResumeAfterKill starts "tengen train" as a subprocess, kills it
// with SIGKILL after its first checkpoint, resumes it with "--resume" alone,
// and compares the result with an uninterrupted run.
func TestTrainResumeAfterKill(t *testing.T) {
	games, spec := tinyTrainSetup(t)
	const budget = 60
	killed := filepath.Join(t.TempDir(), "killed")
	cmd := exec.Command(os.Args[0], tinyTrainArgs(killed, spec, games, "60")...)
	cmd.Env = append(os.Environ(), "TENGEN_TEST_MAIN=1")
	var childErr bytes.Buffer
	cmd.Stderr = &childErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(killed, "latest")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no checkpoint after 60 s:\n%s", childErr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die of SIGKILL: %v\n%s", err, childErr.String())
	}
	at := latestStep(t, killed)
	if at < 10 || at >= budget {
		t.Fatalf("killed at checkpoint step %d; want one in [10, %d)", at, budget)
	}

	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"train", "--out", killed, "--resume"}, nil, &stdout, &stderr); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr.String())
	}
	log := stderr.String()
	if !strings.Contains(log, "resuming from step ") || strings.Contains(log, "resuming from step 0 ") {
		t.Errorf("resume log:\n%s", log)
	}
	if s := latestStep(t, killed); s != budget {
		t.Fatalf("after resume: step %d; want %d", s, budget)
	}
	// The metrics read as one run: train records at 10, 20, ... once each.
	data, _ := os.ReadFile(filepath.Join(killed, "metrics.jsonl"))
	var steps []int64
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r train.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		if r.TrainMetrics != nil {
			steps = append(steps, r.Step)
		}
	}
	if !reflect.DeepEqual(steps, []int64{10, 20, 30, 40, 50, 60}) {
		t.Errorf("train records at steps %v", steps)
	}

	whole := filepath.Join(t.TempDir(), "whole")
	if err := run(context.Background(), tinyTrainArgs(whole, spec, games, "60"), nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	a, err := nets.Load(filepath.Join(killed, "latest.weights"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := nets.Load(filepath.Join(whole, "latest.weights"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Tensors, b.Tensors) {
		t.Errorf("killed at step %d and resumed: weights differ from an uninterrupted run's", at)
	}
}

func TestNetNewInfo(t *testing.T) {
	_, spec := tinyTrainSetup(t)
	dir := t.TempDir()
	w1, w2 := filepath.Join(dir, "a.w"), filepath.Join(dir, "b.w")
	var stdout, stderr bytes.Buffer
	for _, args := range [][]string{
		{"net", "new", "--spec", spec, "--out", w1, "--seed", "3"},
		{"net", "new", "--size", "9", "--out", w2},
	} {
		if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	if err := run(context.Background(), []string{"net", "info", "--json", w1}, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var info netInfo
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	w, _ := nets.Load(w1)
	if info.Name != "tiny" || info.BoardSize != 9 || info.Params != w.NumParams() || info.Params == 0 ||
		info.FLOPs != w.Spec.FLOPs() || info.Meta["init"] != "random, seed 3" || len(info.Shapes) != len(w.Spec.Trunk) {
		t.Errorf("net info: %+v", info)
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"net", "info", w2}, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	dw, _ := nets.Load(w2)
	for _, want := range []string{"alex6x64-9", "9x9", "conv5x5x64 relu lrn maxpool3/1", "-> 64x9x9", "FLOPs", "trainable", "meta"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("net info lacks %q:\n%s", want, stdout.String())
		}
	}
	if want := "parameters  " + strconv.Itoa(dw.NumParams()) + " trainable"; !strings.Contains(stdout.String(), want) {
		t.Errorf("net info lacks %q:\n%s", want, stdout.String())
	}
	for _, args := range [][]string{
		{"net", "new", "--out", w1},
		{"net", "new", "--size", "9"},
		{"net", "new", "--size", "9", "--spec", spec, "--out", w1},
		{"net", "info"},
		{"net", "frob"},
		{"train", "--out", t.TempDir(), "--value-q", "0.5", spec},
		{"train", "--selfplay", t.TempDir(), "--value-q", "1.5"},
	} {
		if err := run(context.Background(), args, nil, &stdout, &stderr); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err %v; want a usage error", args, err)
		}
	}
	if err := run(context.Background(), []string{"net", "info", spec}, nil, &stdout, &stderr); err == nil {
		t.Error("net info accepted a JSON spec as weights")
	}
}

// TestTrainSurgery: --init with --spec copies the tensors that fit and
// initialises the rest (here a wider value head, and the value head
// afresh by --fresh); --fresh alone is a usage error.
func TestTrainSurgery(t *testing.T) {
	games, spec, s, parent := surgeryParent(t)
	s.Value.Filters = 3
	wider := writeSpecFile(t, s)
	out := filepath.Join(t.TempDir(), "second")
	var stdout, stderr bytes.Buffer
	// Another seed: a fresh initialisation would differ from the parent's.
	args := append(tinyTrainArgs(out, wider, games, "1"), "--init", parent, "--fresh", "value.fc2", "--seed", "9")
	if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "network surgery: ") || !strings.Contains(stderr.String(), "value.fc2.w") {
		t.Errorf("no surgery report:\n%s", stderr.String())
	}
	p, _ := nets.Load(parent)
	c, err := nets.Load(filepath.Join(out, "latest.weights"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Spec.Value.Filters != 3 || c.Meta["train.surgery"] == "" {
		t.Fatalf("child spec value filters %d, meta %v", c.Spec.Value.Filters, c.Meta)
	}
	// One Adam step at rate 0.002 moves every copied weight by about
	// 0.002 at most; a fresh initialisation moves it by far more.
	if d := maxDiff(p.Tensors[0].Data, c.Tensors[0].Data); d > 0.01 {
		t.Errorf("trunk.0.w moved %v: not copied", d)
	}
	if err := run(context.Background(), append(tinyTrainArgs(filepath.Join(t.TempDir(), "x"), spec, games, "1"), "--fresh", "value."), nil, &stdout, &stderr); exitCode(err) != 2 {
		t.Errorf("--fresh without --init: %v", err)
	}
}

// surgeryParent trains the tiny network two steps and returns its games,
// its spec file and spec, and the trained weights: the parent of a
// surgery.
func surgeryParent(t *testing.T) (games, specFile string, spec nets.Spec, parent string) {
	t.Helper()
	games, specFile = tinyTrainSetup(t)
	first := filepath.Join(t.TempDir(), "first")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), tinyTrainArgs(first, specFile, games, "2"), nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	data, _ := os.ReadFile(specFile)
	spec, err := nets.ParseSpec(data)
	if err != nil {
		t.Fatal(err)
	}
	return games, specFile, spec, filepath.Join(first, "latest.weights")
}

// writeSpecFile writes s to a new JSON file and returns its path.
func writeSpecFile(t *testing.T, s nets.Spec) string {
	t.Helper()
	js, _ := json.Marshal(s)
	p := filepath.Join(t.TempDir(), "spec.json")
	if err := os.WriteFile(p, js, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// TestTrainHeads trains a network with a pooled value head, an ownership
// and a score head and the ladder features from game records, some of
// them counted: the heads' losses are in the metrics, the loss weights
// in train.json.
func TestTrainHeads(t *testing.T) {
	games, _ := tinyTrainSetup(t)
	for i := range 3 {
		game := "(;FF[4]SZ[9]KM[7]RE[B+2]"
		for y := range 9 {
			game += ";B[e" + string(rune('a'+y)) + "];W[f" + string(rune('a'+y)) + "]"
		}
		if err := os.WriteFile(filepath.Join(games, "counted"+strconv.Itoa(i)+".sgf"), []byte(game+";B[];W[])"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := nets.DefaultSpec(9)
	s.Name, s.Features = "tiny-heads", nets.FeaturesV2
	for i := range s.Trunk {
		if s.Trunk[i].Kind == nets.KindConv {
			s.Trunk[i].Filters = 8
		}
	}
	s.Value = nets.ValueHead{Kind: nets.ValuePool, Filters: 4, Hidden: 16}
	s.Ownership.Filters = 2
	s.Score.Hidden = 8
	js, _ := json.Marshal(s)
	spec := filepath.Join(t.TempDir(), "heads.json")
	if err := os.WriteFile(spec, js, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	args := append(tinyTrainArgs(out, spec, games, "10"), "--ownership-weight", "0.8", "--score-weight", "0.3", "--final-playouts", "40")
	if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	metrics, err := os.ReadFile(filepath.Join(out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(metrics), `"ownership_loss"`) || !strings.Contains(string(metrics), `"score_loss"`) {
		t.Errorf("metrics lack the heads' losses:\n%s", metrics)
	}
	saved, err := os.ReadFile(filepath.Join(out, "train.json"))
	if err != nil {
		t.Fatal(err)
	}
	var a map[string]any
	if err := json.Unmarshal(saved, &a); err != nil {
		t.Fatal(err)
	}
	if a["ownership-weight"] != 0.8 || a["score-weight"] != 0.3 {
		t.Errorf("train.json weights %v, %v; want 0.8, 0.3", a["ownership-weight"], a["score-weight"])
	}
	w, err := nets.Load(filepath.Join(out, "latest.weights"))
	if err != nil {
		t.Fatal(err)
	}
	if !w.Spec.HasOwnership() || !w.Spec.HasScore() || w.Spec.Features != nets.FeaturesV2 {
		t.Errorf("trained spec %+v lost the heads or features", w.Spec)
	}
}

// TestTrainGameOrder: new runs read the games shuffled and say so in
// train.json; a run saved before --game-order resumes in archive order;
// the two orders train on different streams; a bad value is a usage
// error.
func TestTrainGameOrder(t *testing.T) {
	games, spec := tinyTrainSetup(t)
	var stdout, stderr bytes.Buffer
	order := func(dir string) string {
		t.Helper()
		var a map[string]any
		data, err := os.ReadFile(filepath.Join(dir, "train.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &a); err != nil {
			t.Fatal(err)
		}
		s, _ := a["game-order"].(string)
		return s
	}
	shuffled := filepath.Join(t.TempDir(), "run")
	if err := run(context.Background(), tinyTrainArgs(shuffled, spec, games, "10"), nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if o := order(shuffled); o != "shuffled" {
		t.Fatalf("train.json game-order %q; want shuffled", o)
	}
	archive := filepath.Join(t.TempDir(), "run")
	if err := run(context.Background(), append(tinyTrainArgs(archive, spec, games, "10"), "--game-order", "archive"), nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	a, _ := nets.Load(filepath.Join(archive, "latest.weights"))
	s, _ := nets.Load(filepath.Join(shuffled, "latest.weights"))
	if a == nil || s == nil || slices.Equal(a.Tensors[0].Data, s.Tensors[0].Data) {
		t.Error("archive and shuffled order trained the same weights")
	}
	// A run saved before the flag: no game-order in train.json.
	data, _ := os.ReadFile(filepath.Join(archive, "train.json"))
	var saved map[string]any
	if err := json.Unmarshal(data, &saved); err != nil {
		t.Fatal(err)
	}
	delete(saved, "game-order")
	data, _ = json.Marshal(saved)
	if err := os.WriteFile(filepath.Join(archive, "train.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"train", "--out", archive, "--resume", "--steps", "20"}, nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if o := order(archive); o != "archive" {
		t.Errorf("an old run resumed with game-order %q; want archive", o)
	}
	err := run(context.Background(), append(tinyTrainArgs(filepath.Join(t.TempDir(), "bad"), spec, games, "1"), "--game-order", "random"), nil, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--game-order") {
		t.Errorf("--game-order random: %v", err)
	}
}

// TestTrainDeepen: --deepen with a spec that adds layers after the
// trunk starts them as the identity; it needs --init and --spec, and a
// spec that changes the old layers is a usage error.
func TestTrainDeepen(t *testing.T) {
	games, _, s, parent := surgeryParent(t)
	var stdout, stderr bytes.Buffer
	if s.Trunk[len(s.Trunk)-1].Kind != nets.KindReLU {
		t.Fatalf("the tiny trunk ends with %s", s.Trunk[len(s.Trunk)-1].Kind)
	}
	deep := s
	deep.Trunk = append(slices.Clone(s.Trunk), nets.Layer{Kind: nets.KindConv, Filters: 8, Kernel: 3}, nets.Layer{Kind: nets.KindReLU})
	out := filepath.Join(t.TempDir(), "deep")
	args := append(tinyTrainArgs(out, writeSpecFile(t, deep), games, "1"), "--init", parent, "--deepen", "--seed", "9")
	if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	added := "trunk." + strconv.Itoa(len(s.Trunk)) + ".w"
	if !strings.Contains(stderr.String(), "deepened") || !strings.Contains(stderr.String(), added) {
		t.Errorf("no deepening report:\n%s", stderr.String())
	}
	c, err := nets.Load(filepath.Join(out, "latest.weights"))
	if err != nil {
		t.Fatal(err)
	}
	// One Adam step at rate 0.002 moves a weight by about 0.002: the
	// added convolution is still the identity's neighbour.
	w := c.Tensor(added)
	if w == nil || len(c.Spec.Trunk) != len(deep.Trunk) {
		t.Fatalf("child has no %s (trunk %d layers)", added, len(c.Spec.Trunk))
	}
	f, k := w.Shape[0], w.Shape[2]
	id := make([]float32, len(w.Data))
	for i := range f {
		id[((i*f+i)*k+k/2)*k+k/2] = 1
	}
	if d := maxDiff(id, w.Data); d > 0.01 {
		t.Errorf("%s is %v from the identity", added, d)
	}
	middle := s
	middle.Trunk = slices.Insert(slices.Clone(s.Trunk), 0, nets.Layer{Kind: nets.KindConv, Filters: 8, Kernel: 3}, nets.Layer{Kind: nets.KindReLU})
	for _, args := range [][]string{
		append(tinyTrainArgs(filepath.Join(t.TempDir(), "x"), writeSpecFile(t, deep), games, "1"), "--deepen"),
		append(tinyTrainArgs(filepath.Join(t.TempDir(), "y"), writeSpecFile(t, middle), games, "1"), "--init", parent, "--deepen"),
	} {
		if err := run(context.Background(), args, nil, &stdout, &stderr); exitCode(err) != 2 {
			t.Errorf("%v: err %v, want a usage error", args[len(args)-3:], err)
		}
	}
}

// TestTrainValueLabels: --value-labels mixes a search's winrate into the
// value targets of game records (--value-q, 0.5 by default),
// --unlabelled-share 0 trains on the labelled positions alone, and the bad combinations are
// refused with a clear error.
func TestTrainValueLabels(t *testing.T) {
	games, spec := tinyTrainSetup(t)
	files, err := filepath.Glob(filepath.Join(games, "*.sgf"))
	if err != nil || len(files) < 4 {
		t.Fatalf("%d games: %v", len(files), err)
	}
	labels := filepath.Join(t.TempDir(), "labels.jsonl")
	var lines []string
	for _, f := range files[:4] {
		for m := 5; m <= 25; m += 5 {
			lines = append(lines, fmt.Sprintf(`{"key": %q, "judge": "test", "mover": %g}`, fmt.Sprintf("%s#1@%d", f, m), float64(m%2)))
		}
	}
	if err := os.WriteFile(labels, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	out := filepath.Join(t.TempDir(), "run")
	args := append(tinyTrainArgs(out, spec, games, "10"), "--value-labels", labels, "--unlabelled-share", "0")
	if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "value labels: 20 positions in 4 games") || !strings.Contains(stderr.String(), "(1-0.5)*result + 0.5*(2q-1)") {
		t.Errorf("no labels line on stderr:\n%s", stderr.String())
	}
	w, err := nets.Load(filepath.Join(out, "latest.weights"))
	if err != nil {
		t.Fatal(err)
	}
	if vt := w.Meta["train.value_target"]; !strings.Contains(vt, "unlabelled share 0") || !strings.Contains(vt, "20 positions") {
		t.Errorf("train.value_target %q", vt)
	}
	plain := filepath.Join(t.TempDir(), "run")
	if err := run(context.Background(), tinyTrainArgs(plain, spec, games, "10"), nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	p, _ := nets.Load(filepath.Join(plain, "latest.weights"))
	if p == nil || slices.Equal(p.Tensors[0].Data, w.Tensors[0].Data) {
		t.Error("the labelled positions alone trained the same weights as every position")
	}
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{\"key\": \"x@1\", \"mover\": 2}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		extra []string
		want  string
	}{
		{[]string{"--value-q", "0.5"}, "--value-q needs --selfplay or --value-labels"},
		{[]string{"--unlabelled-share", "0.5"}, "--unlabelled-share needs --value-labels"},
		{[]string{"--value-labels", labels, "--unlabelled-share", "-1"}, "want 0..1"},
		{[]string{"--value-labels", labels, "--value-q", "1.5"}, "want 0..1"},
		{[]string{"--value-labels", bad}, "bad.jsonl line 1"},
		{[]string{"--value-labels", filepath.Join(t.TempDir(), "missing.jsonl")}, "missing.jsonl"},
		{[]string{"--selfplay", t.TempDir(), "--value-labels", labels}, "are for SGF data"},
	} {
		o := filepath.Join(t.TempDir(), "run")
		args := tinyTrainArgs(o, spec, games, "10")
		if tc.extra[0] == "--selfplay" {
			args = []string{"train"}
		}
		err := run(context.Background(), append(args, tc.extra...), nil, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v; want %q", tc.extra, err, tc.want)
		}
	}
}

// TestTrainResignedOwnership: --resigned-ownership gives the resigned
// games ownership and score targets (the weights of a network with those
// heads differ from a run without it), is kept in train.json for
// --resume, and does not apply with --selfplay.
func TestTrainResignedOwnership(t *testing.T) {
	games, _ := tinyTrainSetup(t)
	js, _ := json.Marshal(tinyHeadsSpec())
	spec := filepath.Join(t.TempDir(), "heads.json")
	if err := os.WriteFile(spec, js, 0o644); err != nil {
		t.Fatal(err)
	}
	weights := map[bool]*nets.Weights{}
	for _, resigned := range []bool{false, true} {
		out := filepath.Join(t.TempDir(), "run")
		// Every game in training and two passes over them, so that the
		// one resigned game whose estimate names its winner (g006; the
		// others' random positions clash) is trained on whatever order
		// the temporary directory's name gives the games.
		args := tinyTrainArgs(out, spec, games, "160")
		args = append(args, "--final-playouts", "16", "--validation-games", "0", "--validation-positions", "0")
		if resigned {
			args = append(args, "--resigned-ownership")
		}
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
			t.Fatalf("%v\n%s", err, stderr.String())
		}
		w, err := nets.Load(filepath.Join(out, "latest.weights"))
		if err != nil {
			t.Fatal(err)
		}
		weights[resigned] = w
		saved, _ := os.ReadFile(filepath.Join(out, "train.json"))
		if got := strings.Contains(string(saved), `"resigned-ownership": true`); got != resigned {
			t.Errorf("--resigned-ownership=%v: train.json says %v:\n%s", resigned, got, saved)
		}
	}
	same := true
	for i := range weights[false].Tensors {
		if !slices.Equal(weights[false].Tensors[i].Data, weights[true].Tensors[i].Data) {
			same = false
		}
	}
	if same {
		t.Error("the resigned games' targets changed nothing")
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"train", "--selfplay", t.TempDir(), "--resigned-ownership"}, nil, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--resigned-ownership does not apply with --selfplay") {
		t.Errorf("--selfplay --resigned-ownership: %v", err)
	}
}

// TestNetAverage: tengen net average writes the mean of snapshots of one
// network with its provenance, and refuses fewer than two inputs, no
// --out, and networks of different specs.
func TestNetAverage(t *testing.T) {
	_, spec := tinyTrainSetup(t)
	dir := t.TempDir()
	a, b, c, out := filepath.Join(dir, "a.w"), filepath.Join(dir, "b.w"), filepath.Join(dir, "c.w"), filepath.Join(dir, "avg.w")
	var stdout, stderr bytes.Buffer
	for _, args := range [][]string{
		{"net", "new", "--spec", spec, "--out", a, "--seed", "3"},
		{"net", "new", "--spec", spec, "--out", b, "--seed", "4"},
		{"net", "new", "--size", "9", "--out", c},
		{"net", "average", "--out", out, a, b},
	} {
		if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	wa, _ := nets.Load(a)
	wb, _ := nets.Load(b)
	avg, err := nets.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(avg.Spec, wa.Spec) || avg.Meta["averaged_from"] != a+" "+b {
		t.Errorf("spec %s, meta %v", avg.Spec.Name, avg.Meta)
	}
	for i, tn := range avg.Tensors {
		for k, v := range tn.Data {
			if want := (wa.Tensors[i].Data[k] + wb.Tensors[i].Data[k]) / 2; math.Abs(float64(v-want)) > 1e-6 {
				t.Fatalf("%s[%d] = %v; want %v", tn.Name, k, v, want)
			}
		}
	}
	for _, args := range [][]string{
		{"net", "average", "--out", out, a},
		{"net", "average", a, b},
	} {
		if err := run(context.Background(), args, nil, &stdout, &stderr); exitCode(err) != 2 {
			t.Errorf("%v: %v; want a usage error", args, err)
		}
	}
	if err := run(context.Background(), []string{"net", "average", "--out", out, a, c}, nil, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "another spec") {
		t.Errorf("different specs: %v", err)
	}
}

// TestTrainSWA: --swa-from writes OUT/swa.weights, the mean of the
// checkpoints from that step on; a negative step and --selfplay are
// refused.
func TestTrainSWA(t *testing.T) {
	games, spec := tinyTrainSetup(t)
	out := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	args := append(tinyTrainArgs(out, spec, games, "30"), "--swa-from", "20", "--keep", "5")
	if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	swa, err := nets.Load(filepath.Join(out, "swa.weights"))
	if err != nil {
		t.Fatal(err)
	}
	if swa.Meta["swa.snapshots"] != "2" || swa.Meta["swa.last_step"] != "30" {
		t.Errorf("swa meta %v; want 2 snapshots (steps 20 and 30)", swa.Meta)
	}
	for _, bad := range [][]string{
		append(tinyTrainArgs(filepath.Join(t.TempDir(), "r"), spec, games, "10"), "--swa-from", "-1"),
		{"train", "--selfplay", t.TempDir(), "--swa-from", "5"},
	} {
		if err := run(context.Background(), bad, nil, &stdout, &stderr); exitCode(err) != 2 {
			t.Errorf("%v: %v; want a usage error", bad, err)
		}
	}
}
