package sgf

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics and that whatever it accepts
// survives Write and a second Parse unchanged. Seeds: testdata/*.sgf,
// the shared nasty files when present, and the inline cases below.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"(;)", "(;FF[4]SZ[9];B[ee](;W[aa])(;W[bb]))", `(;C[a\]b\\c\` + "\n" + `d])`,
		"(;FF[3]VieW[]AddBlack[aa:cc])", "junk(;SZ[9])(;SZ[13])junk", "(\r\nTE[x];B[aa])",
		"\xEF\xBB\xBF(;CA[UTF-8]PB[é])", "(;CA[Shift_JIS]PB[\x95\\])", "(;PB[\xe9])", "(;CA[GB2312]C[\xb9\xc5])",
		"\xFF\xFE(\x00;\x00)\x00", "(;B[aa];W[bb]", "(;C[x", "((;))", "(;B[aa](;W[bb]);B[cc])",
	} {
		f.Add([]byte(s))
	}
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.sgf"))
	if d := os.Getenv("TENGEN_SHARED"); d != "" {
		more, _ := filepath.Glob(filepath.Join(d, "data", "sgf-nasty", "*.sgf"))
		seeds = append(seeds, more...)
	} else {
		more, _ := filepath.Glob(filepath.Join("..", "..", "shared", "data", "sgf-nasty", "*.sgf"))
		seeds = append(seeds, more...)
	}
	for _, p := range seeds {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		for _, g := range c.Games {
			Replay(g) // must not panic either
		}
		out := Marshal(c)
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse of written output failed: %v\ninput %q\noutput %q", err, data, out)
		}
		if len(again.Games) != len(c.Games) {
			t.Fatalf("%d games after round trip; want %d\noutput %q", len(again.Games), len(c.Games), out)
		}
		for i := range c.Games {
			if !Equal(c.Games[i], again.Games[i]) {
				t.Fatalf("game %d differs after round trip\ninput %q\noutput %q\nagain %q", i+1, data, out, Marshal(again))
			}
		}
	})
}
