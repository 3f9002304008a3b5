package gtp_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/gtp/gtptest"
)

var statusLine = regexp.MustCompile(`^[=?][0-9]*( |\n|$)`)

// FuzzServe: any input gives only well-formed replies: each starts with
// '=' or '?' (with an optional id) and ends with an empty line, and no
// input makes the server panic.
func FuzzServe(f *testing.F) {
	for _, s := range []string{
		"protocol_version\nname\n",
		"1 boardsize 9\n2 play b e5\n3 genmove w\n4 showboard\n5 final_score\n",
		"lz-analyze b 10\nprotocol_version\nlz-genmove_analyze w 10 avoid w e5,d4 1\n",
		"fixed_handicap 4\nplace_free_handicap 3\nset_free_handicap a1 b2\nprintsgf\n",
		"time_settings 10 5 1\ntime_left b 3 1\ngenmove b\nkgs-time_settings byoyomi 1 1 1\ngenmove w\n",
		"boardsize 2\nplay b a1\nplay w b2\nfinal_status_list dead\nundo\nundo\nundo\n",
		"loadsgf testdata/game.sgf 4\nprintsgf\n",
		"\x00\t#\r\n 12\nlist_commands # c\n\n\nquit\nname\n",
	} {
		f.Add(s)
	}
	if data, err := os.ReadFile("testdata/basic.gtp"); err == nil {
		f.Add(string(data))
	}
	f.Fuzz(func(t *testing.T, input string) {
		cfg := testConfig()
		cfg.OwnershipPlayouts = 10
		s, err := gtp.NewServer(&gtptest.Player{}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var out strings.Builder
		if err := s.Serve(ctx, strings.NewReader(input), &out); err != nil {
			t.Fatalf("Serve: %v", err)
		}
		text := out.String()
		if text == "" {
			return
		}
		if !strings.HasSuffix(text, "\n\n") {
			t.Fatalf("output does not end with an empty line: %q", text)
		}
		for _, rep := range strings.Split(strings.TrimSuffix(text, "\n\n"), "\n\n") {
			if !statusLine.MatchString(rep) {
				t.Fatalf("reply %q does not start with = or ?", rep)
			}
			if strings.HasPrefix(rep, "?") && strings.Contains(rep, "\n") {
				t.Fatalf("multi-line error reply %q", rep)
			}
			for _, line := range strings.Split(rep, "\n")[1:] {
				if (strings.HasPrefix(line, "info ") || strings.HasPrefix(line, "play ")) && !strings.HasPrefix(rep, "=") {
					t.Fatalf("%q in reply %q", line, rep)
				}
			}
		}
	})
}
