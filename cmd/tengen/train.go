package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tengen-go/tengen/dataset"
	"github.com/tengen-go/tengen/internal/atomicfile"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/tape"
	"github.com/tengen-go/tengen/plot"
	"github.com/tengen-go/tengen/train"
)

func init() {
	register(command{name: "train", summary: "train a network on SGF game records (supervised) or a self-play candidate (--selfplay DIR)", run: runTrain})
}

// trainArgs are the settings of "tengen train". They are saved to
// DIR/train.json so that "--resume" alone continues with them; the JSON
// names are the flag names.
type trainArgs struct {
	Paths []string `json:"paths"` // --sgf and positional paths

	surgery string // what --init with --spec copied (not saved)

	Spec        string   `json:"spec"`
	Init        string   `json:"init"`
	Fresh       []string `json:"fresh"`
	Deepen      bool     `json:"deepen,omitempty"`
	Size        int      `json:"size"`
	MinRank     string   `json:"min-rank"`
	NoHandicap  bool     `json:"no-handicap"`
	MinMoves    int      `json:"min-moves"`
	Results     []string `json:"results"`
	Passes      bool     `json:"passes"`
	GameOrder   string   `json:"game-order"`
	ValGames    int      `json:"validation-games"`
	ValPos      int      `json:"validation-positions"`
	Seed        uint64   `json:"seed"`
	SplitSeed   uint64   `json:"split-seed,omitempty"`
	Batch       int      `json:"batch"`
	LR          float64  `json:"lr"`
	Schedule    string   `json:"schedule"`
	LREvery     int64    `json:"lr-every"`
	LRGamma     float64  `json:"lr-gamma"`
	LRMin       float64  `json:"lr-min"`
	Warmup      int64    `json:"warmup"`
	Optimizer   string   `json:"optimizer"`
	Momentum    float64  `json:"momentum"`
	LRScale     []string `json:"lr-scale,omitempty"`
	WeightDecay float64  `json:"weight-decay"`
	ValueWeight float64  `json:"value-weight"`
	OwnWeight   float64  `json:"ownership-weight"`
	ScoreWeight float64  `json:"score-weight"`
	ValueQ      float64  `json:"value-q,omitempty"`
	ValueLabels []string `json:"value-labels,omitempty"`
	Unlabelled  *float64 `json:"unlabelled-share,omitempty"`
	FinalPlays  int      `json:"final-playouts"`
	ResignedOwn bool     `json:"resigned-ownership,omitempty"`
	Steps       int64    `json:"steps"`
	Positions   int64    `json:"positions"`
	CkptEvery   int64    `json:"checkpoint-every"`
	Keep        int      `json:"keep"`
	SWAFrom     int64    `json:"swa-from,omitempty"`
	Buffer      int      `json:"buffer"`
	SaveBuffer  bool     `json:"save-buffer"`
	LogEvery    int64    `json:"log-every"`
	ValEvery    int64    `json:"validate-every"`
	Backend     string   `json:"backend"`
}

// unlabelledShare is --unlabelled-share (1 where a saved run predates it).
func (a *trainArgs) unlabelledShare() float64 {
	if a.Unlabelled == nil {
		return 1
	}
	return *a.Unlabelled
}

// bind defines the flags of a on fs with their defaults and returns the
// flag name -> field pointer map used to merge saved settings.
func (a *trainArgs) bind(fs *pflag.FlagSet) map[string]any {
	d := train.DefaultConfig()
	o := tape.DefaultTrainOptions()
	fields := map[string]any{}
	str := func(p *string, name, def, usage string) { fs.StringVar(p, name, def, usage); fields[name] = p }
	num := func(p *int, name string, def int, usage string) { fs.IntVar(p, name, def, usage); fields[name] = p }
	num64 := func(p *int64, name string, def int64, usage string) {
		fs.Int64Var(p, name, def, usage)
		fields[name] = p
	}
	flt := func(p *float64, name string, def float64, usage string) {
		fs.Float64Var(p, name, def, usage)
		fields[name] = p
	}
	boo := func(p *bool, name string, def bool, usage string) { fs.BoolVar(p, name, def, usage); fields[name] = p }

	fs.StringArrayVar(&a.Paths, "sgf", nil, "SGF file, directory or archive (repeatable; positional paths too)")
	str(&a.Spec, "spec", "", "network spec (JSON file; default: the default spec for --size)")
	str(&a.Init, "init", "", "start from these weights instead of a random network (with --spec: copy the tensors whose names and shapes match, initialise the rest)")
	fs.StringSliceVar(&a.Fresh, "fresh", nil, "with --init and --spec: tensor name prefixes to initialise afresh anyway (e.g. value. for a new value head)")
	fields["fresh"] = &a.Fresh
	boo(&a.Deepen, "deepen", false, "with --init and --spec whose trunk is --init's with layers added after it: the added convolutions start as the identity, so the deeper network starts computing what --init did (Net2DeeperNet)")
	num(&a.Size, "size", 19, "board size (games of other sizes are skipped)")
	str(&a.MinRank, "min-rank", "", "keep games whose players are both at least this rank (e.g. 6d)")
	boo(&a.NoHandicap, "no-handicap", false, "drop handicap games")
	num(&a.MinMoves, "min-moves", 0, "drop games with fewer main-line moves")
	fs.StringSliceVar(&a.Results, "results", nil, "keep only these result kinds: resign, score, time, forfeit, none, other")
	fields["results"] = &a.Results
	boo(&a.Passes, "passes", true, "train on pass moves too")
	str(&a.GameOrder, "game-order", gameOrderShuffled, "order of the games in each pass over the SGF data: shuffled (a new random order each epoch, from --seed; every game is read first and held as text: 53 MB and about 3 s a pass for the 34,502 shared KGS games) or archive (path and archive order, which follows the archives' eras; runs saved before this flag)")
	num(&a.ValGames, "validation-games", 2000, "games held out for validation (at most a tenth of the games)")
	num(&a.ValPos, "validation-positions", 500, "positions of the validation games checked during training")
	fs.Uint64Var(&a.Seed, "seed", 1, "seed: validation split, symmetries, shuffling, dropout")
	fields["seed"] = &a.Seed
	fs.Uint64Var(&a.SplitSeed, "split-seed", 0, "seed of the validation split and its sample alone (0: --seed); lets a run see the data in a new order and keep an earlier run's validation games")
	fields["split-seed"] = &a.SplitSeed
	num(&a.Batch, "batch", o.BatchSize, "batch size")
	flt(&a.LR, "lr", o.LearningRate, "learning rate (initial)")
	str(&a.Schedule, "schedule", train.Constant, "learning-rate schedule: constant, step, cosine")
	num64(&a.LREvery, "lr-every", 0, "step schedule: multiply the rate by --lr-gamma every this many steps (default a third of --steps)")
	flt(&a.LRGamma, "lr-gamma", 0.1, "step schedule: factor")
	flt(&a.LRMin, "lr-min", 0, "cosine schedule: final rate")
	num64(&a.Warmup, "warmup", 0, "steps of linear warm-up")
	str(&a.Optimizer, "optimizer", o.Optimizer, "optimizer: sgd (with momentum) or adam")
	flt(&a.Momentum, "momentum", o.Momentum, "SGD momentum")
	fs.StringSliceVar(&a.LRScale, "lr-scale", nil, "PREFIX=F: multiply the learning rate of the tensors whose names start with PREFIX by F (repeatable; longest prefix wins), e.g. value.=10 to train a new head faster than a trained trunk")
	fields["lr-scale"] = &a.LRScale
	flt(&a.WeightDecay, "weight-decay", o.WeightDecay, "L2 coefficient on the weights")
	flt(&a.ValueWeight, "value-weight", o.ValueWeight, "weight of the value loss")
	flt(&a.OwnWeight, "ownership-weight", o.OwnershipWeight, "weight of the ownership loss (networks with an ownership head: mean squared error per point, games played to a counted end)")
	flt(&a.ScoreWeight, "score-weight", o.ScoreWeight, "weight of the score loss (networks with a score head: Huber loss of the error over 10 points, games played to a counted end)")
	flt(&a.ValueQ, "value-q", 0, "weight of a search's winrate q in the value target, (1-w)*result + w*(2q-1): with --selfplay the recorded root winrate, with SGF data the --value-labels (default 0.5 there; 0: the game's result alone)")
	fs.StringArrayVar(&a.ValueLabels, "value-labels", nil, "SGF data: JSON-lines files of a search's winrate for game-record positions (scripts/value-ceiling search writes them; repeatable), mixed into the value target by --value-q; a position lost on time takes the label alone")
	fields["value-labels"] = &a.ValueLabels
	a.Unlabelled = new(float64)
	flt(a.Unlabelled, "unlabelled-share", 1, "with --value-labels: the share of the positions without a label trained on, drawn at random (1: all; 0: the labelled positions alone)")
	num(&a.FinalPlays, "final-playouts", dataset.DefaultFinalConfig().Playouts, "heavy playouts that judge dead stones when counting a game's final position for the ownership and score targets")
	boo(&a.ResignedOwn, "resigned-ownership", false, "give resigned games ownership and score targets too: the heavy playouts' estimate of their last position, kept when it names the winner (validation keeps counted games only)")
	num64(&a.Steps, "steps", d.Steps, "training steps (batches)")
	num64(&a.Positions, "positions", 0, "training positions instead of --steps (rounded up to whole batches)")
	num64(&a.CkptEvery, "checkpoint-every", d.CheckpointEvery, "steps between checkpoints")
	num(&a.Keep, "keep", d.Keep, "checkpoints kept")
	num64(&a.SWAFrom, "swa-from", 0, "keep in OUT/swa.weights the mean of every checkpoint's weights from this step on (stochastic weight averaging; 0: off)")
	num(&a.Buffer, "buffer", d.BufferSize, "shuffle buffer size (examples)")
	boo(&a.SaveBuffer, "save-buffer", d.SaveBuffer, "save the shuffle buffer with checkpoints (exact resume)")
	num64(&a.LogEvery, "log-every", d.LogEvery, "steps between metrics records")
	num64(&a.ValEvery, "validate-every", 0, "steps between validation passes (default: at every checkpoint)")
	str(&a.Backend, "backend", "fast", "training step: fast (im2col + GEMM forward and backward) or tape (gorgonia autodiff)")
	return fields
}

func runTrain(ctx context.Context, e env) error {
	fs := newFlags("train", "--out DIR [--spec FILE | --init W] [--resume] [flags] [--sgf PATH]... [PATH...]\n       tengen train --selfplay DIR [--window N] [flags]", e.stdout)
	out := fs.String("out", "", "directory for checkpoints, metrics, validation.txt (required)")
	resume := fs.Bool("resume", false, "continue the run in --out from its newest checkpoint with its saved settings (flags given now override them)")
	selfplayDir := fs.String("selfplay", "", "train the next self-play candidate of this self-play directory from its best network (into DIR/train/gen-N; resumable)")
	window := fs.Int("window", 10000, "with --selfplay: train on the newest this many games")
	var a trainArgs
	fields := a.bind(fs)
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	if *selfplayDir != "" {
		if fs.Changed("value-labels") || fs.Changed("unlabelled-share") {
			return usageError("train: --value-labels and --unlabelled-share are for SGF data (self-play records carry their own root winrate: --value-q)")
		}
		return trainSelfplay(ctx, e, fs, &a, *selfplayDir, *window)
	}
	if fs.Changed("value-labels") && !fs.Changed("value-q") {
		a.ValueQ = 0.5
	}
	if *out == "" {
		return usageError("train: --out DIR is required")
	}
	a.Paths = append(a.Paths, fs.Args()...)
	argsPath := filepath.Join(*out, "train.json")
	if *resume {
		if err := a.mergeSaved(argsPath, fs, fields); err != nil {
			return err
		}
	}
	if len(a.Paths) == 0 {
		return usageError("train: no SGF paths given (--sgf PATH or positional)")
	}
	switch {
	case len(a.ValueLabels) == 0 && a.ValueQ != 0:
		return usageError("train: --value-q needs --selfplay or --value-labels (game records have no search winrate)")
	case len(a.ValueLabels) == 0 && a.unlabelledShare() != 1:
		return usageError("train: --unlabelled-share needs --value-labels")
	case a.unlabelledShare() < 0 || a.unlabelledShare() > 1:
		return usageError("train: --unlabelled-share %g: want 0..1", a.unlabelledShare())
	case a.ValueQ < 0 || a.ValueQ > 1:
		return usageError("train: --value-q %g: want 0..1", a.ValueQ)
	case a.SWAFrom < 0:
		return usageError("train: --swa-from %d < 0", a.SWAFrom)
	}
	w, err := a.network(*resume, *out)
	if err != nil {
		return err
	}
	size := a.Size
	spec := nets.DefaultSpec(size)
	if w != nil {
		size = w.Spec.BoardSize
		spec = w.Spec
	}
	filter := dataset.Filter{Size: size, MinRank: a.MinRank, NoHandicap: a.NoHandicap, MinMoves: a.MinMoves, Results: a.Results}
	if err := filter.Validate(); err != nil {
		return usageError("train: %v", err)
	}
	if *resume && w != nil {
		if _, err := train.LatestState(*out); err == nil {
			w = nil // Run loads the checkpoint
		}
	}
	cfg, err := a.config(*out, w)
	if err != nil {
		return err
	}
	cfg.Resume = *resume
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if !*resume {
		if steps, _ := train.Checkpoints(*out); len(steps) > 0 {
			return usageError("train: %s already holds checkpoints (use --resume, or another --out)", *out)
		}
	}
	js, _ := json.MarshalIndent(a, "", "  ")
	if err := atomicfile.WriteBytes(argsPath, append(js, '\n')); err != nil {
		return err
	}

	// The validation split: computed once, by seed, then read back.
	valPath := filepath.Join(*out, "validation.txt")
	val, err := readList(valPath)
	if errors.Is(err, os.ErrNotExist) {
		val, err = writeValidation(ctx, e.stderr, valPath, a.Paths, filter, a.splitSeed(), a.ValGames)
	}
	if err != nil {
		return err
	}
	valSet := map[string]bool{}
	for _, id := range val {
		valSet[id] = true
	}
	exCfg := dataset.ExampleConfig{Paths: a.Paths, Filter: filter, Seed: a.Seed, Symmetries: true, Skip: valSet, Passes: a.Passes}
	if len(a.ValueLabels) > 0 {
		labels, err := dataset.LoadValueLabels(a.ValueLabels...)
		if err != nil {
			return err
		}
		held := 0
		for id := range valSet {
			if labels.HasGame(id) {
				held++
			}
		}
		fmt.Fprintf(e.stderr, "value labels: %d positions in %d games (%d of them validation games: not trained on), value target (1-%g)*result + %g*(2q-1)\n",
			labels.Len(), labels.Games(), held, a.ValueQ, a.ValueQ)
		exCfg.Labels, exCfg.LabelWeight, exCfg.UnlabelledDrop = labels, a.ValueQ, 1-a.unlabelledShare()
	}
	switch a.GameOrder {
	case gameOrderShuffled:
		exCfg.Order = a.Seed | 1<<63 // never 0; train.SGFSource varies it by epoch
	case gameOrderArchive:
	default:
		return usageError("train: --game-order %q: want %s or %s", a.GameOrder, gameOrderShuffled, gameOrderArchive)
	}
	// The input features and, for a network with the ownership or score
	// head, the final targets of games played to a counted end (counted
	// once per game and kept for later epochs).
	exCfg.Features = spec.Features
	if spec.HasOwnership() || spec.HasScore() {
		if a.FinalPlays < 1 {
			return usageError("train: --final-playouts %d < 1", a.FinalPlays)
		}
		exCfg.Final = true
		exCfg.FinalConfig = dataset.FinalConfig{Playouts: a.FinalPlays, Resigned: a.ResignedOwn}
		exCfg.Cache = &dataset.FinalCache{}
	}
	if a.ValPos > 0 && len(val) > 0 {
		// Validation measures against counted ends only, and keeps its own
		// cache: the two configurations give different targets.
		vfinal := exCfg.FinalConfig
		vfinal.Resigned = false
		vcfg := dataset.ExampleConfig{Paths: a.Paths, Filter: filter, Seed: a.splitSeed(), Only: valSet, Passes: a.Passes,
			Features: exCfg.Features, Final: exCfg.Final, FinalConfig: vfinal, Cache: &dataset.FinalCache{}}
		// About one position in 40: a sample spread over many games.
		cfg.Validation, _, err = train.Sample(ctx, vcfg, a.ValPos, 40, a.splitSeed())
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "validation: %d games held out (%s), %d positions sampled for the periodic check\n", len(val), valPath, len(cfg.Validation))
	}
	cfg.Terminal = isTerminal(e.stderr)
	cfg.AfterCheckpoint = func(dir string) error {
		// Training curves beside the checkpoints.
		return plot.TrainingCurves(filepath.Join(dir, "metrics.jsonl"), filepath.Join(dir, "loss.png"), filepath.Join(dir, "accuracy.png"))
	}
	cfg.Meta = map[string]string{
		"train.data":       strings.Join(a.Paths, " "),
		"train.filter":     fmt.Sprintf("size=%d min-rank=%q no-handicap=%v min-moves=%d results=%v passes=%v", size, a.MinRank, a.NoHandicap, a.MinMoves, a.Results, a.Passes),
		"train.validation": fmt.Sprintf("%d games, seed %d", len(val), a.splitSeed()),
		"train.schedule":   fmt.Sprintf("%s lr=%v", a.Schedule, a.LR),
		"train.by":         "tengen train " + version,
	}
	if exCfg.Labels != nil {
		cfg.Meta["train.value_target"] = fmt.Sprintf("(1-%g)*result + %g*(2*label-1), labels %s (%d positions), unlabelled share %g",
			a.ValueQ, a.ValueQ, strings.Join(a.ValueLabels, " "), exCfg.Labels.Len(), a.unlabelledShare())
	}
	if a.Init != "" {
		cfg.Meta["train.parent"] = a.Init
		if a.surgery != "" {
			cfg.Meta["train.surgery"] = a.surgery
			fmt.Fprintf(e.stderr, "network surgery: %s\n", a.surgery)
		}
	}
	if *resume {
		if st, err := train.LatestState(*out); err == nil {
			fmt.Fprintf(e.stderr, "resuming from step %d (%d positions, epoch %d)\n", st.Step, st.Positions, st.Data.Epoch)
		}
	}
	src := &train.SGFSource{Config: exCfg}
	res, err := train.Run(ctx, cfg, src, e.stderr)
	if err != nil {
		if res != nil && errors.Is(err, context.Canceled) {
			return fmt.Errorf("train: interrupted at step %d (checkpoint written; continue with: tengen train --out %s --resume)", res.Step, *out)
		}
		return err
	}
	msg := fmt.Sprintf("trained steps %d..%d (%d positions); weights %s", res.Start, res.Step, res.Positions, filepath.Join(*out, "latest.weights"))
	if v := res.Validation; v != nil {
		msg += fmt.Sprintf("; validation top-1 %.2f%%, value MSE %.4f", 100*v.Top1, v.ValueMSE)
		if v.FinalSamples > 0 && spec.HasOwnership() {
			msg += fmt.Sprintf(", ownership accuracy %.2f%%", 100*v.OwnershipAccuracy)
		}
		if v.FinalSamples > 0 && spec.HasScore() {
			msg += fmt.Sprintf(", score MAE %.2f", v.ScoreMAE)
		}
	}
	fmt.Fprintln(e.stderr, msg)
	return nil
}

// mergeSaved fills every flag not given on this command line from the
// settings saved in path (and the paths, when none were given).
func (a *trainArgs) mergeSaved(path string, fs *pflag.FlagSet, fields map[string]any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // a fresh run after all: the flags as given
	}
	if err != nil {
		return err
	}
	var saved map[string]json.RawMessage
	if err := json.Unmarshal(data, &saved); err != nil {
		return fmt.Errorf("train: %s: %w", path, err)
	}
	if _, ok := saved["game-order"]; !ok && !fs.Changed("game-order") {
		a.GameOrder = gameOrderArchive // saved before --game-order: archive order
	}
	for name, p := range fields {
		raw, ok := saved[name]
		if !ok || fs.Changed(name) {
			continue
		}
		if err := json.Unmarshal(raw, p); err != nil {
			return fmt.Errorf("train: %s: %s: %w", path, name, err)
		}
	}
	if len(a.Paths) == 0 {
		if err := json.Unmarshal(saved["paths"], &a.Paths); err != nil {
			return fmt.Errorf("train: %s: paths: %w", path, err)
		}
	}
	return nil
}

// network returns the initial network: --init, --spec or the default spec
// for --size, randomly initialised by seed. When resuming from a
// checkpoint it returns nil (the checkpoint has the network).
func (a *trainArgs) network(resume bool, dir string) (*nets.Weights, error) {
	if resume {
		if st, err := train.LatestState(dir); err == nil {
			return nets.Load(filepath.Join(dir, st.Weights))
		}
	}
	if a.Deepen && (a.Init == "" || a.Spec == "") {
		return nil, usageError("train: --deepen needs --init and --spec")
	}
	if a.Init != "" && a.Spec == "" {
		if len(a.Fresh) > 0 {
			return nil, usageError("train: --fresh needs --init and --spec")
		}
		return nets.Load(a.Init)
	}
	if len(a.Fresh) > 0 && a.Init == "" {
		return nil, usageError("train: --fresh needs --init and --spec")
	}
	spec := nets.DefaultSpec(a.Size)
	if a.Spec != "" {
		data, err := os.ReadFile(a.Spec)
		if err != nil {
			return nil, err
		}
		if spec, err = nets.ParseSpec(data); err != nil {
			return nil, fmt.Errorf("train: %s: %w", a.Spec, err)
		}
	}
	if err := spec.Validate(); err != nil {
		return nil, usageError("train: %v", err)
	}
	w, err := nets.NewWeights(spec, rand.New(rand.NewPCG(a.Seed, 0x6e6574)))
	if err != nil || a.Init == "" {
		return w, err
	}
	// Network surgery: the trained tensors that fit the new spec.
	src, err := nets.Load(a.Init)
	if err != nil {
		return nil, err
	}
	if a.Deepen {
		// Deepen checks the trunks and transplants the rest itself.
		added, err := nets.Deepen(w, src, a.Fresh...)
		if err != nil {
			return nil, usageError("train: --deepen %s: %v", a.Init, err)
		}
		a.surgery = fmt.Sprintf("%s deepened: %d added convolutions start as the identity (%s)", a.Init, len(added), strings.Join(added, " "))
		return w, nil
	}
	copied, kept, err := nets.Transplant(w, src, a.Fresh...)
	if err != nil {
		return nil, usageError("train: --init %s: %v", a.Init, err)
	}
	if len(copied) == 0 {
		return nil, usageError("train: --init %s: no tensor fits the spec %s", a.Init, a.Spec)
	}
	a.surgery = fmt.Sprintf("%d tensors from %s, %d initialised afresh (%s)", len(copied), a.Init, len(kept), strings.Join(kept, " "))
	return w, nil
}

// The --game-order values.
const (
	gameOrderShuffled = "shuffled"
	gameOrderArchive  = "archive"
)

// config turns the settings into a train.Config (usage errors for bad
// values).
func (a *trainArgs) config(dir string, w *nets.Weights) (train.Config, error) {
	cfg := train.DefaultConfig()
	cfg.Dir, cfg.Init = dir, w
	o := &cfg.Options
	o.BatchSize, o.Optimizer, o.Momentum = a.Batch, a.Optimizer, a.Momentum
	o.WeightDecay, o.ValueWeight, o.Seed = a.WeightDecay, a.ValueWeight, a.Seed
	o.OwnershipWeight, o.ScoreWeight = a.OwnWeight, a.ScoreWeight
	o.LearningRate = a.LR
	if len(a.LRScale) > 0 {
		o.LRScale = map[string]float64{}
		for _, kv := range a.LRScale {
			k, v, ok := strings.Cut(kv, "=")
			f, err := strconv.ParseFloat(v, 64)
			if !ok || k == "" || err != nil || !(f >= 0) || math.IsInf(f, 0) {
				return cfg, usageError("train: --lr-scale %q: want PREFIX=FACTOR with a factor >= 0 (e.g. value.=10)", kv)
			}
			o.LRScale[k] = f
		}
	}
	cfg.Steps = a.Steps
	if a.Positions > 0 {
		if a.Batch < 1 {
			return cfg, usageError("train: --batch %d < 1", a.Batch)
		}
		cfg.Steps = (a.Positions + int64(a.Batch) - 1) / int64(a.Batch)
	}
	cfg.Schedule = train.Schedule{Kind: a.Schedule, Base: a.LR, Every: a.LREvery, Gamma: a.LRGamma, Min: a.LRMin, Warmup: a.Warmup}
	if a.Schedule == train.StepDecay && a.LREvery == 0 {
		cfg.Schedule.Every = max(1, cfg.Steps/3)
	}
	cfg.CheckpointEvery, cfg.Keep, cfg.BufferSize, cfg.SaveBuffer = a.CkptEvery, a.Keep, a.Buffer, a.SaveBuffer
	cfg.SWAFrom = a.SWAFrom
	cfg.LogEvery, cfg.ValidateEvery, cfg.Seed = a.LogEvery, a.ValEvery, a.Seed
	cfg.Backend = a.Backend
	cfg.Resume = w == nil
	if err := cfg.Validate(); err != nil {
		return cfg, usageError("%v", err)
	}
	return cfg, nil
}

// writeValidation computes the validation split and writes its game IDs,
// one a line, to path.
func writeValidation(ctx context.Context, log io.Writer, path string, paths []string, f dataset.Filter, seed uint64, n int) ([]string, error) {
	fmt.Fprintf(log, "computing the validation split (one pass over the games)...\n")
	// The split needs the number of games to cap n; Split counts them.
	ids, st, err := dataset.Split(ctx, paths, f, seed, n)
	if err != nil {
		return nil, err
	}
	if n > 0 && st.Accepted < 10*n {
		capped := st.Accepted / 10
		fmt.Fprintf(log, "validation: %d games asked, only %d accepted: holding out %d (a tenth)\n", n, st.Accepted, capped)
		if ids, _, err = dataset.Split(ctx, paths, f, seed, capped); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(log, "data: %d files, %d games read, %d accepted, %d filtered out, %d errors\n", st.Files, st.Games, st.Accepted, st.Filtered, len(st.Errors))
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(id)
		b.WriteByte('\n')
	}
	if err := atomicfile.WriteBytes(path, []byte(b.String())); err != nil {
		return nil, err
	}
	return ids, nil
}

// readList reads one game ID (or path) a line, ignoring blank lines and
// lines starting with '#'.
func readList(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			ids = append(ids, line)
		}
	}
	return ids, sc.Err()
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// splitSeed is the seed of the validation split: --split-seed, else --seed.
func (a *trainArgs) splitSeed() uint64 {
	if a.SplitSeed != 0 {
		return a.SplitSeed
	}
	return a.Seed
}
