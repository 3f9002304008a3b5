package main

import (
	"bytes"
	"context"
	"github.com/tengen-go/tengen/internal/defaultnets"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// TestGTPPlaysLegalGame drives "tengen gtp" through a short 9x9 game of
// genmoves for both sides and checks every reply is a legal move on our
// own board.
func TestGTPPlaysLegalGame(t *testing.T) {
	var script strings.Builder
	script.WriteString("boardsize 9\nkomi 7\nclear_board\n")
	for range 12 {
		script.WriteString("genmove b\ngenmove w\n")
	}
	script.WriteString("lz-genmove_analyze b 10\nfinal_score\nquit\n")
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"gtp", "--playouts", "200", "--visits", "0", "--threads", "2", "--seed", "1", "--resign", "0"},
		strings.NewReader(script.String()), &out, &errb)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	g, _ := board.NewGame(9, 7, board.DefaultRules())
	replies := strings.Split(strings.TrimSpace(out.String()), "\n\n")
	if len(replies) != 3+24+3 {
		t.Fatalf("%d replies:\n%s", len(replies), out.String())
	}
	for i, r := range replies[3 : 3+24] {
		if !strings.HasPrefix(r, "= ") {
			t.Fatalf("genmove reply %q", r)
		}
		pt, err := board.ParseGTP(strings.TrimPrefix(r, "= "), 9)
		if err != nil {
			t.Fatal(err)
		}
		c := board.Black
		if i%2 == 1 {
			c = board.White
		}
		if err := g.Play(c, pt); err != nil {
			t.Fatalf("move %d %v %s: %v", i+1, c, r, err)
		}
	}
	an := replies[3+24]
	if !strings.Contains(an, "info move ") || !strings.Contains(an, "\nplay ") {
		t.Fatalf("lz-genmove_analyze reply:\n%s", an)
	}
	notice := "no network for 9x9"
	if w, _ := defaultnets.ForSize(9); w != nil {
		notice = "9x9 network " + w.Spec.Name + " (embedded)"
	}
	if !strings.Contains(errb.String(), notice) {
		t.Errorf("no %q on stderr:\n%s", notice, errb.String())
	}
}

// TestGTPFallbackNotice: a board size with no network searches with
// random playouts and says so on stderr.
func TestGTPFallbackNotice(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"gtp", "--playouts", "20", "--visits", "0", "--threads", "1", "--seed", "1", "--resign", "0"},
		strings.NewReader("boardsize 7\nclear_board\ngenmove b\nquit\n"), &out, &errb)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if !strings.Contains(errb.String(), "no network for 7x7") {
		t.Errorf("no fallback notice on stderr:\n%s", errb.String())
	}
	if !strings.HasPrefix(strings.Split(out.String(), "\n\n")[2], "= ") {
		t.Errorf("genmove failed:\n%s", out.String())
	}
}

func TestGTPRejectsBadFlags(t *testing.T) {
	var out bytes.Buffer
	for _, args := range [][]string{
		{"gtp", "--threads", "-1"},
		{"gtp", "--visits", "0"},
		{"gtp", "extra"},
		{"gtp", "--resign", "2"},
		{"gtp", "--evaluator", "magic"},
		{"gtp", "--lambda", "1.5"},
		{"gtp", "--doomed-prior", "1.5"},
		{"gtp", "--doomed-prior", "-0.5"},
		{"gtp", "--doomed-prior", "0"},
		{"gtp", "--stake-prior", "0.5"},
		{"gtp", "--stake-prior", "-0.5"},
		{"gtp", "--cpuct", "-1"},
		{"gtp", "--cpuct", "1000"},
		{"gtp", "--lag", "0"},
		{"gtp", "--lgrf", "always"},
		{"gtp", "--feature-playouts", "-1"},
		{"gtp", "--feature-playouts", "2000"},
	} {
		if err := run(context.Background(), args, strings.NewReader(""), &out, &out); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err %v; want a usage error", args, err)
		}
	}
	if err := run(context.Background(), []string{"gtp", "--weights", "/nonexistent.w"}, strings.NewReader(""), &out, &out); err == nil {
		t.Error("missing weights file accepted")
	}
}
