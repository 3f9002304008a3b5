package selfplay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tengen-go/tengen/internal/atomicfile"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/sgf"
	"github.com/tengen-go/tengen/train"
)

// NextGeneration returns the generation the directory trains next: one
// more than the highest generation gated or made best.
func NextGeneration(d Dir) (int, error) {
	l, err := LoadLadder(d.LadderPath())
	if err != nil {
		return 0, err
	}
	g := l.MaxGeneration()
	if b, err := d.ReadBest(); err == nil {
		g = max(g, b.Generation)
	} else if !errors.Is(err, ErrNoBest) {
		return 0, err
	}
	return g + 1, nil
}

// TrainConfig configures training a candidate.
type TrainConfig struct {
	// Window is the number of newest games trained on (0: all).
	Window int
	// Symmetries gives each position a random board symmetry.
	Symmetries bool
	// Train is the template of train.Run's settings: Options, Schedule,
	// Steps, checkpoints, buffer, seed, backend. Dir, Init, Resume and
	// Meta are set by TrainCandidate, and BufferSize is capped at the
	// window's positions.
	Train train.Config
	// MinGames refuses to train on fewer games.
	MinGames int
	// Spec, when set, is the candidate's architecture (new heads, wider
	// input features): the candidate starts from a network of this spec
	// with every tensor of the parent that fits it (nets.Transplant),
	// those named by the prefixes Fresh initialised afresh. Nil: the
	// parent's spec and weights.
	Spec  *nets.Spec
	Fresh []string
	// ValueQ is the weight of the search's root winrate in the value
	// target (Source.ValueQ; 0: the game's result alone).
	ValueQ float64
}

// candidateInit is the network a candidate's training starts from: the
// parent, or with cfg.Spec a network of that spec holding the parent's
// tensors that fit it (the surgery described in the second result).
func candidateInit(parent *nets.Weights, cfg TrainConfig, seed uint64) (*nets.Weights, string, error) {
	if cfg.Spec == nil {
		return parent, "", nil
	}
	spec := *cfg.Spec
	if spec.BoardSize != parent.Spec.BoardSize {
		return nil, "", fmt.Errorf("selfplay: a %dx%d spec for a %dx%d run", spec.BoardSize, spec.BoardSize, parent.Spec.BoardSize, parent.Spec.BoardSize)
	}
	if err := spec.Validate(); err != nil {
		return nil, "", fmt.Errorf("selfplay: %w", err)
	}
	w, err := nets.NewWeights(spec, rand.New(rand.NewPCG(seed, 0x6e6574)))
	if err != nil {
		return nil, "", err
	}
	copied, kept, err := nets.Transplant(w, parent, cfg.Fresh...)
	if err != nil {
		return nil, "", fmt.Errorf("selfplay: %w", err)
	}
	if len(copied) == 0 {
		return nil, "", fmt.Errorf("selfplay: no tensor of %s fits the spec %s", parent.Spec.Name, spec.Name)
	}
	w.Meta = parent.Meta
	return w, fmt.Sprintf("%d tensors from %s, %d initialised afresh (%s)", len(copied), parent.Spec.Name, len(kept), strings.Join(kept, " ")), nil
}

// candidateInfo is train/gen-N/candidate.json: what a candidate is
// trained from, fixed when its training starts.
type candidateInfo struct {
	Generation int    `json:"generation"`
	Parent     string `json:"parent"` // network name
	ParentID   string `json:"parent_id"`
	Weights    string `json:"weights"` // the parent's weights, inside networks/
	Games      int    `json:"games"`
	Positions  int    `json:"positions"`
	Skipped    int    `json:"skipped"`
	Started    string `json:"started"`
}

// TrainCandidate trains generation gen's candidate from the directory's
// best network on the newest cfg.Window games and writes it to
// networks/gen-N.weights. It is idempotent and resumable: the parent and
// the window are fixed in train/gen-N/ when training starts, training
// resumes from its newest checkpoint, and a candidate already written is
// returned as is. progress receives train.Run's lines.
func TrainCandidate(ctx context.Context, d Dir, gen int, cfg TrainConfig, progress io.Writer) (*nets.Weights, error) {
	if progress == nil {
		progress = io.Discard
	}
	out := d.WeightsPath(gen)
	tdir := d.TrainDir(gen)
	if w, err := nets.Load(out); err == nil {
		// Trained: the checkpoints (megabytes of weights and optimizer
		// state a generation) are dead weight in a committed run.
		return w, train.RemoveCheckpoints(tdir)
	}
	if err := os.MkdirAll(tdir, 0o755); err != nil {
		return nil, fmt.Errorf("selfplay: %w", err)
	}
	infoPath := filepath.Join(tdir, "candidate.json")
	listPath := filepath.Join(tdir, "window.txt")
	var info candidateInfo
	var win *Window
	data, err := os.ReadFile(infoPath)
	switch {
	case err == nil:
		if err := json.Unmarshal(data, &info); err != nil {
			return nil, fmt.Errorf("selfplay: %s: %w", infoPath, err)
		}
	case errors.Is(err, os.ErrNotExist):
		best, err := d.ReadBest()
		if err != nil {
			return nil, err
		}
		info = candidateInfo{Generation: gen, Parent: best.Name, ParentID: best.ID, Weights: best.Weights, Started: now()}
	default:
		return nil, fmt.Errorf("selfplay: %w", err)
	}
	parent, err := nets.Load(filepath.Join(d.Networks(), info.Weights))
	if err != nil {
		return nil, err
	}
	if _, err := nets.FeatureSetByName(parent.Spec.Features); err != nil {
		return nil, fmt.Errorf("selfplay: network %s: %w", info.Parent, err)
	}
	size := parent.Spec.BoardSize
	if files, err := ReadList(listPath); err == nil {
		if win, err = ReadWindow(ctx, d, files, size); err != nil {
			return nil, err
		}
	} else if errors.Is(err, os.ErrNotExist) {
		if win, err = LoadWindow(ctx, d, cfg.Window, size); err != nil {
			return nil, err
		}
		if len(win.Games) < max(cfg.MinGames, 1) {
			return nil, fmt.Errorf("selfplay: %d readable %dx%d games in %s (%d skipped), need %d", len(win.Games), size, size, d.Games(), win.Skipped, max(cfg.MinGames, 1))
		}
		if err := win.SaveList(listPath); err != nil {
			return nil, err
		}
	} else {
		return nil, err
	}
	info.Games, info.Positions, info.Skipped = len(win.Games), win.Positions(), win.Skipped
	if win.Positions() == 0 {
		return nil, fmt.Errorf("selfplay: the window's %d games hold no training position", len(win.Games))
	}
	js, _ := json.MarshalIndent(info, "", "  ")
	if err := atomicfile.WriteBytes(infoPath, append(js, '\n')); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "generation %d: training %s from %s on %d games (%d positions; %d unreadable chunks skipped)\n",
		gen, NetworkName(gen), info.Parent, info.Games, info.Positions, info.Skipped)
	for _, e := range win.Errors {
		fmt.Fprintf(progress, "  skipped %s\n", e)
	}
	var ws Stats
	counted := 0
	for _, r := range win.Games {
		ws.Add(r)
		if r.Owner != nil {
			counted++
		}
	}
	tc := cfg.Train
	init, surgery, err := candidateInit(parent, cfg, tc.Seed)
	if err != nil {
		return nil, err
	}
	if surgery != "" {
		fmt.Fprintf(progress, "generation %d: new architecture %s: %s\n", gen, init.Spec.Name, surgery)
	}
	if init.Spec.HasOwnership() || init.Spec.HasScore() {
		fmt.Fprintf(progress, "generation %d: window: %d of %d games counted to the end (ownership and score targets)\n",
			gen, counted, len(win.Games))
	}
	if ws.NoResign > 0 {
		fmt.Fprintf(progress, "generation %d: window: %d games without resignation, resignation false positives %d of %d (%.1f%%)\n",
			gen, ws.NoResign, ws.FalsePositives, ws.WouldResign, 100*ws.FalsePositiveRate())
	}

	tc.Dir, tc.Init, tc.Resume = tdir, init, true
	tc.BufferSize = max(1, min(tc.BufferSize, info.Positions))
	// The parent's train.* provenance describes how the parent was
	// trained (e.g. supervised data and schedule); the candidate's own
	// run sets its own, so none of the parent's may carry over.
	for k := range parent.Meta {
		if strings.HasPrefix(k, "train.") {
			delete(parent.Meta, k)
		}
	}
	tc.Meta = map[string]string{
		"train.data":          fmt.Sprintf("self-play window of %s (%d games)", d.Games(), info.Games),
		"train.schedule":      fmt.Sprintf("%s lr=%v", tc.Schedule.Kind, tc.Schedule.Base),
		"selfplay.generation": strconv.Itoa(gen),
		"selfplay.parent":     info.Parent + " " + info.ParentID,
		"selfplay.window":     fmt.Sprintf("%d games, %d positions", info.Games, info.Positions),
	}
	if cfg.ValueQ > 0 {
		tc.Meta["train.value_target"] = fmt.Sprintf("(1-%g)*result + %g*(2*root winrate-1)", cfg.ValueQ, cfg.ValueQ)
	}
	var w *nets.Weights
	st, err := train.LatestState(tdir)
	if err == nil && st.Step >= tc.Steps {
		if w, err = nets.Load(filepath.Join(tdir, st.Weights)); err != nil {
			return nil, err
		}
	} else {
		if err == nil {
			fmt.Fprintf(progress, "generation %d: training resumes from step %d\n", gen, st.Step)
		}
		src := &Source{Window: win, Seed: tc.Seed ^ uint64(gen)*0x9e3779b97f4a7c15, Symmetries: cfg.Symmetries, Features: init.Spec.Features, ValueQ: cfg.ValueQ}
		res, err := train.Run(ctx, tc, src, progress)
		if err != nil {
			return nil, err
		}
		w = res.Weights
	}
	if w.Meta == nil {
		w.Meta = map[string]string{}
	}
	for k, v := range tc.Meta {
		w.Meta[k] = v
	}
	w.Spec.Name = NetworkName(gen)
	if err := nets.Save(out, w); err != nil {
		return nil, err
	}
	return w, train.RemoveCheckpoints(tdir)
}

// gateState is train/gen-N/gate.json: the gating games so far.
type gateState struct {
	Candidate string     `json:"candidate"`
	Best      string     `json:"best"`
	BestID    string     `json:"best_id"`
	Rule      string     `json:"rule"`
	Games     []GateGame `json:"games"`
	Decision  *Decision  `json:"decision,omitempty"`
}

// GateCandidate gates generation gen's candidate (networks/gen-N.weights)
// against the directory's best network, records the result in
// gating.json and, when the candidate wins, makes it the best. It is
// idempotent and resumable: finished games are saved in
// train/gen-N/gate.json (with an SGF each in train/gen-N/gate/) as they
// end, and a generation already in gating.json is only completed (its
// promotion made). progress, if not nil, receives a line per game.
func GateCandidate(ctx context.Context, d Dir, gen int, cfg GateConfig, progress io.Writer) (LadderEntry, error) {
	if progress == nil {
		progress = io.Discard
	}
	ladder, err := LoadLadder(d.LadderPath())
	if err != nil {
		return LadderEntry{}, err
	}
	name := NetworkName(gen)
	if e, ok := ladder.Entry(gen); ok {
		return e, promote(d, e)
	}
	best, err := d.ReadBest()
	if err != nil {
		return LadderEntry{}, err
	}
	if best.Generation >= gen {
		return LadderEntry{}, fmt.Errorf("selfplay: generation %d cannot be gated: the best network is already %s", gen, best.Name)
	}
	bw, err := nets.Load(d.BestWeights(best))
	if err != nil {
		return LadderEntry{}, err
	}
	cw, err := nets.Load(d.WeightsPath(gen))
	if err != nil {
		return LadderEntry{}, fmt.Errorf("selfplay: no candidate for generation %d (train it first): %w", gen, err)
	}
	cid, err := WeightsID(d.WeightsPath(gen))
	if err != nil {
		return LadderEntry{}, err
	}
	tdir := d.TrainDir(gen)
	sgfDir := filepath.Join(tdir, "gate")
	if err := os.MkdirAll(sgfDir, 0o755); err != nil {
		return LadderEntry{}, fmt.Errorf("selfplay: %w", err)
	}
	statePath := filepath.Join(tdir, "gate.json")
	st := gateState{Candidate: name, Best: best.Name, BestID: best.ID, Rule: cfg.Rule()}
	if data, err := os.ReadFile(statePath); err == nil {
		var old gateState
		if json.Unmarshal(data, &old) == nil && old.Best == best.Name && old.BestID == best.ID && old.Rule == st.Rule {
			st.Games = old.Games
			if len(st.Games) > 0 {
				fmt.Fprintf(progress, "generation %d: gating resumes after %d games\n", gen, len(st.Games))
			}
		}
	}
	save := func() error {
		js, _ := json.MarshalIndent(st, "", "  ")
		return atomicfile.WriteBytes(statePath, append(js, '\n'))
	}
	fmt.Fprintf(progress, "generation %d: gating %s against %s (%s)\n", gen, name, best.Name, cfg.Rule())
	dec, games, err := Gate(ctx, cfg, Contender{Name: best.Name, ID: best.ID, Weights: bw}, Contender{Name: name, ID: cid, Weights: cw}, st.Games,
		func(g GateGame, r *Record) error {
			st.Games = append(st.Games, g)
			node := r.SGF()
			cb, cw := name, best.Name
			if !g.CandidateBlack {
				cb, cw = cw, cb
			}
			node.Set("PB", cb)
			node.Set("PW", cw)
			if err := atomicfile.WriteBytes(filepath.Join(sgfDir, fmt.Sprintf("%04d.sgf", g.Index)), sgfText(node)); err != nil {
				return err
			}
			if err := save(); err != nil {
				return err
			}
			d := cfg.Decide(st.Games)
			fmt.Fprintf(progress, "generation %d: gate game %d %s (candidate %s): %d-%d-%d, score %.3f, elo %+.0f, LLR %.2f\n",
				gen, g.Index, g.Result, map[bool]string{true: "Black", false: "White"}[g.CandidateBlack], d.Wins, d.Losses, d.Draws, d.Score, d.Elo, d.LLR)
			return nil
		})
	if err != nil {
		return LadderEntry{}, err
	}
	st.Games, st.Decision = games, &dec
	if err := save(); err != nil {
		return LadderEntry{}, err
	}
	e := LadderEntry{
		Generation: gen, Candidate: name, CandidateID: cid, Best: best.Name, BestID: best.ID,
		Decision: dec, Rule: cfg.Rule(), BestRating: ladder.Rating(best.Name), Time: now(),
	}
	e.Rating = e.BestRating + dec.Elo
	if n, err := strconv.ParseInt(cw.Meta["train.steps"], 10, 64); err == nil {
		e.TrainSteps = n // train.Run's provenance (the checkpoints are gone)
	}
	if files, err := ReadList(filepath.Join(tdir, "window.txt")); err == nil {
		e.WindowGames = len(files)
	}
	ladder.Set(e)
	if err := ladder.Save(d.LadderPath()); err != nil {
		return LadderEntry{}, err
	}
	verdict := "rejected"
	if dec.Promote {
		verdict = "promoted"
	}
	fmt.Fprintf(progress, "generation %d: %s %s: %s (%d-%d-%d, elo %+.0f [%+.0f, %+.0f], rating %.0f)\n",
		gen, name, verdict, dec.Reason, dec.Wins, dec.Losses, dec.Draws, dec.Elo, dec.EloLow, dec.EloHigh, e.Rating)
	return e, promote(d, e)
}

// promote makes a promoted entry's candidate the best network unless a
// later generation already is.
func promote(d Dir, e LadderEntry) error {
	if !e.Promote {
		return nil
	}
	best, err := d.ReadBest()
	if err != nil && !errors.Is(err, ErrNoBest) {
		return err
	}
	if err == nil && best.Generation >= e.Generation {
		return nil
	}
	return d.SetBest(Best{Generation: e.Generation, Name: e.Candidate, Weights: e.Candidate + ".weights", ID: e.CandidateID, Time: now()})
}

// LoopConfig configures Loop.
type LoopConfig struct {
	// Generations: stop after gating this generation (0: never).
	Generations int
	// GamesPerGeneration new games are awaited before each training.
	GamesPerGeneration int
	// Local plays them in this process with SelfPlay (its Games is set
	// per generation); otherwise other workers (tengen selfplay) must.
	Local    bool
	SelfPlay Config
	Train    TrainConfig
	Gate     GateConfig
	// StopWorkers writes the stop file when the loop ends.
	StopWorkers bool
	// Poll is how often the game count is checked when waiting for
	// other workers (default 5 s).
	Poll time.Duration
	// AfterGate, if set, runs after every gating with the ladder (e.g.
	// to plot it); its error is reported, not fatal.
	AfterGate func(l *Ladder) error
}

// Loop phases in loop.json.
const (
	PhaseSelfPlay = "selfplay"
	PhaseTrain    = "train"
	PhaseGate     = "gate"
	PhaseDone     = "done"
)

// LoopState is loop.json.
type LoopState struct {
	Generation int    `json:"generation"`
	Phase      string `json:"phase"`
	// GamesTarget is the game count that ends this generation's
	// self-play, fixed when it starts.
	GamesTarget int    `json:"games_target"`
	Updated     string `json:"updated"`
}

// ReadLoopState reads loop.json (ok false when missing).
func (d Dir) ReadLoopState() (st LoopState, ok bool, err error) {
	data, err := os.ReadFile(d.LoopPath())
	if errors.Is(err, os.ErrNotExist) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("selfplay: %w", err)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, false, fmt.Errorf("selfplay: %s: %w", d.LoopPath(), err)
	}
	return st, true, nil
}

func (d Dir) writeLoopState(st LoopState) error {
	st.Updated = now()
	js, _ := json.MarshalIndent(st, "", "  ")
	return atomicfile.WriteBytes(d.LoopPath(), append(js, '\n'))
}

// Loop runs generation after generation: self-play (or waiting for other
// workers' games), training a candidate, gating it. Its state is
// loop.json, written atomically at every phase change, and every phase is
// resumable, so a loop killed at any moment continues where it stopped
// when run again. The directory must have a best network (Dir.Init).
// Progress lines go to progress.
func Loop(ctx context.Context, d Dir, cfg LoopConfig, progress io.Writer) error {
	if progress == nil {
		progress = io.Discard
	}
	if cfg.GamesPerGeneration < 1 {
		return fmt.Errorf("selfplay: loop: %d games per generation", cfg.GamesPerGeneration)
	}
	if err := cfg.Gate.Validate(); err != nil {
		return err
	}
	if cfg.Local {
		if err := cfg.SelfPlay.Validate(); err != nil {
			return err
		}
	}
	if _, err := d.ReadBest(); err != nil {
		return err
	}
	os.Remove(d.StopPath())
	st, ok, err := d.ReadLoopState()
	if err != nil {
		return err
	}
	if !ok || st.Phase == PhaseDone {
		gen, err := NextGeneration(d)
		if err != nil {
			return err
		}
		st = LoopState{Generation: gen, Phase: PhaseSelfPlay}
	} else {
		fmt.Fprintf(progress, "loop: resuming generation %d at %s\n", st.Generation, st.Phase)
	}
	for cfg.Generations == 0 || st.Generation <= cfg.Generations {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch st.Phase {
		case PhaseSelfPlay:
			if st.GamesTarget == 0 {
				n, err := d.CountGames()
				if err != nil {
					return err
				}
				st.GamesTarget = n + cfg.GamesPerGeneration
				if err := d.writeLoopState(st); err != nil {
					return err
				}
			}
			if err := loopSelfPlay(ctx, d, cfg, st, progress); err != nil {
				return err
			}
			st.Phase = PhaseTrain
		case PhaseTrain:
			if _, err := TrainCandidate(ctx, d, st.Generation, cfg.Train, progress); err != nil {
				return err
			}
			st.Phase = PhaseGate
		case PhaseGate:
			if _, err := GateCandidate(ctx, d, st.Generation, cfg.Gate, progress); err != nil {
				return err
			}
			if cfg.AfterGate != nil {
				l, err := LoadLadder(d.LadderPath())
				if err == nil {
					err = cfg.AfterGate(l)
				}
				if err != nil {
					fmt.Fprintf(progress, "loop: after gating: %v\n", err)
				}
			}
			st = LoopState{Generation: st.Generation + 1, Phase: PhaseSelfPlay}
		default:
			return fmt.Errorf("selfplay: %s: unknown phase %q", d.LoopPath(), st.Phase)
		}
		if err := d.writeLoopState(st); err != nil {
			return err
		}
	}
	st.Phase = PhaseDone
	if err := d.writeLoopState(st); err != nil {
		return err
	}
	if cfg.StopWorkers {
		if err := atomicfile.WriteBytes(d.StopPath(), []byte(now()+"\n")); err != nil {
			return err
		}
	}
	fmt.Fprintf(progress, "loop: done after generation %d\n", st.Generation-1)
	return nil
}

// loopSelfPlay brings the game count to st.GamesTarget: by playing here,
// or by waiting for other workers.
func loopSelfPlay(ctx context.Context, d Dir, cfg LoopConfig, st LoopState, progress io.Writer) error {
	n, err := d.CountGames()
	if err != nil {
		return err
	}
	best, err := d.ReadBest()
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "generation %d: self-play with %s until %d games (%d now)\n", st.Generation, best.Name, st.GamesTarget, n)
	if cfg.Local {
		sp := cfg.SelfPlay
		sp.Games = st.GamesTarget
		last := time.Now()
		stats, err := Run(ctx, d, sp, func(r *Record, total Stats, onDisk int) {
			if time.Since(last) >= 2*time.Second || onDisk >= st.GamesTarget {
				last = time.Now()
				fmt.Fprintf(progress, "generation %d: self-play %d/%d games, %.2f games/s, %.1f positions/s\n",
					st.Generation, onDisk, st.GamesTarget, total.GamesPerSecond(), total.PositionsPerSecond())
			}
		})
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if stats.Games > 0 {
			fmt.Fprintf(progress, "generation %d: self-play: %s\n", st.Generation, stats)
		}
		return nil
	}
	poll := cfg.Poll
	if poll == 0 {
		poll = 5 * time.Second
	}
	for n < st.GamesTarget {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
		m, err := d.CountGames()
		if err != nil {
			return err
		}
		if m != n {
			fmt.Fprintf(progress, "generation %d: %d/%d games from the workers\n", st.Generation, m, st.GamesTarget)
		}
		n = m
	}
	return nil
}

// sgfText is an SGF tree as text.
func sgfText(n *sgf.Node) []byte {
	return sgf.Marshal(&sgf.Collection{Games: []*sgf.Node{n}})
}
