package gtp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxReply bounds the bytes read for one reply, so that an engine writing
// garbage without newlines cannot make the client use unbounded memory.
const maxReply = 1 << 20

// reply is one parsed GTP response.
type reply struct {
	ok    bool   // '=' (true) or '?' (false)
	hasID bool   // the status line carried a numeric id
	id    int    // the id, when hasID
	text  string // the response text (see readReply)
}

// errBadReply marks output that is not a GTP response.
var errBadReply = errors.New("not a GTP response")

// readReply reads one response from r: a status line "=[id] text" or
// "?[id] text", any further lines, and the empty line that ends it.
//
// Lines are cleaned as GTP asks (CR and other control characters dropped,
// tabs turned into spaces). Empty lines before the status line are skipped.
// The text is the status line after the status character, id and
// separating spaces, then the further lines joined with "\n"; an empty
// first line in a multi-line response is dropped, and trailing white space
// is removed. The error is io.EOF if r ended before the response began,
// io.ErrUnexpectedEOF if it ended inside one, or wraps errBadReply.
func readReply(r *bufio.Reader) (reply, error) {
	n := 0
	var line string
	for {
		var err error
		line, err = readLine(r, &n)
		if err != nil {
			return reply{}, err
		}
		if strings.TrimSpace(line) != "" {
			break
		}
	}
	var rep reply
	switch line[0] {
	case '=':
		rep.ok = true
	case '?':
	default:
		return reply{}, fmt.Errorf("%w: line %q", errBadReply, line)
	}
	rest := line[1:]
	digits := 0
	for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
		digits++
	}
	if digits > 0 {
		id, err := strconv.Atoi(rest[:digits])
		if err != nil {
			return reply{}, fmt.Errorf("%w: bad id in %q", errBadReply, line)
		}
		rep.hasID, rep.id = true, id
		rest = rest[digits:]
	}
	if rest != "" && rest[0] != ' ' {
		return reply{}, fmt.Errorf("%w: line %q", errBadReply, line)
	}
	lines := []string{strings.TrimLeft(rest, " ")}
	for {
		l, err := readLine(r, &n)
		if err == io.EOF {
			return reply{}, io.ErrUnexpectedEOF
		}
		if err != nil {
			return reply{}, err
		}
		if strings.TrimSpace(l) == "" {
			break
		}
		lines = append(lines, l)
	}
	if lines[0] == "" && len(lines) > 1 {
		lines = lines[1:]
	}
	rep.text = strings.TrimRight(strings.Join(lines, "\n"), " \n")
	return rep, nil
}

// readLine reads one line without its newline, cleaned as GTP asks, and
// adds the bytes read to *n, failing once *n passes maxReply. A final line
// without a newline is returned with a nil error; io.EOF comes only when
// nothing was read.
func readLine(r *bufio.Reader, n *int) (string, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		*n += len(chunk)
		if *n > maxReply {
			return "", fmt.Errorf("%w: reply longer than %d bytes", errBadReply, maxReply)
		}
		buf = append(buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(buf) > 0 {
			break
		}
		if err != nil {
			return "", err
		}
		break
	}
	buf = bytes.TrimSuffix(buf, []byte("\n"))
	out := buf[:0]
	for _, b := range buf {
		switch {
		case b == '\t':
			out = append(out, ' ')
		case b < 32 || b == 127:
			// dropped, CR included
		default:
			out = append(out, b)
		}
	}
	return string(out), nil
}
