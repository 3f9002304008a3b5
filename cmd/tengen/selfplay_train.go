package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/plot"
	"github.com/tengen-go/tengen/selfplay"
)

// sgfOnlyTrainFlags are the flags of tengen train that mean nothing for a
// self-play candidate. (final-playouts: self-play games are counted with
// the default when they end; the chunk holds the ownership and score.)
var sgfOnlyTrainFlags = []string{"out", "resume", "sgf", "init", "size", "min-rank", "no-handicap",
	"min-moves", "results", "passes", "validation-games", "validation-positions", "validate-every", "final-playouts", "resigned-ownership", "swa-from"}

// trainSelfplay is tengen train --selfplay DIR: the next generation's
// candidate trained from the best network on the newest games. With
// --spec (and --fresh) the candidate takes a new architecture (new heads,
// v2 features) holding the best network's tensors that fit it.
func trainSelfplay(ctx context.Context, e env, fs *pflag.FlagSet, a *trainArgs, dir string, window int) error {
	for _, name := range sgfOnlyTrainFlags {
		if fs.Changed(name) {
			return usageError("train: --%s does not apply with --selfplay", name)
		}
	}
	if fs.NArg() > 0 {
		return usageError("train: --selfplay takes no SGF paths")
	}
	if window < 1 {
		return usageError("train: --window %d < 1", window)
	}
	if err := a.checkValueQ(); err != nil {
		return err
	}
	d, _, err := openDir(dir, "", e.stderr)
	if err != nil {
		return err
	}
	gen, err := selfplay.NextGeneration(d)
	if err != nil {
		return err
	}
	tc, err := selfplayTrainConfig(a, d, gen, window, e)
	if err != nil {
		return err
	}
	if a.Spec != "" {
		data, err := os.ReadFile(a.Spec)
		if err != nil {
			return err
		}
		spec, err := nets.ParseSpec(data)
		if err != nil {
			return fmt.Errorf("train: %s: %w", a.Spec, err)
		}
		tc.Spec, tc.Fresh = &spec, a.Fresh
	} else if len(a.Fresh) > 0 {
		return usageError("train: --fresh needs --spec")
	}
	w, err := selfplay.TrainCandidate(ctx, d, gen, tc, e.stderr)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("train: interrupted (checkpoint written; the same command continues): %w", err)
		}
		return err
	}
	fmt.Fprintf(e.stderr, "candidate %s (%s) written to %s; gate it with: tengen gate --dir %s\n",
		w.Spec.Name, w.Meta["selfplay.window"], d.WeightsPath(gen), dir)
	return nil
}

// checkValueQ refuses a --value-q outside 0..1.
func (a *trainArgs) checkValueQ() error {
	if a.ValueQ < 0 || a.ValueQ > 1 {
		return usageError("train: --value-q %g: want 0..1", a.ValueQ)
	}
	return nil
}

// selfplayTrainConfig turns the training flags into a candidate's
// training settings.
func selfplayTrainConfig(a *trainArgs, d selfplay.Dir, gen, window int, e env) (selfplay.TrainConfig, error) {
	cfg, err := a.config(d.TrainDir(gen), nil)
	if err != nil {
		return selfplay.TrainConfig{}, err
	}
	cfg.Terminal = isTerminal(e.stderr)
	cfg.AfterCheckpoint = func(dir string) error {
		return plot.TrainingCurves(filepath.Join(dir, "metrics.jsonl"), filepath.Join(dir, "loss.png"), filepath.Join(dir, "accuracy.png"))
	}
	if err := a.checkValueQ(); err != nil {
		return selfplay.TrainConfig{}, err
	}
	return selfplay.TrainConfig{Window: window, Symmetries: true, Train: cfg, ValueQ: a.ValueQ}, nil
}
