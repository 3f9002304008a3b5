package main

import (
	"io"
	"testing"

	"github.com/spf13/pflag"
)

// TestSelfplayForcedPlayoutsFlag: --forced-playouts reaches self-play's
// game config (off by default) and never gating's.
func TestSelfplayForcedPlayoutsFlag(t *testing.T) {
	parse := func(args ...string) (*gameFlags, *gateFlags) {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var gf gameFlags
		gf.bind(fs, "", false)
		var gt gateFlags
		gt.bind(fs, true)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return &gf, &gt
	}
	gf, _ := parse()
	if k := gf.config(9, false, nil).ForcedPlayouts; k != 0 {
		t.Errorf("default forced playouts %v; want 0 (off)", k)
	}
	gf, gt := parse("--forced-playouts", "2")
	if k := gf.config(9, false, nil).ForcedPlayouts; k != 2 {
		t.Errorf("--forced-playouts 2: %v", k)
	}
	if k := gt.game.config(9, true, gf).ForcedPlayouts; k != 0 {
		t.Errorf("gating has forced playouts %v", k)
	}
	gf, _ = parse("--forced-playouts", "-1")
	if err := gf.config(9, false, nil).Validate(); err == nil {
		t.Error("--forced-playouts -1 validated")
	}
}
