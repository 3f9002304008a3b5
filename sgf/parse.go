package sgf

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// SyntaxError is a structural error in SGF text. Line and Col are 1-based;
// Col counts bytes of the (BOM-stripped, for UTF-16 re-encoded) input.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("syntax error at line %d col %d: %s", e.Line, e.Col, e.Msg)
}

// maxWarnings caps Collection.Warnings so a pathological file cannot grow
// it without bound.
const maxWarnings = 50

// Parse parses the SGF collection in data and decodes its text to UTF-8
// (see the package documentation for the charset rules). Text before the
// first '(' and between or after game trees is ignored. On a structural
// error it returns a *SyntaxError and no collection. A file with no game
// tree (an empty file, say) is a *SyntaxError too.
//
// The parser is iterative: nesting depth is limited only by memory.
func Parse(data []byte) (*Collection, error) {
	text, bomCharset, err := stripBOM(data)
	if err != nil {
		return nil, err
	}
	p := parser{data: text}
	if bomCharset == "" && hasHighBytes(text) {
		// A two-byte charset can put ']' or '\' in the second byte of a
		// character, so the tokeniser must know the charset before it
		// reads values - and CA may come after the values it governs.
		p.lead = leadByteFunc(sniffCA(text))
	}
	if err := p.parse(); err != nil {
		return nil, err
	}
	c := &Collection{Games: p.games, Warnings: p.warnings}
	decodeCollection(c, text, bomCharset)
	return c, nil
}

type parser struct {
	data     []byte
	pos      int
	lead     func(byte) bool // lead byte of a two-byte character, or nil
	games    []*Node
	warnings []string
	values   []string // scratch
	buf      []byte   // scratch
}

func (p *parser) warn(format string, args ...any) {
	if len(p.warnings) < maxWarnings {
		p.warnings = append(p.warnings, fmt.Sprintf(format, args...))
	}
}

// errorAt builds a SyntaxError for byte offset off.
func (p *parser) errorAt(off int, format string, args ...any) error {
	line := 1 + bytes.Count(p.data[:off], []byte{'\n'})
	col := off + 1
	if i := bytes.LastIndexByte(p.data[:off], '\n'); i >= 0 {
		col = off - i
	}
	return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) && isSpace(p.data[p.pos]) {
		p.pos++
	}
}

// parse reads every game tree of the collection.
//
// stack holds, for each open '(' inside a game, the node the subtree hangs
// from; cur is the last node read. A ';' after a closed subtree at the same
// level is an error (the grammar allows subtrees only at the end of a
// sequence).
func (p *parser) parse() error {
	type level struct {
		parent  *Node // node the subtree hangs from; nil for the game tree
		subtree bool  // a subtree was closed at this level
	}
	for {
		i := bytes.IndexByte(p.data[p.pos:], '(')
		if i < 0 {
			break
		}
		p.pos += i + 1
		var root *Node
		var cur *Node
		stack := []level{{}}
		for len(stack) > 0 {
			// Expect the first node of the sequence.
			p.skipSpace()
			if p.pos >= len(p.data) {
				return p.errorAt(p.pos, "unexpected end of input: missing ';' after '('")
			}
			// Some exporters (Nihon Ki-in) omit the ';' of the root node:
			// "(TE[...]...". Accept that at the start of a game only.
			missingSemi := len(stack) == 1 && isLetter(p.data[p.pos])
			if missingSemi {
				p.warn("game %d: missing ';' before the root node's properties", len(p.games)+1)
			} else if p.data[p.pos] != ';' {
				return p.errorAt(p.pos, "expected ';' after '(', found %q", p.data[p.pos])
			}
			parent := stack[len(stack)-1].parent
			inner := true
			for inner {
				p.skipSpace()
				if p.pos >= len(p.data) {
					return p.errorAt(p.pos, "unexpected end of input: %d game tree(s) not closed with ')'", len(stack))
				}
				switch c := p.data[p.pos]; {
				case c == ';' || missingSemi:
					if stack[len(stack)-1].subtree {
						return p.errorAt(p.pos, "node after a variation: ';' must precede '('")
					}
					if !missingSemi {
						p.pos++
					}
					missingSemi = false
					n := &Node{}
					if parent == nil {
						root = n
					} else {
						parent.Children = append(parent.Children, n)
					}
					parent, cur = n, n
					if err := p.node(n); err != nil {
						return err
					}
				case c == '(':
					p.pos++
					stack = append(stack, level{parent: cur})
					inner = false
				case c == ')':
					p.pos++
					closed := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					if len(stack) > 0 {
						// Back in the enclosing sequence, after its last
						// node; only '(' or ')' may follow.
						stack[len(stack)-1].subtree = true
						cur = closed.parent
						parent = cur
						continue
					}
					inner = false
				default:
					return p.errorAt(p.pos, "unexpected %q in game tree", c)
				}
			}
		}
		p.games = append(p.games, root)
	}
	if len(p.games) == 0 {
		p.pos = len(p.data)
		if len(bytes.TrimSpace(p.data)) == 0 {
			return p.errorAt(p.pos, "empty input: no game tree")
		}
		return p.errorAt(p.pos, "no game tree: no '(' found")
	}
	return nil
}

// node reads the properties of one node, up to the next ';', '(' or ')'.
func (p *parser) node(n *Node) error {
	for {
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil // the caller reports the missing ')'
		}
		c := p.data[p.pos]
		if c == ';' || c == '(' || c == ')' {
			return nil
		}
		if !isLetter(c) {
			return p.errorAt(p.pos, "unexpected %q in node: want a property identifier", c)
		}
		start := p.pos
		upper := true
		for p.pos < len(p.data) && isLetter(p.data[p.pos]) {
			if p.data[p.pos] >= 'a' {
				upper = false
			}
			p.pos++
		}
		raw := p.data[start:p.pos]
		var id string
		if upper {
			id = internID(raw)
		} else {
			// FF[1]-FF[3]: lower-case letters are ignored ("VieW" = "VW").
			var b []byte
			for _, c := range raw {
				if c <= 'Z' {
					b = append(b, c)
				}
			}
			id = internID(b)
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '[' {
			if p.pos >= len(p.data) {
				return p.errorAt(p.pos, "unexpected end of input: property %s has no value", raw)
			}
			return p.errorAt(p.pos, "property %s has no value: want '[', found %q", raw, p.data[p.pos])
		}
		values := p.values[:0]
		for p.pos < len(p.data) && p.data[p.pos] == '[' {
			v, err := p.value()
			if err != nil {
				return err
			}
			values = append(values, v)
			p.skipSpace()
		}
		p.values = values
		if id == "" {
			p.warn("property %q dropped: no upper-case letter in its name", raw)
			continue
		}
		n.addValues(id, values)
	}
}

// addValues appends values to property id, merging a repeated identifier
// into its first occurrence.
func (n *Node) addValues(id string, values []string) {
	for i := range n.Props {
		if n.Props[i].ID == id {
			n.Props[i].Values = append(n.Props[i].Values, values...)
			return
		}
	}
	n.Props = append(n.Props, Property{ID: id, Values: append([]string(nil), values...)})
}

// value reads one "[...]" value starting at the '['. It removes escapes:
// "\x" is x, and a backslash before a line break (LF, CR, CRLF or LFCR)
// removes both (a soft line break).
func (p *parser) value() (string, error) {
	start := p.pos
	p.pos++ // '['
	data := p.data
	// Fast path: no escapes and no two-byte characters.
	end := bytes.IndexByte(data[p.pos:], ']')
	if end >= 0 && p.lead == nil && bytes.IndexByte(data[p.pos:p.pos+end], '\\') < 0 {
		v := string(data[p.pos : p.pos+end])
		p.pos += end + 1
		return v, nil
	}
	b := p.buf[:0]
	for i := p.pos; i < len(data); i++ {
		c := data[i]
		switch {
		case c == ']':
			p.pos = i + 1
			p.buf = b
			return string(b), nil
		case c == '\\':
			i++
			if i >= len(data) {
				break
			}
			switch data[i] {
			case '\n':
				if i+1 < len(data) && data[i+1] == '\r' {
					i++
				}
			case '\r':
				if i+1 < len(data) && data[i+1] == '\n' {
					i++
				}
			default:
				b = p.appendChar(b, data, &i)
			}
		case p.lead != nil && p.lead(c) && i+1 < len(data):
			b = append(b, c, data[i+1])
			i++
		default:
			b = append(b, c)
		}
	}
	p.buf = b
	return "", p.errorAt(start, "unterminated property value: no ']' before end of input")
}

// appendChar appends the character at data[*i] (two bytes if it starts a
// two-byte character) and leaves *i on its last byte.
func (p *parser) appendChar(b, data []byte, i *int) []byte {
	c := data[*i]
	if p.lead != nil && p.lead(c) && *i+1 < len(data) {
		*i++
		return append(b, c, data[*i])
	}
	return append(b, c)
}

// internID returns common identifiers without allocating.
func internID(b []byte) string {
	switch len(b) {
	case 1:
		switch b[0] {
		case 'B':
			return "B"
		case 'W':
			return "W"
		case 'C':
			return "C"
		}
	case 2:
		switch string(b) {
		case "BL":
			return "BL"
		case "WL":
			return "WL"
		case "AB":
			return "AB"
		case "AW":
			return "AW"
		}
	}
	return string(b)
}

func hasHighBytes(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// validUTF8 returns s with invalid UTF-8 replaced by U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// sniffCA returns the value of the first thing in data that looks like a
// CA property ("CA[name]" not preceded by a letter), or "".
func sniffCA(data []byte) string {
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte("CA"))
		if i < 0 {
			return ""
		}
		i += off
		off = i + 2
		if i > 0 && isLetter(data[i-1]) {
			continue
		}
		j := i + 2
		for j < len(data) && isSpace(data[j]) {
			j++
		}
		if j >= len(data) || data[j] != '[' {
			continue
		}
		end := bytes.IndexByte(data[j:], ']')
		if end < 0 || end > 40 {
			continue
		}
		return string(data[j+1 : j+end])
	}
}
