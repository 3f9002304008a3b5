package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// passer is a GTP engine (this test binary with TENGEN_TEST_PASSER=1)
// that passes on every genmove and kgs-genmove_cleanup, refuses
// final_status_list (so the referee's dead-stone settlement fails and a
// cleanup phase follows two passes), and accepts everything else.
func passer() {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		id := ""
		if len(f) > 0 && strings.Trim(f[0], "0123456789") == "" {
			id, f = f[0], f[1:]
		}
		if len(f) == 0 {
			continue
		}
		reply := func(status, text string) { fmt.Printf("%s%s %s\n\n", status, id, text) }
		switch f[0] {
		case "genmove", "kgs-genmove_cleanup":
			reply("=", "pass")
		case "final_status_list":
			reply("?", "cannot score")
		case "name":
			reply("=", "passer")
		case "list_commands":
			reply("=", "genmove\nkgs-genmove_cleanup\nplay\nboardsize\nclear_board\nkomi\nfinal_status_list\nquit")
		case "quit":
			reply("=", "")
			return
		default:
			reply("=", "")
		}
	}
}

// TestMatchAgainstPasser: an opponent that passes from the first move,
// then a cleanup phase after two passes (kgs-genmove_cleanup, where
// issue 12's crash was), must not break tengen or the match: every game
// ends by score and tengen, with stones on the board, wins.
func TestMatchAgainstPasser(t *testing.T) {
	t.Setenv("TENGEN_TEST_MAIN", "")
	self := os.Args[0]
	engine := "env TENGEN_TEST_MAIN=1 " + self + " gtp --visits 4 --threads 1 --seed 3 --resign 0"
	opponent := "env TENGEN_TEST_PASSER=1 " + self
	var out, errb bytes.Buffer
	args := []string{"match", "--engine", engine, "--opponent", opponent,
		"--games", "2", "--size", "7", "--komi", "7", "--json", "--quiet"}
	if err := run(context.Background(), args, nil, &out, &errb); err != nil {
		t.Fatalf("run(%q) = %v\n%s", args, err, errb.String())
	}
	var m matchReport
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if m.Games != 2 || m.WinsA != 2 || m.ForfeitsA+m.ForfeitsB != 0 {
		t.Fatalf("tengen against a passer: %+v\n%s", m, errb.String())
	}
	for _, r := range m.Results {
		if r.Reason != "score" || !strings.Contains(r.Detail, "cleanup") || r.Moves < 3 {
			t.Errorf("game %d: %d moves, ended by %s (%s); want a score after a cleanup phase", r.Game, r.Moves, r.Reason, r.Detail)
		}
	}
}
