package sgf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/internal/testenv"
)

// TestNasty pins what every file of shared/data/sgf-nasty gives: the
// main-line move count of each game, or an error. Move counts agree with
// shared/data/count.py file by file (count.py also counts the moves of
// the three files we reject: truncated_mid_value 41, rectangular_19x13
// 106, unclosed_missing_paren 0).
func TestNasty(t *testing.T) {
	dir := filepath.Join(testenv.SharedData(t), "sgf-nasty")
	tests := []struct {
		file  string
		moves []int  // per game; nil when the file does not parse
		err   string // substring of the file's or a game's error
	}{
		{"charset_ca_iso8859_1.sgf", []int{65}, ""},
		{"charset_euc_kr.sgf", []int{2}, ""},
		{"charset_gb2312.sgf", []int{2}, ""},
		{"charset_latin1_no_CA.sgf", []int{326}, ""},
		{"charset_ms_kanji_mojibake.sgf", []int{2}, ""},
		{"charset_no_CA_other.sgf", []int{7}, ""},
		{"charset_shift_jis.sgf", []int{2}, ""},
		{"charset_shiftjis_no_CA_nihonkiin.sgf", []int{8}, ""},
		{"charset_utf16le_bom.sgf", []int{164}, ""},
		{"charset_utf8_bom.sgf", []int{164}, ""},
		{"charset_utf8_declared_but_truncated_multibyte.sgf", []int{164}, ""},
		{"compressed_point_list.sgf", []int{4}, ""},
		{"crlf_line_endings.sgf", []int{233}, ""},
		{"empty_file.sgf", nil, "line 1 col 1: empty input"},
		{"ff1_old_format.sgf", []int{227}, ""},
		{"ff3_old_pro_multiline_header.sgf", []int{294}, ""},
		{"fox_deep_nesting_every_move_a_subtree.sgf", []int{302}, ""},
		{"fox_handicap_AB_in_second_node.sgf", []int{100}, ""},
		{"fox_komi_0_handicap1.sgf", []int{264}, ""},
		{"fox_komi_375_chinese.sgf", []int{231}, ""},
		{"fox_komi_375_tencent_ai.sgf", []int{243}, ""},
		{"fox_plain.sgf", []int{97}, ""},
		{"handicap9_kgs.sgf", []int{265}, ""},
		{"kgs_no_result.sgf", []int{285}, ""},
		{"kgs_zero_moves.sgf", []int{0}, ""},
		{"komi_5_dot.mgt", []int{137}, ""},
		{"mgt_extension_ff3.mgt", []int{157}, ""},
		{"multigame_collection_positions.sgf", []int{0, 0}, ""},
		{"multigame_kgs_bot_games.sgf", []int{228, 228}, ""},
		{"no_SZ_no_FF.sgf", []int{219}, ""},
		{"ogs_review_chat_comments_RE_question.sgf", []int{186}, ""},
		{"pass_empty_kgs.sgf", []int{267}, ""},
		{"pass_empty_olympiad.sgf", []int{242}, ""},
		{"pass_tt_midgame_alphago_zero.sgf", []int{469}, ""},
		{"pass_tt_nngs.sgf", []int{322}, ""},
		{"rectangular_19x13.sgf", []int{0}, "unsupported: rectangular board SZ[19:13]"},
		{"result_B+0.0_fox.sgf", []int{171}, ""},
		{"result_B+AW.sgf", []int{281}, ""},
		{"result_W+J.sgf", []int{400}, ""},
		{"result_draw_lowercase.sgf", []int{16}, ""},
		{"result_no_margin_W.sgf", []int{144}, ""},
		{"setup_AE_PL_consecutive_same_colour.sgf", []int{5}, ""},
		{"size11_igs_game.sgf", []int{68}, ""},
		{"size13_game.sgf", []int{111}, ""},
		{"size2.sgf", []int{3}, ""},
		{"size3.sgf", []int{5}, ""},
		{"size7.sgf", []int{0}, ""},
		{"text_before_paren_pattern_db.sgf", []int{7}, ""},
		{"truncated_mid_value.sgf", nil, "line 22 col 243: unterminated property value"},
		{"unclosed_missing_paren.sgf", nil, "line 24 col 1: unexpected end of input"},
		{"variations_commentary_ff3_escaped_brackets.sgf", []int{164}, ""},
		{"variations_figures_FG_PM.sgf", []int{101}, ""},
	}
	// Every SGF file in the folder has a row, and every row a file.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, tt := range tests {
		rows[tt.file] = true
	}
	for _, e := range entries {
		if IsSGFName(e.Name()) && !rows[e.Name()] {
			t.Errorf("%s has no row in TestNasty", e.Name())
		}
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(data)
			if tt.moves == nil {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Parse = %v; want error containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			games := c.Replay()
			if len(games) != len(tt.moves) {
				t.Fatalf("%d games; want %d", len(games), len(tt.moves))
			}
			gotErr := ""
			for i, g := range games {
				if g.Moves != tt.moves[i] {
					t.Errorf("game %d: %d moves; want %d (err %v)", i+1, g.Moves, tt.moves[i], g.Err)
				}
				if g.Err != nil {
					gotErr = g.Err.Error()
				}
			}
			if (tt.err == "") != (gotErr == "") || !strings.Contains(gotErr, tt.err) {
				t.Errorf("replay error %q; want %q", gotErr, tt.err)
			}
			// Whatever parses must survive a write and re-parse.
			again, err := Parse(Marshal(c))
			if err != nil {
				t.Fatalf("re-parse: %v", err)
			}
			for i := range c.Games {
				if !Equal(c.Games[i], again.Games[i]) {
					t.Errorf("game %d does not round-trip", i+1)
				}
			}
		})
	}
}

// TestNastyDetails checks what the table cannot: decoded text, komi,
// rules, handicap, passes.
func TestNastyDetails(t *testing.T) {
	dir := filepath.Join(testenv.SharedData(t), "sgf-nasty")
	load := func(name string) (*Collection, []*Game) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		c, err := Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return c, c.Replay()
	}
	tests := []struct {
		file     string
		komi     float64
		ko       board.KoRule
		handicap int // board.Game.Handicap()
		passes   int
		prop     string // root property to check
		value    string
		warning  string // substring of a collection or game warning
	}{
		{"fox_komi_375_chinese.sgf", 7.5, board.KoPositional, 0, 0, "PB", "东升712", "hundredfold"},
		{"fox_deep_nesting_every_move_a_subtree.sgf", 6.5, board.KoSimple, 0, 0, "PB", "안정기", "hundredfold"},
		{"charset_utf8_declared_but_truncated_multibyte.sgf", 7.5, board.KoSimple, 0, 0, "PB", "你若有\uFFFD", "U+FFFD"},
		{"komi_5_dot.mgt", 5, board.KoSimple, 0, 0, "PB", "Kato Masao", "trailing dot"},
		{"fox_handicap_AB_in_second_node.sgf", 0, board.KoPositional, 2, 0, "HA", "2", ""},
		{"handicap9_kgs.sgf", 0.5, board.KoSimple, 9, 0, "HA", "9", ""},
		{"charset_gb2312.sgf", 0, board.KoSimple, 0, 0, "PB", "古力", ""},
		{"charset_shift_jis.sgf", 0, board.KoSimple, 0, 0, "PB", "井山 裕太", ""},
		{"charset_euc_kr.sgf", 0, board.KoSimple, 0, 0, "PB", "이세돌", ""},
		{"charset_utf16le_bom.sgf", 0, board.KoSimple, 0, 0, "PB", "Kitani Minoru", ""},
		{"charset_latin1_no_CA.sgf", 6.5, board.KoPositional, 0, 0, "PB", "Gnu Go", "ISO-8859-1"},
		{"charset_shiftjis_no_CA_nihonkiin.sgf", 0, board.KoSimple, 0, 0, "GK", "1", "missing ';'"},
		{"pass_tt_midgame_alphago_zero.sgf", 7.5, board.KoPositional, 0, 0, "PB", "AlphaGo Zero", ""},
		{"compressed_point_list.sgf", 0, board.KoSimple, 0, 2, "AW", "", ""},
		{"variations_commentary_ff3_escaped_brackets.sgf", 0, board.KoSimple, 0, 0, "VW", "", ""},
		{"multigame_kgs_bot_games.sgf", 7.5, board.KoPositional, 0, 28, "PB", "Fuego", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, games := load(tt.file)
			g := games[0]
			if g.Err != nil {
				t.Fatal(g.Err)
			}
			if g.Info.Komi != tt.komi {
				t.Errorf("komi %v; want %v", g.Info.Komi, tt.komi)
			}
			if g.Info.Rules.Ko != tt.ko {
				t.Errorf("ko rule %v; want %v", g.Info.Rules.Ko, tt.ko)
			}
			if h := g.Board.Handicap(); h != tt.handicap {
				t.Errorf("handicap %d; want %d", h, tt.handicap)
			}
			if tt.passes > 0 {
				n := 0
				for _, m := range g.Board.Moves() {
					if m.Point == board.Pass {
						n++
					}
				}
				if n != tt.passes {
					t.Errorf("%d passes; want %d", n, tt.passes)
				}
			}
			if tt.value != "" {
				if v, _ := g.Root.Get(tt.prop); v != tt.value {
					t.Errorf("%s = %q; want %q", tt.prop, v, tt.value)
				}
			} else if !g.Root.Has(tt.prop) {
				t.Errorf("root has no %s", tt.prop)
			}
			all := strings.Join(append(c.Warnings, g.Warnings...), "\n")
			if !strings.Contains(all, tt.warning) || (tt.warning == "" && all != "") {
				t.Errorf("warnings %q; want %q", all, tt.warning)
			}
		})
	}
}
