package gtp_test

import (
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/gtp/gtptest"
)

// TestCommands checks the reply to one command after some set-up
// commands, for every command, with its error cases.
func TestCommands(t *testing.T) {
	g, err := board.NewGame(9, 7.5, board.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	best9 := gtptest.Ranked(g, board.Black, gtp.SearchOptions{})[0].GTP(9) // the fake's choice
	tests := []struct {
		name  string
		setup []string
		cmd   string
		want  string
	}{
		{"protocol_version", nil, "protocol_version", "= 2"},
		{"id", nil, "42 protocol_version", "=42 2"},
		{"name", nil, "name", "= tengen"},
		{"version", nil, "version", "= test"},
		{"known", nil, "known_command lz-genmove_analyze", "= true"},
		{"unknown kata", nil, "known_command kata-analyze", "= false"},
		{"unknown genmove_analyze", nil, "known_command genmove_analyze", "= false"},
		{"known no arg", nil, "known_command", "? syntax error: want 1 argument(s)"},
		{"list_commands", nil, "list_commands", "= " + strings.Join(gtp.Commands(), "\n")},
		{"unknown", nil, "kata-analyze b 50", "? unknown command"},
		{"empty with id", nil, "7", "?7 empty command"},
		{"quit", nil, "quit", "="},
		{"boardsize", nil, "boardsize 13", "="},
		{"boardsize small", nil, "boardsize 1", "? unacceptable size"},
		{"boardsize big", nil, "boardsize 26", "? unacceptable size"},
		{"boardsize nan", nil, "boardsize x", "? boardsize not an integer"},
		{"boardsize keeps komi", []string{"komi 6.5", "boardsize 9"}, "showboard", "komi=6.5"},
		{"boardsize clears", []string{"play b d4", "boardsize 9"}, "list_stones b", "="},
		{"clear_board", []string{"play b d4", "clear_board"}, "list_stones b", "="},
		{"default komi", nil, "showboard", "komi=7.5"},
		{"komi", nil, "komi -3.5", "="},
		{"komi bad", nil, "komi x", "? komi not a float"},
		{"komi inf", nil, "komi inf", "? komi not a float"},
		{"play", nil, "play b Q16", "="},
		{"play lower", nil, "play white q16", "="},
		{"play pass", nil, "play W pass", "="},
		{"play same colour twice", []string{"play b d4"}, "play b d5", "="},
		{"play occupied", []string{"play b d4"}, "play w d4", "? illegal move"},
		{"play suicide", []string{"boardsize 2", "play b a1", "play b b2"}, "play w a2", "? illegal move"},
		{"play ko", []string{"boardsize 5", "play b b1", "play b a2", "play w c1", "play w b2", "play w a1", "play b a3"}, "play w a1", "? illegal move"},
		{"play bad vertex", nil, "play b z1", "? invalid color or coordinate"},
		{"play off board", []string{"boardsize 9"}, "play b k9", "? invalid color or coordinate"},
		{"play bad colour", nil, "play x d4", "? invalid color or coordinate"},
		{"play resign", nil, "play b resign", "? invalid color or coordinate"},
		{"genmove", []string{"boardsize 9"}, "genmove b", "= " + best9},
		{"genmove bad", nil, "genmove x", "? invalid color"},
		{"genmove no arg", nil, "genmove", "? invalid color"},
		{"reg_genmove", []string{"boardsize 9"}, "reg_genmove b", "= " + best9},
		{"kgs-genmove_cleanup", []string{"boardsize 9"}, "kgs-genmove_cleanup b", "= " + best9},
		{"undo", []string{"play b d4"}, "undo", "="},
		{"undo empty", nil, "undo", "? cannot undo"},
		{"showboard", []string{"boardsize 2", "play b a1"}, "showboard", "=\n   A B\n 2 . . 2\n 1(X). 1\n   A B\nKomi 7.5, White to move, captures: X 0, O 0"},
		{"final_score empty", nil, "final_score", "= W+7.5"},
		{"final_score bad", nil, "final_score x", "? syntax error: want 0 argument(s)"},
		{"final_status_list", []string{"boardsize 5", "play b c3"}, "final_status_list alive", "= C3"},
		{"final_status_list dead none", []string{"boardsize 5", "play b c3"}, "final_status_list dead", "="},
		{"final_status_list bad", nil, "final_status_list zombie", "? invalid status"},
		{"fixed_handicap", nil, "fixed_handicap 4", "= D4 Q16 D16 Q4"},
		{"fixed_handicap too many", nil, "fixed_handicap 10", "? invalid number of stones"},
		{"fixed_handicap not empty", []string{"play b d4"}, "fixed_handicap 2", "? board not empty"},
		{"fixed_handicap white to move", []string{"fixed_handicap 2"}, "showboard", "White to move"},
		{"place_free_handicap", nil, "place_free_handicap 2", "= D4 Q16"},
		{"place_free_handicap one", nil, "place_free_handicap 1", "? invalid number of stones"},
		{"set_free_handicap", nil, "set_free_handicap a1 t19", "="},
		{"set_free_handicap dup", nil, "set_free_handicap a1 A1", "? bad vertex list"},
		{"set_free_handicap pass", nil, "set_free_handicap a1 pass", "? bad vertex list"},
		{"set_free_handicap not empty", []string{"play b d4"}, "set_free_handicap a1 b1", "? board not empty"},
		{"time_settings", nil, "time_settings 600 30 10", "="},
		{"time_settings bad", nil, "time_settings 600 30", "? syntax error"},
		{"kgs-time_settings", nil, "kgs-time_settings byoyomi 600 30 5", "="},
		{"kgs-time_settings bad", nil, "kgs-time_settings hourglass 60", "? syntax error"},
		{"time_left", []string{"time_settings 600 30 10"}, "time_left b 20 5", "="},
		{"time_left bad", nil, "time_left b x 5", "? syntax error"},
		{"loadsgf", nil, "loadsgf testdata/game.sgf 3", "="},
		{"loadsgf missing", nil, "loadsgf testdata/nothing.sgf", "? cannot load file"},
		{"printsgf", []string{"boardsize 9", "play b e5", "play w pass"}, "printsgf",
			"=\n(;GM[1]FF[4]CA[UTF-8]AP[tengen:test]SZ[9]KM[7.5]RU[chinese];B[ee];W[])"},
		{"is_legal", []string{"play b d4"}, "is_legal w d4", "= 0"},
		{"is_legal yes", nil, "is_legal w d4", "= 1"},
		{"is_legal bad", nil, "is_legal w", "? invalid color or coordinate"},
		{"all_legal", []string{"boardsize 2", "play b a1"}, "all_legal w", "= A2 B2 B1"},
		{"all_legal bad", nil, "all_legal", "? syntax error: want 1 argument(s)"},
		{"list_stones", []string{"play b d4", "play w q16", "play b c3"}, "list_stones black", "= D4 C3"},
		{"list_stones bad", nil, "list_stones red", "? invalid color"},
		{"lz-analyze bad", nil, "lz-analyze b 50 bogus", "? cannot parse analyze tags"},
		{"lz-genmove_analyze", []string{"boardsize 9"}, "lz-genmove_analyze b", "=\nplay " + best9},
		{"lz-genmove_analyze bad", nil, "lz-genmove_analyze b x", "? cannot parse analyze tags"},
		{"gogui-analyze_commands", nil, "gogui-analyze_commands", "= plist/Dead stones/final_status_list dead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := strings.Join(append(tt.setup, tt.cmd), "\n") + "\n"
			reps := replies(serve(t, &gtptest.Player{}, testConfig(), input))
			if len(reps) != len(tt.setup)+1 {
				t.Fatalf("%d replies to %q; want %d", len(reps), input, len(tt.setup)+1)
			}
			for i, r := range reps[:len(tt.setup)] {
				if !strings.HasPrefix(r, "=") {
					t.Fatalf("set-up %q: %q", tt.setup[i], r)
				}
			}
			got := reps[len(reps)-1]
			switch {
			case strings.HasPrefix(tt.want, "komi="):
				k := strings.TrimPrefix(tt.want, "komi=")
				if !strings.Contains(got, "Komi "+k+",") {
					t.Errorf("%s: %q; want komi %s", tt.cmd, got, k)
				}
			case tt.want == "White to move":
				if !strings.Contains(got, tt.want) {
					t.Errorf("%s: %q; want %q in it", tt.cmd, got, tt.want)
				}
			case tt.name == "gogui-analyze_commands":
				if !strings.HasPrefix(got, tt.want) {
					t.Errorf("%s: %q; want prefix %q", tt.cmd, got, tt.want)
				}
			case got != tt.want:
				t.Errorf("%s = %q; want %q", tt.cmd, got, tt.want)
			}
		})
	}
}

// TestListCommands: one command per line, no blanks, no duplicates, every
// listed command known, none of the commands Sabaki must not see.
func TestListCommands(t *testing.T) {
	out := replies(serve(t, &gtptest.Player{}, testConfig(), "list_commands\n"))[0]
	lines := strings.Split(strings.TrimPrefix(out, "= "), "\n")
	seen := map[string]bool{}
	for _, l := range lines {
		if l != strings.TrimSpace(l) || l == "" || strings.Contains(l, " ") {
			t.Errorf("bad line %q", l)
		}
		if seen[l] {
			t.Errorf("%s listed twice", l)
		}
		seen[l] = true
		if r := replies(serve(t, &gtptest.Player{}, testConfig(), "known_command "+l+"\n"))[0]; r != "= true" {
			t.Errorf("known_command %s = %q", l, r)
		}
	}
	for _, name := range []string{"kata-analyze", "kata-genmove_analyze", "analyze", "genmove_analyze"} {
		if seen[name] {
			t.Errorf("%s must not be listed", name)
		}
	}
	if len(lines) != len(gtp.Commands()) {
		t.Errorf("%d lines; want %d", len(lines), len(gtp.Commands()))
	}
}
