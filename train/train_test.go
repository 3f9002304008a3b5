package train

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/dataset"
	"github.com/tengen-go/tengen/internal/gamegen"
	"github.com/tengen-go/tengen/nets"
)

// tinySpec is DefaultSpec(9) shrunk to 8 filters and a small value head.
func tinySpec() nets.Spec {
	s := nets.DefaultSpec(9)
	s.Name = "tiny"
	for i := range s.Trunk {
		if s.Trunk[i].Kind == nets.KindConv {
			s.Trunk[i].Filters = 8
		}
	}
	s.Trunk = s.Trunk[:10] // two conv blocks with LRN and pooling, two plain convs
	s.Value.Hidden = 16
	return s
}

func tinyWeights(t testing.TB) *nets.Weights {
	w, err := nets.NewWeights(tinySpec(), rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func games(t testing.TB, n int) string {
	dir, err := gamegen.Write(filepath.Join(t.TempDir(), "games"), n, 9, 5)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func tinyConfig(t testing.TB, dir string) Config {
	cfg := DefaultConfig()
	cfg.Dir = dir
	cfg.Init = tinyWeights(t)
	cfg.Options.BatchSize = 8
	cfg.Schedule = Schedule{Kind: Cosine, Base: 0.05, Min: 0.005}
	cfg.Steps = 20
	cfg.CheckpointEvery = 5
	cfg.Keep = 2
	cfg.BufferSize = 64
	cfg.LogEvery = 5
	return cfg
}

func source(dir string) *SGFSource {
	return &SGFSource{Config: dataset.ExampleConfig{Paths: []string{dir}, Symmetries: true, Seed: 3}}
}

func TestScheduleRate(t *testing.T) {
	for _, tc := range []struct {
		s         Schedule
		step, tot int64
		want      float64
	}{
		{Schedule{Kind: Constant, Base: 0.1}, 50, 100, 0.1},
		{Schedule{Kind: StepDecay, Base: 0.1, Every: 10, Gamma: 0.5}, 9, 100, 0.1},
		{Schedule{Kind: StepDecay, Base: 0.1, Every: 10, Gamma: 0.5}, 25, 100, 0.025},
		{Schedule{Kind: Cosine, Base: 0.1, Min: 0.01}, 0, 101, 0.1},
		{Schedule{Kind: Cosine, Base: 0.1, Min: 0.01}, 50, 101, 0.055},
		{Schedule{Kind: Cosine, Base: 0.1, Min: 0.01}, 100, 101, 0.01},
		{Schedule{Kind: Constant, Base: 0.1, Warmup: 4}, 1, 100, 0.05},
		{Schedule{Kind: Constant, Base: 0.1, Warmup: 4}, 4, 100, 0.1},
	} {
		if got := tc.s.Rate(tc.step, tc.tot); abs(got-tc.want) > 1e-12 {
			t.Errorf("%+v.Rate(%d, %d) = %v; want %v", tc.s, tc.step, tc.tot, got, tc.want)
		}
		if err := tc.s.Validate(); err != nil {
			t.Errorf("%+v: %v", tc.s, err)
		}
	}
	for _, s := range []Schedule{{Kind: "linear", Base: 1}, {Kind: Constant}, {Kind: StepDecay, Base: 1}, {Kind: Cosine, Base: 1, Min: 2}} {
		if s.Validate() == nil {
			t.Errorf("%+v validated", s)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestRunReducesLoss trains on the positions of two games (no
// symmetries, so the tiny network can memorise them) and checks the loss
// on those positions.
func TestRunReducesLoss(t *testing.T) {
	if raceEnabled {
		t.Skip("numerical test; the loop's concurrency is raced by the checkpoint and resume tests")
	}
	data := games(t, 2)
	exs, _, err := Sample(context.Background(), dataset.ExampleConfig{Paths: []string{data}}, 1000, 1, 1)
	if err != nil || len(exs) < 50 {
		t.Fatalf("%d examples, %v", len(exs), err)
	}
	cfg := tinyConfig(t, t.TempDir())
	cfg.Steps = 80
	cfg.CheckpointEvery = 80
	cfg.LogEvery = 10
	cfg.Options.BatchSize = 16
	cfg.Options.Optimizer = "adam"
	cfg.Schedule = Schedule{Kind: Constant, Base: 0.005}
	cfg.Validation = exs
	before, err := Evaluate(context.Background(), cfg.Init, exs)
	if err != nil {
		t.Fatal(err)
	}
	src := source(data)
	src.Config.Symmetries = false
	res, err := Run(context.Background(), cfg, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	after := res.Validation
	if after == nil || after.Samples != len(exs) {
		t.Fatalf("validation metrics %+v", after)
	}
	t.Logf("policy loss %.3f -> %.3f, top-1 %.3f -> %.3f, value MSE %.3f -> %.3f",
		before.PolicyLoss, after.PolicyLoss, before.Top1, after.Top1, before.ValueMSE, after.ValueMSE)
	if !(after.PolicyLoss < before.PolicyLoss-0.5) || !(after.Top1 > before.Top1) {
		t.Errorf("policy loss %.3f -> %.3f, top-1 %.3f -> %.3f; want a clear improvement", before.PolicyLoss, after.PolicyLoss, before.Top1, after.Top1)
	}
	if !(after.ValueMSE < before.ValueMSE) {
		t.Errorf("value MSE %.3f -> %.3f; want a decrease", before.ValueMSE, after.ValueMSE)
	}
	recs := readMetrics(t, cfg.Dir)
	first, last := recs[0], recs[len(recs)-1]
	if first.Step != 10 || first.TrainMetrics == nil || first.ValMetrics != nil {
		t.Fatalf("first record %+v", first)
	}
	if last.Step != 80 || last.TrainMetrics == nil || last.ValMetrics == nil || *last.ValMetrics != *after || *last.TrainMetrics != res.Train {
		t.Fatalf("last record %+v; want train and validation metrics", last)
	}
	if !(last.TrainMetrics.PolicyLoss < first.TrainMetrics.PolicyLoss) || !(last.PosPerSec > 0) || last.LearningRate != 0.005 {
		t.Errorf("train metrics: first %+v, last %+v", first.TrainMetrics, last.TrainMetrics)
	}
}

func TestCheckpointFiles(t *testing.T) {
	data := games(t, 3)
	dir := t.TempDir()
	cfg := tinyConfig(t, dir)
	calls := 0
	cfg.AfterCheckpoint = func(d string) error {
		calls++
		if d != dir {
			t.Errorf("hook dir %q", d)
		}
		return errors.New("hook errors are not fatal")
	}
	res, err := Run(context.Background(), cfg, source(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Step != 20 || res.Positions != 160 || calls != 4 {
		t.Fatalf("step %d positions %d hook calls %d", res.Step, res.Positions, calls)
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"ckpt-00000015.buffer", "ckpt-00000015.json", "ckpt-00000015.weights",
		"ckpt-00000020.buffer", "ckpt-00000020.json", "ckpt-00000020.weights",
		"latest", "latest.weights", "metrics.jsonl"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("directory holds %v; want %v (no temporary files, two checkpoints kept)", names, want)
	}
	c, err := LoadLatest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.State.Step != 20 || c.State.Positions != 160 || c.BufferErr != nil || len(c.buffer) != cfg.BufferSize {
		t.Fatalf("latest: %+v, buffer %d items, %v", c.State, len(c.buffer), c.BufferErr)
	}
	if c.Weights.Meta["train.steps"] != "20" || !reflect.DeepEqual(c.Weights.Tensors, res.Weights.Tensors) {
		t.Errorf("checkpoint weights differ from the result (meta %v)", c.Weights.Meta)
	}
	lw, err := nets.Load(filepath.Join(dir, "latest.weights"))
	if err != nil || !reflect.DeepEqual(lw.Tensors, res.Weights.Tensors) {
		t.Errorf("latest.weights: %v", err)
	}
	// A torn newest checkpoint (its weights truncated) falls back to the
	// previous one.
	wpath := filepath.Join(dir, "ckpt-00000020.weights")
	b, _ := os.ReadFile(wpath)
	os.WriteFile(wpath, b[:len(b)/2], 0o644)
	if c, err = LoadLatest(dir); err != nil || c.State.Step != 15 {
		t.Fatalf("after tearing step 20: %v, %+v", err, c)
	}
	// A corrupt buffer is reported, and the rest loads.
	bpath := filepath.Join(dir, "ckpt-00000015.buffer")
	b, _ = os.ReadFile(bpath)
	b[len(b)/2] ^= 1
	os.WriteFile(bpath, b, 0o644)
	if c, err = LoadCheckpoint(dir, 15); err != nil || !errors.Is(c.BufferErr, ErrBuffer) {
		t.Fatalf("corrupt buffer: %v, %v", err, c.BufferErr)
	}
	// Without Resume, a directory with checkpoints is refused.
	if _, err := Run(context.Background(), cfg, source(data), nil); err == nil {
		t.Fatal("Run overwrote a directory with checkpoints")
	}
}

func readMetrics(t *testing.T, dir string) []Record {
	f, err := os.Open(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []Record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("metrics line %q: %v", sc.Text(), err)
		}
		recs = append(recs, r)
	}
	return recs
}

// TestResumeIsExact stops a run at its first checkpoint (by cancelling its
// context), resumes it, and compares with an uninterrupted run.
func TestResumeIsExact(t *testing.T) {
	data := games(t, 3)
	val, _, _ := Sample(context.Background(), dataset.ExampleConfig{Paths: []string{data}}, 40, 2, 1)
	run := func(dir string, stopAt int64, resume bool) (*Result, error) {
		cfg := tinyConfig(t, dir)
		cfg.Validation = val
		cfg.Resume = resume
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cfg.AfterCheckpoint = func(string) error {
			if stopAt > 0 {
				if c, err := LoadLatest(dir); err == nil && c.State.Step == stopAt {
					cancel()
				}
			}
			return nil
		}
		return Run(ctx, cfg, source(data), nil)
	}
	want, err := run(t.TempDir(), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		keepBuf   bool
		wantExact bool
	}{{"with buffer", true, true}, {"buffer lost", false, false}} {
		if raceEnabled && !tc.keepBuf {
			continue
		}
		dir := t.TempDir()
		if _, err := run(dir, 5, false); !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: stopped run: %v", tc.name, err)
		}
		if steps, _ := Checkpoints(dir); !reflect.DeepEqual(steps, []int64{5}) {
			t.Fatalf("%s: checkpoints %v after stopping; want [5]", tc.name, steps)
		}
		if !tc.keepBuf {
			os.Remove(filepath.Join(dir, "ckpt-00000005.buffer"))
		}
		got, err := run(dir, 0, true)
		if err != nil {
			t.Fatalf("%s: resume: %v", tc.name, err)
		}
		if got.Start != 5 || got.Step != 20 || got.Positions != want.Positions {
			t.Fatalf("%s: resumed from %d to %d (%d positions); want 5 to 20 (%d)", tc.name, got.Start, got.Step, got.Positions, want.Positions)
		}
		same := reflect.DeepEqual(got.Weights.Tensors, want.Weights.Tensors)
		if same != tc.wantExact {
			t.Errorf("%s: resumed weights equal the uninterrupted run's: %v; want %v", tc.name, same, tc.wantExact)
		}
		recs := readMetrics(t, dir)
		var steps []int64
		for _, r := range recs {
			if r.TrainMetrics != nil {
				steps = append(steps, r.Step)
			}
		}
		if !reflect.DeepEqual(steps, []int64{5, 10, 15, 20}) {
			t.Errorf("%s: train records at steps %v", tc.name, steps)
		}
	}
}

func TestRunNoData(t *testing.T) {
	cfg := tinyConfig(t, t.TempDir())
	_, err := Run(context.Background(), cfg, source(t.TempDir()), nil)
	if !errors.Is(err, ErrNoData) {
		t.Fatalf("empty data: %v; want ErrNoData", err)
	}
	cfg19 := tinyConfig(t, t.TempDir())
	dir19, _ := gamegen.Write(filepath.Join(t.TempDir(), "g"), 1, 7, 1)
	if _, err := Run(context.Background(), cfg19, source(dir19), nil); err == nil || !strings.Contains(err.Error(), "board size") {
		t.Fatalf("7x7 games for a 9x9 network: %v", err)
	}
}

func TestSourceResumePositions(t *testing.T) {
	data := games(t, 3)
	src := source(data)
	type rec struct {
		at     Position
		policy int
	}
	var all []rec
	if err := src.Pass(context.Background(), Position{Epoch: 1}, func(at Position, ex *dataset.Example) error {
		all = append(all, rec{at, ex.Policy})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{0, 1, 17, 40, len(all) - 1} {
		var rest []rec
		src.Pass(context.Background(), all[k].at, func(at Position, ex *dataset.Example) error {
			rest = append(rest, rec{at, ex.Policy})
			return nil
		})
		if !reflect.DeepEqual(rest, all[k+1:]) && !(len(rest) == 0 && k == len(all)-1) {
			t.Errorf("resuming after example %d (%+v): %d examples; want %d", k, all[k].at, len(rest), len(all)-k-1)
		}
	}
	// Another epoch draws other symmetries.
	var e0 []int
	src.Pass(context.Background(), Position{}, func(at Position, ex *dataset.Example) error {
		e0 = append(e0, ex.Policy)
		return nil
	})
	diff := 0
	for i := range e0 {
		if e0[i] != all[i].policy {
			diff++
		}
	}
	if len(e0) != len(all) || diff == 0 {
		t.Errorf("epochs 0 and 1: %d and %d examples, %d targets differ", len(e0), len(all), diff)
	}
}

func TestBufferRoundTrip(t *testing.T) {
	in := make([]float32, nets.NumPlanesV1*81)
	in[3], in[100] = 1, 0.25
	items := []item{
		{in: dataset.Pack(in, nets.NumPlanesV1, 81), policy: 7, value: -1, hasValue: true},
		{in: dataset.Pack(in, nets.NumPlanesV1, 81), policy: 81, dist: []float32{0.5, 0.5}},
	}
	path := filepath.Join(t.TempDir(), "b")
	f, _ := os.Create(path)
	if err := writeBuffer(f, items); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, err := readBufferFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, items) {
		t.Fatalf("round trip: %+v", got)
	}
}

func FuzzDecodeBuffer(f *testing.F) {
	in := make([]float32, 2*4)
	in[1] = 1
	var b strings.Builder
	writeBuffer(&b, []item{{in: dataset.Pack(in, 2, 4), policy: 1, dist: []float32{1}, hasValue: true}})
	f.Add([]byte(b.String()))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := decodeBuffer(data)
		if err != nil {
			return
		}
		var again strings.Builder
		if err := writeBuffer(&again, items); err != nil {
			t.Fatal(err)
		}
		if _, err := decodeBuffer([]byte(again.String())); err != nil {
			t.Fatalf("re-encoded buffer rejected: %v", err)
		}
	})
}

func TestBufferRoundTripHeads(t *testing.T) {
	in := make([]float32, nets.NumPlanesV1*4)
	in[5] = 0.25
	items := []item{
		{in: dataset.Pack(in, nets.NumPlanesV1, 4), policy: 2, value: 1, hasValue: true, own: []int8{1, -1, 0, 1}, score: -3.5, hasScore: true},
		{in: dataset.Pack(in, nets.NumPlanesV1, 4), policy: 4},
	}
	var b strings.Builder
	if err := writeBuffer(&b, items); err != nil {
		t.Fatal(err)
	}
	got, err := decodeBuffer([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, items) {
		t.Fatalf("round trip: %+v", got)
	}
}

// TestBufferReadsVersion1: a buffer file from before the ownership and
// score targets still reads.
func TestBufferReadsVersion1(t *testing.T) {
	in := make([]float32, 2*4)
	in[1], in[6] = 1, 0.5
	p := dataset.Pack(in, 2, 4)
	pb, _ := p.MarshalBinary()
	var body []byte
	u32 := func(v uint32) { body = binary.LittleEndian.AppendUint32(body, v) }
	body = append(body, bufferMagic...)
	u32(1) // version
	u32(1) // items
	u32(uint32(len(pb)))
	body = append(body, pb...)
	u32(3)          // policy
	u32(0)          // no distribution
	u32(0x3f800000) // value 1
	body = append(body, 1)
	body = binary.LittleEndian.AppendUint32(body, crc32.Checksum(body, castagnoli))
	got, err := decodeBuffer(body)
	if err != nil {
		t.Fatal(err)
	}
	want := []item{{in: p, policy: 3, value: 1, hasValue: true}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("version 1 buffer read as %+v; want %+v", got, want)
	}
}

// countedGame is a 9x9 game played to the end: Black walls off the left
// five columns, White the right four; two passes; B+2 with komi 7.
func countedGame() string {
	var b strings.Builder
	b.WriteString("(;FF[4]SZ[9]KM[7]RE[B+2]")
	for y := range 9 {
		fmt.Fprintf(&b, ";B[e%c];W[f%c]", 'a'+y, 'a'+y)
	}
	b.WriteString(";B[];W[])\n")
	return b.String()
}

// TestRunHeads trains a network with a pooled value head, an ownership
// and a score head on counted games with final targets: the losses and
// the validation measures of the heads are recorded.
func TestRunHeads(t *testing.T) {
	data := games(t, 4)
	for i := range 3 {
		if err := os.WriteFile(filepath.Join(data, fmt.Sprintf("counted%d.sgf", i)), []byte(countedGame()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	spec := tinySpec()
	spec.Value.Kind = nets.ValuePool
	spec.Ownership.Filters = 2
	spec.Score.Hidden = 8
	w, err := nets.NewWeights(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	exCfg := dataset.ExampleConfig{Paths: []string{data}, Symmetries: true, Seed: 3, Final: true, Cache: &dataset.FinalCache{}}
	val, st, err := Sample(context.Background(), exCfg, 200, 1, 1)
	if err != nil || st.Counted < 3 {
		t.Fatalf("sample: %d examples, %d counted games, %v", len(val), st.Counted, err)
	}
	cfg := tinyConfig(t, t.TempDir())
	cfg.Init = w
	cfg.Steps, cfg.CheckpointEvery, cfg.LogEvery = 10, 10, 5
	cfg.Validation = val
	cfg.Options.OwnershipWeight, cfg.Options.ScoreWeight = 1, 0.5
	res, err := Run(context.Background(), cfg, &SGFSource{Config: exCfg}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Train.OwnershipLoss <= 0 || res.Train.ScoreLoss <= 0 {
		t.Errorf("train metrics %+v: no ownership or score loss", res.Train)
	}
	v := res.Validation
	if v == nil || v.FinalSamples == 0 || v.OwnershipAccuracy <= 0 || v.ScoreMAE <= 0 {
		t.Errorf("validation %+v: no ownership or score measure", v)
	}
	data2, err := os.ReadFile(filepath.Join(cfg.Dir, "metrics.jsonl"))
	if err != nil || !strings.Contains(string(data2), `"ownership_loss"`) || !strings.Contains(string(data2), `"val_score_mae"`) {
		t.Errorf("metrics.jsonl lacks the heads' losses: %v\n%s", err, data2)
	}
	if res.Weights.Meta["train.validation_ownership_accuracy"] == "" {
		t.Errorf("meta %v lacks the validation ownership accuracy", res.Weights.Meta)
	}
	// A resumed run reads the saved buffer, ownership targets included.
	ck, err := LoadLatest(cfg.Dir)
	if err != nil || ck.BufferErr != nil {
		t.Fatalf("checkpoint: %v, buffer %v", err, ck.BufferErr)
	}
	withOwn := 0
	for _, it := range ck.buffer {
		if it.own != nil && it.hasScore {
			withOwn++
		}
	}
	if withOwn == 0 {
		t.Error("no item of the saved buffer has final targets")
	}
}

// TestSWA: with SWAFrom, swa.weights is the mean of the checkpoints from
// that step on (nets.Average of them, to rounding); a run stopped and
// resumed gives the same mean, each step counted once; a new run refuses
// a directory holding an old mean.
func TestSWA(t *testing.T) {
	data := games(t, 3)
	run := func(dir string, stopAt int64, resume bool) (*Result, error) {
		cfg := tinyConfig(t, dir)
		cfg.Keep = 10
		cfg.SWAFrom = 10
		cfg.Resume = resume
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cfg.AfterCheckpoint = func(string) error {
			if c, err := LoadLatest(dir); err == nil && c.State.Step == stopAt {
				cancel()
			}
			return nil
		}
		return Run(ctx, cfg, source(data), nil)
	}
	dir := t.TempDir()
	if _, err := run(dir, 0, false); err != nil {
		t.Fatal(err)
	}
	var snaps []*nets.Weights
	for _, step := range []int64{10, 15, 20} {
		c, err := LoadCheckpoint(dir, step)
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, c.Weights)
	}
	want, err := nets.Average(snaps...)
	if err != nil {
		t.Fatal(err)
	}
	swa, err := nets.Load(filepath.Join(dir, SWAFile))
	if err != nil {
		t.Fatal(err)
	}
	if swa.Meta["swa.snapshots"] != "3" || swa.Meta["swa.from"] != "10" || swa.Meta["swa.last_step"] != "20" {
		t.Errorf("meta %v", swa.Meta)
	}
	for i, tn := range swa.Tensors {
		for k, v := range tn.Data {
			if d := math.Abs(float64(v - want.Tensors[i].Data[k])); d > 1e-6 {
				t.Fatalf("%s[%d] = %v; the mean of the checkpoints %v", tn.Name, k, v, want.Tensors[i].Data[k])
			}
		}
	}
	// Stopped after step 15 (two snapshots in the mean) and resumed: the
	// same mean.
	dir2 := t.TempDir()
	if _, err := run(dir2, 15, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped run: %v", err)
	}
	if _, err := run(dir2, 0, true); err != nil {
		t.Fatal(err)
	}
	swa2, err := nets.Load(filepath.Join(dir2, SWAFile))
	if err != nil {
		t.Fatal(err)
	}
	if swa2.Meta["swa.snapshots"] != "3" || !reflect.DeepEqual(swa2.Tensors, swa.Tensors) {
		t.Errorf("resumed: %s snapshots, same mean %v", swa2.Meta["swa.snapshots"], reflect.DeepEqual(swa2.Tensors, swa.Tensors))
	}
	// A step already in the mean is not added again.
	before, _ := os.ReadFile(filepath.Join(dir2, SWAFile))
	if err := updateSWA(dir2, snaps[1], 15, 10); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir2, SWAFile)); !bytes.Equal(before, after) {
		t.Error("a step already in the mean changed it")
	}
	// A new run in a directory with a mean but no checkpoint is refused.
	if err := RemoveCheckpoints(dir2); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir2, SWAFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("RemoveCheckpoints left %s: %v", SWAFile, err)
	}
	os.WriteFile(filepath.Join(dir2, SWAFile), before, 0o644)
	if _, err := run(dir2, 0, false); err == nil || !strings.Contains(err.Error(), "holds swa.weights but no checkpoint") {
		t.Errorf("a new run over an old mean: %v", err)
	}
}
