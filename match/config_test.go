package match_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tengen-go/tengen/match"
)

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"", nil},
		{"   \t", nil},
		{"gnugo --mode gtp --level 1", []string{"gnugo", "--mode", "gtp", "--level", "1"}},
		{"  a   b  ", []string{"a", "b"}},
		{`'/opt/my engine/bin' -x`, []string{"/opt/my engine/bin", "-x"}},
		{`a "b c" d`, []string{"a", "b c", "d"}},
		{`a"b"'c'd`, []string{"abcd"}},
		{`""`, []string{""}},
		{`a '' b`, []string{"a", "", "b"}},
		{`"a \" \\ \$ \x"`, []string{`a " \ $ \x`}},
		{`'a \ "b"'`, []string{`a \ "b"`}},
		{`a\ b c\"d`, []string{"a b", `c"d`}},
		{"a\\\nb", []string{"ab"}},
		{"tengen gtp --config=\"x y\"", []string{"tengen", "gtp", "--config=x y"}},
	}
	for _, tt := range tests {
		got, err := match.SplitCommand(tt.line)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", tt.line, got, err, tt.want)
		}
	}
	for _, bad := range []string{`'abc`, `"abc`, `abc\`, `a "b\"`} {
		if got, err := match.SplitCommand(bad); !errors.Is(err, match.ErrCommandLine) {
			t.Errorf("SplitCommand(%q) = %q, %v; want ErrCommandLine", bad, got, err)
		}
	}
}

func TestEngineFromCommand(t *testing.T) {
	e, err := match.EngineFromCommand(`/usr/games/gnugo --mode gtp --level '1'`)
	if err != nil || e.GTP.Path != "/usr/games/gnugo" || !slices.Equal(e.GTP.Args, []string{"--mode", "gtp", "--level", "1"}) {
		t.Errorf("EngineFromCommand = %+v, %v", e, err)
	}
	for _, bad := range []string{"", "  ", `"x`} {
		if _, err := match.EngineFromCommand(bad); err == nil {
			t.Errorf("EngineFromCommand(%q) succeeded", bad)
		}
	}
}

// quote quotes w for SplitCommand, in one of three styles.
func quote(w string, style int) string {
	switch style % 3 {
	case 0:
		return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	case 1:
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")
		return `"` + r.Replace(w) + `"`
	}
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		if w[i] == '\n' { // backslash-newline would join lines
			b.WriteString("'\n'")
			continue
		}
		b.WriteByte('\\')
		b.WriteByte(w[i])
	}
	if w == "" {
		return "''"
	}
	return b.String()
}

// FuzzSplitCommand checks that SplitCommand never panics and that quoted
// words come back as they were.
func FuzzSplitCommand(f *testing.F) {
	f.Add("gnugo --mode gtp", "a b", 0)
	f.Add(`x"y'z`, "\\", 1)
	f.Add("\n", "", 2)
	f.Fuzz(func(t *testing.T, line, word string, style int) {
		_, _ = match.SplitCommand(line)
		if style < 0 {
			style = -style
		}
		words := []string{word, "-x", word}
		var parts []string
		for i, w := range words {
			parts = append(parts, quote(w, style+i))
		}
		got, err := match.SplitCommand(strings.Join(parts, " \t"))
		if err != nil || !slices.Equal(got, words) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", strings.Join(parts, " "), got, err, words)
		}
	})
}

func TestValidate(t *testing.T) {
	good := match.DefaultConfig()
	good.A.GTP.Path, good.B.GTP.Path = "a", "b"
	if err := good.Validate(); err != nil {
		t.Fatalf("Validate(default with engines) = %v", err)
	}
	for _, tt := range []struct {
		name string
		mod  func(c *match.Config)
	}{
		{"no A", func(c *match.Config) { c.A.GTP.Path = "" }},
		{"no B", func(c *match.Config) { c.B.GTP.Path = "" }},
		{"games", func(c *match.Config) { c.Games = 0 }},
		{"size", func(c *match.Config) { c.Size = 26 }},
		{"time", func(c *match.Config) { c.MoveTime = -time.Second }},
		{"max moves", func(c *match.Config) { c.MaxMoves = -1 }},
		{"openings", func(c *match.Config) { c.Openings = -1 }},
	} {
		c := good
		tt.mod(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate() = nil", tt.name)
		}
	}
}
