package sgf

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// props renders a collection compactly for comparisons:
// games separated by " | ", nodes by ";", children in "(...)".
func render(c *Collection) string {
	var b strings.Builder
	for i, g := range c.Games {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.Write(Marshal(&Collection{Games: []*Node{g}}))
	}
	return strings.ReplaceAll(strings.TrimSpace(b.String()), "\n", "")
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"minimal", "(;)", "(;)"},
		{"sequence", "(;FF[4]SZ[9];B[ee];W[ce])", "(;FF[4]SZ[9];B[ee];W[ce])"},
		{"spaces", " ( ; FF [4] \n SZ\t[9] ; B [ee] ) ", "(;FF[4]SZ[9];B[ee])"},
		{"text before paren", "licence, see COPYING; B[aa]\n(;SZ[9])", "(;SZ[9])"},
		{"text after", "(;SZ[9]) trailing junk ;B[", "(;SZ[9])"},
		{"collection", "(;SZ[9];B[aa])\n(;SZ[13])", "(;SZ[9];B[aa]) | (;SZ[13])"},
		{"variations", "(;SZ[9](;B[aa];W[bb])(;B[cc](;W[dd])(;W[ee])))", "(;SZ[9](;B[aa];W[bb])(;B[cc](;W[dd])(;W[ee])))"},
		{"single subtree folds", "(;SZ[9](;B[aa](;W[bb])))", "(;SZ[9];B[aa];W[bb])"},
		{"escapes", `(;C[a\]b\\c\:d])`, `(;C[a\]b\\c:d])`},
		{"soft break LF", "(;C[ab\\\ncd])", "(;C[abcd])"},
		{"soft break CRLF", "(;C[ab\\\r\ncd])", "(;C[abcd])"},
		{"soft break LFCR", "(;C[ab\\\n\rcd])", "(;C[abcd])"},
		{"hard break kept", "(;C[ab\ncd])", "(;C[ab\ncd])"},
		{"mixed-case FF3 name", "(;FF[3]VieW[]AddBlack[aa])", "(;FF[3]VW[]AB[aa])"},
		{"repeated property merged", "(;AP[a]SZ[9]AP[b])", "(;AP[a][b]SZ[9])"},
		{"point lists", "(;AB[aa][bb:cc]\n[dd])", "(;AB[aa][bb:cc][dd])"},
		{"empty value", "(;B[])", "(;B[])"},
		{"missing root semicolon", "(\r\nTE[x]SZ[9];B[aa])", "(;TE[x]SZ[9];B[aa])"},
		{"UTF-8 BOM", "\xEF\xBB\xBF(;PB[é])", "(;PB[é])"},
		{"lowercase-only id dropped", "(;xx[1]SZ[9])", "(;SZ[9])"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q) = %v", tt.in, err)
			}
			if got := render(c); got != strings.ReplaceAll(tt.want, "\n", "") {
				t.Errorf("Parse(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseValues(t *testing.T) {
	c, err := Parse([]byte("(;GM[1]FF[4]CA[UTF-8]AP[x:1]C[line1\nline2 \\] end]AB[aa:bc];W[tt])"))
	if err != nil {
		t.Fatal(err)
	}
	root := c.Games[0]
	if got, _ := root.Get("C"); got != "line1\nline2 ] end" {
		t.Errorf("C = %q", got)
	}
	if got := ExpandPoints(root.Values("AB")); strings.Join(got, ",") != "aa,ba,ab,bb,ac,bc" {
		t.Errorf("ExpandPoints(AB) = %v", got)
	}
	if got := len(root.MainLine()); got != 2 {
		t.Errorf("MainLine length %d; want 2", got)
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		line, col int
		msg       string
	}{
		{"empty", "", 1, 1, "empty input"},
		{"blank", "  \n ", 2, 2, "empty input"},
		{"no tree", "hello", 1, 6, "no '(' found"},
		{"unclosed", "(;SZ[9]\n;B[aa]\n", 3, 1, "not closed"},
		{"unterminated value", "(;SZ[9]\n;C[abc", 2, 3, "unterminated property value"},
		{"no value", "(;SZ;B[aa])", 1, 5, "property SZ has no value"},
		{"junk in node", "(;SZ[9]!)", 1, 8, "unexpected '!' in node"},
		{"empty tree", "(;SZ[9]())", 1, 9, "expected ';' after '('"},
		{"node after variation", "(;SZ[9](;B[aa]);W[bb])", 1, 16, "node after a variation"},
		{"escape at eof", "(;C[ab\\", 1, 4, "unterminated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v; want *SyntaxError", tt.in, err)
			}
			if se.Line != tt.line || se.Col != tt.col || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("Parse(%q) = %v; want line %d col %d %q", tt.in, se, tt.line, tt.col, tt.msg)
			}
		})
	}
}

func TestDeepNesting(t *testing.T) {
	const depth = 100000
	var b bytes.Buffer
	b.WriteString("(;SZ[19]")
	for i := 0; i < depth; i++ {
		b.WriteString("(;B[aa]")
	}
	b.WriteString(strings.Repeat(")", depth+1))
	c, err := Parse(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got := len(c.Games[0].MainLine()); got != depth+1 {
		t.Fatalf("main line %d nodes; want %d", got, depth+1)
	}
	// A second variation at every level: deep branching for the writer.
	n := c.Games[0]
	for n != nil && len(n.Children) > 0 {
		n.Children = append(n.Children, &Node{Props: []Property{{ID: "W", Values: []string{"bb"}}}})
		n = n.Children[0]
	}
	c2, err := Parse(Marshal(c))
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(c.Games[0], c2.Games[0]) {
		t.Error("deep tree does not round-trip")
	}
}

func encode(t *testing.T, enc encoding.Encoding, s string) string {
	t.Helper()
	out, err := enc.NewEncoder().String(s)
	if err != nil {
		t.Fatalf("encoding %q: %v", s, err)
	}
	return out
}

func TestCharsets(t *testing.T) {
	utf16 := func(s string) string {
		return encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), s)
	}
	tests := []struct {
		name     string
		in       string
		pb, c    string // want
		charset  string
		warnings int
	}{
		{"utf8 no CA", "(;PB[李昌鎬]C[x])", "李昌鎬", "x", "UTF-8", 0},
		{"utf8 BOM", "\xEF\xBB\xBF(;CA[UTF-8]PB[李昌鎬]C[x])", "李昌鎬", "x", "UTF-8", 0},
		{"utf16le BOM", utf16("(;CA[UTF-16LE]PB[李昌鎬]C[x])"), "李昌鎬", "x", "UTF-16LE", 0},
		{"latin1 declared", "(;CA[ISO-8859-1]PB[cr\xe9\xe9]C[x])", "créé", "x", "ISO-8859-1", 0},
		{"latin1 odd spelling", "(;CA[ISO8859_1]PB[cr\xe9\xe9]C[x])", "créé", "x", "ISO-8859-1", 0},
		{"latin1 no CA", "(;PB[cr\xe9\xe9]C[x])", "créé", "x", "ISO-8859-1", 1},
		// 表 is 0x95 0x5C in Shift_JIS: the trail byte is a backslash.
		{"shift_jis trail backslash", "(;PB[" + encode(t, japanese.ShiftJIS, "表") + "]CA[Shift_JIS]C[x])", "表", "x", "Shift_JIS", 0},
		{"ms_kanji", "(;CA[MS_KANJI]PB[" + encode(t, japanese.ShiftJIS, "井山裕太") + "]C[x])", "井山裕太", "x", "Shift_JIS", 0},
		{"gb2312 after value", "(;PB[" + encode(t, simplifiedchinese.GBK, "古力") + "]CA[GB2312]C[x])", "古力", "x", "GBK", 0},
		// 許 is 0xB3 0x5C in Big5.
		{"big5 trail backslash", "(;CA[Big5]PB[" + encode(t, traditionalchinese.Big5, "許") + "]C[x])", "許", "x", "Big5", 0},
		{"euc-kr", "(;CA[EUC-KR]PB[" + encode(t, korean.EUCKR, "이세돌") + "]C[x])", "이세돌", "x", "EUC-KR", 0},
		{"declared legacy but utf8", "(;CA[Shift_JIS]PB[李昌鎬]C[x])", "李昌鎬", "x", "UTF-8", 1},
		{"utf8 declared invalid", "(;CA[UTF-8]PB[ab\xe4\xbd]C[x])", "ab\uFFFD", "x", "UTF-8", 1},
		{"unknown CA", "(;CA[klingon]PB[ab]C[x])", "ab", "x", "UTF-8", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			root := c.Games[0]
			if pb, _ := root.Get("PB"); pb != tt.pb {
				t.Errorf("PB = %q; want %q", pb, tt.pb)
			}
			if cv, _ := root.Get("C"); cv != tt.c {
				t.Errorf("C = %q; want %q", cv, tt.c)
			}
			if c.Charset != tt.charset {
				t.Errorf("Charset = %q; want %q", c.Charset, tt.charset)
			}
			if len(c.Warnings) != tt.warnings {
				t.Errorf("Warnings = %q; want %d", c.Warnings, tt.warnings)
			}
			if ca, ok := root.Get("CA"); ok && ca != "UTF-8" {
				t.Errorf("CA = %q after Parse; want UTF-8", ca)
			}
			again, err := Parse(Marshal(c))
			if err != nil || !Equal(again.Games[0], root) {
				t.Errorf("round trip: err %v, equal %v", err, err == nil && Equal(again.Games[0], root))
			}
		})
	}
}

func TestWriteRoundTrip(t *testing.T) {
	root := &Node{}
	root.Set("FF", "4")
	root.Set("C", `a]b\c`, "", "line\nbreak\\")
	root.Add("C", "more")
	child := &Node{Props: []Property{{ID: "B", Values: []string{"aa"}}}}
	alt := &Node{Props: []Property{{ID: "B", Values: []string{"bb"}}}}
	root.Children = []*Node{child, alt}
	c := &Collection{Games: []*Node{root, {Props: []Property{{ID: "SZ", Values: []string{"9"}}}}}}
	data := Marshal(c)
	got, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(Write) = %v\n%s", err, data)
	}
	if len(got.Games) != 2 || !Equal(got.Games[0], root) || !Equal(got.Games[1], c.Games[1]) {
		t.Errorf("round trip differs:\n%s\n%s", data, Marshal(got))
	}
	root.Delete("C")
	if root.Has("C") || len(root.Props) != 1 {
		t.Errorf("Delete left %v", root.Props)
	}
}
