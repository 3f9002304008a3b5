package gtp

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadReply(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want reply
		err  error // nil, io.EOF, io.ErrUnexpectedEOF or errBadReply
	}{
		{"empty success", "=\n\n", reply{ok: true}, nil},
		{"text", "= 2\n\n", reply{ok: true, text: "2"}, nil},
		{"id", "=17 A1 B2\n\n", reply{ok: true, hasID: true, id: 17, text: "A1 B2"}, nil},
		{"id no text", "=3\n\n", reply{ok: true, hasID: true, id: 3}, nil},
		{"failure", "? illegal move\n\n", reply{text: "illegal move"}, nil},
		{"failure id", "?4 unknown command\n\n", reply{hasID: true, id: 4, text: "unknown command"}, nil},
		{"multi-line", "= first\n second\nthird\n\n", reply{ok: true, text: "first\n second\nthird"}, nil},
		{"multi-line empty first", "= \n   A B\n 2 . .\n\n", reply{ok: true, text: "   A B\n 2 . ."}, nil},
		{"CR LF and tab", "=\tx\r\ny\r\n\r\n", reply{ok: true, text: "x\ny"}, nil},
		{"blank lines first", "\n\n  \n= x\n\n", reply{ok: true, text: "x"}, nil},
		{"trailing spaces", "= x   \n\n", reply{ok: true, text: "x"}, nil},
		{"spaces-only line ends", "= x\n  \n= y\n\n", reply{ok: true, text: "x"}, nil},
		{"nothing", "", reply{}, io.EOF},
		{"only blank", "\n\n", reply{}, io.EOF},
		{"cut short", "= x\n", reply{}, io.ErrUnexpectedEOF},
		{"cut short no newline", "= x", reply{}, io.ErrUnexpectedEOF},
		{"garbage", "hello\n\n", reply{}, errBadReply},
		{"glued text", "=x\n\n", reply{}, errBadReply},
		{"huge", "= " + strings.Repeat("x", maxReply+10), reply{}, errBadReply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readReply(bufio.NewReaderSize(strings.NewReader(tt.in), 16))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("readReply(%.40q) error = %v; want %v", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("readReply(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestReadReplySequence(t *testing.T) {
	r := bufio.NewReader(strings.NewReader("=1 a\n\n?2 b\n\n= c\nd\n\n"))
	for _, want := range []string{"a", "b", "c\nd"} {
		got, err := readReply(r)
		if err != nil || got.text != want {
			t.Fatalf("readReply = %+v, %v; want text %q", got, err, want)
		}
	}
	if _, err := readReply(r); err != io.EOF {
		t.Fatalf("readReply at end: %v; want EOF", err)
	}
}

func FuzzReadReply(f *testing.F) {
	for _, s := range []string{"= 2\n\n", "=17 A1\n\n", "? no\n\n", "= \na\nb\n\n", "\r\n=\t1\r\n\r\n", "x", "=9999999999999999999999 a\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rep, err := readReply(bufio.NewReaderSize(strings.NewReader(in), 16))
		if err != nil {
			return
		}
		if strings.TrimRight(rep.text, " \n") != rep.text {
			t.Errorf("text %q has trailing white space", rep.text)
		}
		for _, b := range []byte(rep.text) {
			if (b < 32 && b != '\n') || b == 127 {
				t.Errorf("text %q holds control character %#x", rep.text, b)
			}
		}
		if rep.hasID && rep.id < 0 {
			t.Errorf("negative id %d", rep.id)
		}
	})
}
