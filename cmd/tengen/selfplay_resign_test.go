package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/selfplay"
)

// TestSelfplayResignFlag: --resign takes a winrate or auto (self-play
// only; gating's --gate-resign takes a winrate).
func TestSelfplayResignFlag(t *testing.T) {
	parse := func(args ...string) (*gameFlags, *gateFlags, error) {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var gf gameFlags
		gf.bind(fs, "", false)
		var gt gateFlags
		gt.bind(fs, true)
		return &gf, &gt, fs.Parse(args)
	}
	gf, gt, err := parse()
	if err != nil || gf.resign.auto || gf.resign.v != 0.05 || gf.autoResign(io.Discard) != nil || gt.game.resign.v != 0.05 {
		t.Fatalf("defaults: %+v, gate %v, %v", gf.resign, gt.game.resign, err)
	}
	gf, _, err = parse("--resign", "auto")
	if err != nil || !gf.resign.auto || gf.resign.String() != "auto" {
		t.Fatalf("--resign auto: %+v, %v", gf.resign, err)
	}
	if c := gf.config(9, false, nil); c.ResignThreshold != 0.05 {
		t.Errorf("--resign auto starts at %v, want 0.05", c.ResignThreshold)
	}
	a := gf.autoResign(io.Discard)
	if a == nil || a.Window != selfplay.DefaultResignWindow || a.Every != selfplay.DefaultResignEvery || a.Report == nil {
		t.Errorf("AutoResign %+v", a)
	}
	gf, _, err = parse("--resign", "auto", "--resign=0.12", "--resign-window", "500", "--resign-every", "7")
	if err != nil || gf.resign.auto || gf.resign.v != 0.12 || gf.config(9, false, nil).ResignThreshold != 0.12 || gf.autoResign(io.Discard) != nil {
		t.Errorf("--resign 0.12 after auto: %+v, %v", gf.resign, err)
	}
	gf, _, err = parse("--resign", "auto", "--resign-window", "500", "--resign-every", "7")
	if a := gf.autoResign(io.Discard); err != nil || a.Window != 500 || a.Every != 7 {
		t.Errorf("window and every: %+v, %v", a, err)
	}
	gf, gt, err = parse("--gate-resign", "0.02")
	if err != nil || gt.game.resign.v != 0.02 || gt.game.config(9, true, gf).ResignThreshold != 0.02 {
		t.Errorf("--gate-resign 0.02: %v, %v", gt.game.resign, err)
	}
	for _, bad := range [][]string{{"--resign", "often"}, {"--resign", ""}, {"--gate-resign", "auto"}} {
		if _, _, err := parse(bad...); err == nil {
			t.Errorf("%v parsed", bad)
		}
	}
	gf, _, _ = parse("--resign", "auto", "--resign-window", "0")
	if err := gf.validateAuto(); err == nil || exitCode(err) != 2 {
		t.Errorf("--resign-window 0: %v; want a usage error", err)
	}
}

// TestSelfplayResignAuto: a worker with --resign auto logs its
// calibration; --resign-report prints the table of a directory.
func TestSelfplayResignAuto(t *testing.T) {
	w := tiny7Weights(t)
	dir := filepath.Join(t.TempDir(), "run")
	args := append([]string{"selfplay", "--weights", w, "--out", dir, "--games", "2", "--parallel", "1", "--resign", "auto", "--resign-off", "1", "--quiet"}, fastPlay...)
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if log := stderr.String(); !strings.Contains(log, "not enough data: 0 games without resignation") || !strings.Contains(log, "resignation threshold 0.050") {
		t.Errorf("log:\n%s", log)
	}
	// 120 games White loses after 3 searches at 4%: every threshold
	// from 0.045 on is safe, and 0.3 is chosen.
	d := selfplay.Dir(dir)
	for i := range 120 {
		r := &selfplay.Record{ID: fmt.Sprintf("lost-%03d", i), Network: "gen-000000", Size: 7, Komi: 7.5, Rules: "chinese",
			Winner: board.Black, Score: 5.5, Result: "B+5.5", NoResign: true}
		for j := range 10 {
			wr := 0.5
			if j >= 4 {
				wr = 0.04
			}
			r.Moves = append(r.Moves, selfplay.Move{Color: board.Black, Point: board.Pass, Winrate: 0.9},
				selfplay.Move{Color: board.White, Point: board.Pass, Winrate: wr})
		}
		if err := selfplay.WriteGame(d, r, false); err != nil {
			t.Fatal(err)
		}
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"selfplay", "--out", dir, "--resign-report"}, nil, &stdout, &stderr); err != nil {
		t.Fatalf("--resign-report: %v", err)
	}
	out := stdout.String()
	for _, want := range []string{"the newest 122 games, 122 of them without resignation", "resignation threshold 0.300", "0.045    120      0", "<- chosen"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if err := run(context.Background(), []string{"selfplay", "--out", t.TempDir(), "--resign-report"}, nil, &stdout, &stderr); err == nil {
		t.Error("--resign-report of a directory without games: no error")
	}
}
