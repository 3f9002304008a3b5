package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/tengen-go/tengen/plot"
)

func pngSize(t *testing.T, path string) (int, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img.Bounds().Dx(), img.Bounds().Dy()
}

func TestVizFiltersAndPolicy(t *testing.T) {
	dir := t.TempDir()
	w := tinyWeights(t, 9, 7)
	game := filepath.Join(dir, "g.sgf")
	writeRandomGame(t, game, 9, 50, "B+R", 7)
	var out bytes.Buffer
	filters := filepath.Join(dir, "filters.png")
	if err := run(context.Background(), []string{"viz", "filters", "--weights", w, "--out", filters}, nil, &out, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	// 8 filters of 5x5: 3x3 tiles of 45 px with 4 px gaps.
	if x, y := pngSize(t, filters); x != 4+3*49 || y != 4+3*49 {
		t.Errorf("filters.png is %dx%d", x, y)
	}
	for _, syms := range []string{"1", "8"} {
		policy := filepath.Join(dir, "policy"+syms+".png")
		args := []string{"viz", "policy", "--sgf", game, "--move", "20", "--weights", w, "--symmetries", syms, "--out", policy}
		if err := run(context.Background(), args, nil, &out, &out); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		if x, y := pngSize(t, policy); x != plot.HeatmapWidth || y != plot.HeatmapHeight {
			t.Errorf("policy.png is %dx%d", x, y)
		}
	}
}

func TestVizErrors(t *testing.T) {
	dir := t.TempDir()
	w := tinyWeights(t, 9, 8)
	game := filepath.Join(dir, "g.sgf")
	writeRandomGame(t, game, 9, 30, "B+R", 8)
	out := filepath.Join(dir, "p.png")
	for _, tc := range []struct {
		args  []string
		usage bool
	}{
		{[]string{"viz"}, true},
		{[]string{"viz", "paint"}, true},
		{[]string{"viz", "filters", "--weights", w}, true},
		{[]string{"viz", "policy", "--sgf", game, "--weights", w}, true},
		{[]string{"viz", "policy", "--sgf", game, "--move", "0", "--weights", w, "--out", out}, true},
		{[]string{"viz", "policy", "--sgf", game, "--move", "31", "--weights", w, "--out", out}, false},
		{[]string{"viz", "policy", "--sgf", game, "--game", "2", "--weights", w, "--out", out}, false},
		{[]string{"viz", "policy", "--sgf", game, "--weights", tinyWeights(t, 7, 1), "--out", out}, false},
		{[]string{"viz", "policy", "--sgf", filepath.Join(dir, "none.sgf"), "--weights", w, "--out", out}, false},
	} {
		var b bytes.Buffer
		err := run(context.Background(), tc.args, nil, &b, &b)
		if err == nil || (exitCode(err) == 2) != tc.usage {
			t.Errorf("%v: err %v (exit %d); want an error, usage %v", tc.args, err, exitCode(err), tc.usage)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed viz wrote %s", out)
	}
}
