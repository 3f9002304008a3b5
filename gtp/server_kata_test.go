package gtp_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/gtp/gtptest"
)

// kataReply runs cmd after a few moves on 9x9 against a fake Player
// with estimates and returns its info line.
func kataReply(t *testing.T, cmd string) string {
	t.Helper()
	out := serve(t, &gtptest.Player{Scores: true}, testConfig(), "boardsize 9\nplay b e5\nplay w c3\n"+cmd+"\nname\n")
	r := replies(out)
	if len(r) != 5 {
		t.Fatalf("%q: replies %q", cmd, r)
	}
	lines := strings.Split(r[3], "\n")
	if lines[0] != "=" || len(lines) != 2 {
		t.Fatalf("%q: reply %q", cmd, r[3])
	}
	return lines[1]
}

func TestKataAnalyzeFormat(t *testing.T) {
	line := kataReply(t, "kata-analyze b 10 ownership true maxmoves 2")
	info, own, ok := strings.Cut(line, " ownership ")
	if !ok {
		t.Fatalf("no ownership: %q", line)
	}
	segs := strings.Split(info, "info ")[1:]
	if len(segs) != 2 {
		t.Fatalf("maxmoves 2: %d moves in %q", len(segs), info)
	}
	keys := []string{"move", "visits", "utility", "winrate", "scoreMean", "scoreStdev", "scoreLead", "prior", "lcb", "utilityLcb", "order", "pv"}
	for i, seg := range segs {
		f := strings.Fields(seg)
		for j, k := range keys {
			if f[2*j] != k {
				t.Fatalf("move %d: key %d is %q, want %q in %q", i, j, f[2*j], k, seg)
			}
		}
		if f[21] != strconv.Itoa(i) {
			t.Errorf("order %s, want %d", f[21], i)
		}
		for _, j := range []int{5, 7} { // winrate, prior... as floats
			if !strings.Contains(f[j], ".") {
				t.Errorf("%s %q is not a float", f[j-1], f[j])
			}
		}
	}
	if !strings.Contains(segs[0], "scoreLead 3.500000") || !strings.Contains(segs[1], "scoreLead 2.500000") {
		t.Errorf("score leads: %q", info)
	}
	vals := strings.Fields(own)
	if len(vals) != 81 {
		t.Fatalf("%d ownership values", len(vals))
	}
	// Row-major from the top left: E5 is row 4 (from the top), column 4;
	// C3 is row 6, column 2. Black to move: Black's stone +1.
	if vals[4*9+4] != "1.0000" || vals[6*9+2] != "-1.0000" || vals[0] != "0.0000" {
		t.Errorf("ownership for Black: E5 %s C3 %s A9 %s", vals[40], vals[56], vals[0])
	}
}

func TestKataAnalyzeWhitePerspective(t *testing.T) {
	line := kataReply(t, "kata-analyze w interval 10 ownership true rootInfo true")
	_, own, _ := strings.Cut(line, " ownership ")
	vals := strings.Fields(own)
	if len(vals) != 81 || vals[40] != "-1.0000" || vals[56] != "1.0000" {
		t.Fatalf("ownership for White: %d values, E5 %v", len(vals), vals[40:41])
	}
	if !strings.Contains(line, "rootInfo visits 200 ") || !strings.Contains(line, " currentPlayer W") {
		t.Errorf("rootInfo: %q", line)
	}
}

func TestKataAnalyzeNeedsEstimates(t *testing.T) {
	out := serve(t, &gtptest.Player{}, testConfig(), "known_command kata-analyze\nkata-analyze b 10\nknown_command lz-analyze\nlist_commands\n")
	r := replies(out)
	if r[0] != "= false" || r[1] != "? unknown command" || r[2] != "= true" || strings.Contains(r[3], "kata-") {
		t.Fatalf("without estimates: %q", r)
	}
	out = serve(t, &gtptest.Player{Scores: true}, testConfig(), "known_command kata-genmove_analyze\nkata-analyze b ownership maybe\n")
	r = replies(out)
	if r[0] != "= true" || !strings.HasPrefix(r[1], "? ") {
		t.Fatalf("with estimates: %q", r)
	}
}

func TestKataGenmoveAnalyze(t *testing.T) {
	out := serve(t, &gtptest.Player{Scores: true}, testConfig(), "boardsize 9\nkata-genmove_analyze b 10 ownership true\n")
	r := replies(out)
	lines := strings.Split(r[1], "\n")
	if len(lines) != 3 || lines[0] != "=" || !strings.HasPrefix(lines[1], "info move ") || !strings.Contains(lines[1], " ownership ") || !strings.HasPrefix(lines[2], "play ") {
		t.Fatalf("kata-genmove_analyze: %q", r[1])
	}
}
