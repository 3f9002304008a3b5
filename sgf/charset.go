package sgf

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// Names Collection.Charset takes for the common cases.
const (
	charsetUTF8   = "UTF-8"
	charsetLatin1 = "ISO-8859-1"
)

// stripBOM removes a UTF-8 byte-order mark, or decodes UTF-16 text that
// starts with one. It returns the charset the BOM names ("" if none).
func stripBOM(data []byte) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], "UTF-8", nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		name := "UTF-16LE"
		if data[0] == 0xFE {
			name = "UTF-16BE"
		}
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		out, err := dec.Bytes(data)
		if err != nil {
			return nil, "", fmt.Errorf("sgf: decoding %s: %w", name, err)
		}
		return out, name, nil
	}
	return data, "", nil
}

// charset is a resolved CA value.
type charset struct {
	name string
	enc  encoding.Encoding // nil for UTF-8 (and ASCII, a subset)
	lead func(byte) bool   // lead byte of a two-byte character, or nil
}

func sjisLead(c byte) bool { return 0x81 <= c && c <= 0x9F || 0xE0 <= c && c <= 0xFC }
func dbcsLead(c byte) bool { return c >= 0x81 && c != 0xFF }

// Charsets known by their normalised name (lower case, no '-', '_', ' ').
var knownCharsets = map[string]charset{
	"utf8":        {name: charsetUTF8},
	"ascii":       {name: charsetUTF8},
	"usascii":     {name: charsetUTF8},
	"iso88591":    {name: charsetLatin1, enc: charmap.ISO8859_1},
	"latin1":      {name: charsetLatin1, enc: charmap.ISO8859_1},
	"l1":          {name: charsetLatin1, enc: charmap.ISO8859_1},
	"shiftjis":    {name: "Shift_JIS", enc: japanese.ShiftJIS, lead: sjisLead},
	"sjis":        {name: "Shift_JIS", enc: japanese.ShiftJIS, lead: sjisLead},
	"mskanji":     {name: "Shift_JIS", enc: japanese.ShiftJIS, lead: sjisLead},
	"cp932":       {name: "Shift_JIS", enc: japanese.ShiftJIS, lead: sjisLead},
	"windows31j":  {name: "Shift_JIS", enc: japanese.ShiftJIS, lead: sjisLead},
	"gb2312":      {name: "GBK", enc: simplifiedchinese.GBK, lead: dbcsLead},
	"gbk":         {name: "GBK", enc: simplifiedchinese.GBK, lead: dbcsLead},
	"cp936":       {name: "GBK", enc: simplifiedchinese.GBK, lead: dbcsLead},
	"euccn":       {name: "GBK", enc: simplifiedchinese.GBK, lead: dbcsLead},
	"gb18030":     {name: "GB18030", enc: simplifiedchinese.GB18030, lead: dbcsLead},
	"big5":        {name: "Big5", enc: traditionalchinese.Big5, lead: dbcsLead},
	"cp950":       {name: "Big5", enc: traditionalchinese.Big5, lead: dbcsLead},
	"euckr":       {name: "EUC-KR", enc: korean.EUCKR, lead: dbcsLead},
	"cp949":       {name: "EUC-KR", enc: korean.EUCKR, lead: dbcsLead},
	"ksc56011987": {name: "EUC-KR", enc: korean.EUCKR, lead: dbcsLead},
	"eucjp":       {name: "EUC-JP", enc: japanese.EUCJP, lead: dbcsLead},
}

// lookupCharset resolves a CA value. ok is false for an unknown name.
func lookupCharset(ca string) (charset, bool) {
	ca = strings.TrimSpace(ca)
	norm := strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', ' ', '.':
			return -1
		}
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, ca)
	if cs, ok := knownCharsets[norm]; ok {
		return cs, true
	}
	if strings.HasPrefix(norm, "utf16") || strings.HasPrefix(norm, "ucs2") {
		// Without a BOM Parse has already tokenised the bytes as ASCII;
		// UTF-16 text cannot be read that way.
		return charset{}, false
	}
	enc, err := htmlindex.Get(ca)
	if err != nil {
		enc, err = ianaindex.IANA.Encoding(ca)
	}
	if err != nil || enc == nil {
		return charset{}, false
	}
	name, err := htmlindex.Name(enc)
	if err != nil {
		name = ca
	}
	if enc == unicode.UTF8 {
		return charset{name: charsetUTF8}, true
	}
	// Unknown multi-byte tables: be safe and treat every high byte as
	// a lead byte only for the CJK families handled above.
	return charset{name: name, enc: enc}, true
}

// leadByteFunc returns the lead-byte test for a two-byte CA, or nil.
func leadByteFunc(ca string) func(byte) bool {
	cs, ok := lookupCharset(ca)
	if !ok {
		return nil
	}
	return cs.lead
}

// decodeCollection converts every value of c to UTF-8, following each
// game's root CA property, and rewrites those CA values to "UTF-8".
// text is the input after stripBOM; bomCharset is what the BOM said.
func decodeCollection(c *Collection, text []byte, bomCharset string) {
	valid := utf8.Valid(text)
	high := valid && hasHighBytes(text)
	for gi, root := range c.Games {
		cs := charset{name: charsetUTF8}
		ca, hasCA := root.Get("CA")
		switch {
		case bomCharset != "":
			cs.name = bomCharset
		case hasCA:
			known, ok := lookupCharset(ca)
			switch {
			case !ok:
				c.warnf("game %d: unknown charset CA[%s]; decoded as %s", gi+1, ca, fallbackName(valid))
				if !valid {
					cs = knownCharsets["latin1"]
				}
			case known.enc != nil && high:
				// Declared a legacy charset, but the text is valid UTF-8
				// with non-ASCII characters: it was re-encoded at some
				// point and the CA was not updated.
				c.warnf("game %d: CA[%s] but the text is valid UTF-8; decoded as UTF-8", gi+1, ca)
			default:
				cs = known
			}
		case !valid:
			c.warnf("game %d: no CA property and the text is not valid UTF-8; decoded as ISO-8859-1", gi+1)
			cs = knownCharsets["latin1"]
		}
		if cs.enc == nil && !valid {
			c.warnf("game %d: invalid UTF-8 replaced by U+FFFD", gi+1)
		}
		if gi == 0 {
			c.Charset = cs.name
		}
		if cs.enc != nil {
			dec := cs.enc.NewDecoder()
			mapValues(root, func(s string) string {
				if !needsDecoding(s) {
					return s
				}
				out, err := dec.String(s)
				if err != nil {
					return validUTF8(s)
				}
				return validUTF8(out)
			})
		} else if !valid {
			mapValues(root, validUTF8)
		}
		if hasCA {
			root.Set("CA", charsetUTF8)
		}
	}
}

func fallbackName(valid bool) string {
	if valid {
		return charsetUTF8
	}
	return charsetLatin1
}

func (c *Collection) warnf(format string, args ...any) {
	if len(c.Warnings) < maxWarnings {
		c.Warnings = append(c.Warnings, fmt.Sprintf(format, args...))
	}
}

func needsDecoding(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// mapValues replaces every value in the tree rooted at n by f(value).
func mapValues(n *Node, f func(string) string) {
	stack := []*Node{n}
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for i := range m.Props {
			for j, v := range m.Props[i].Values {
				m.Props[i].Values[j] = f(v)
			}
		}
		stack = append(stack, m.Children...)
	}
}
