package sgf

import (
	"bufio"
	"bytes"
	"io"
	"strings"
)

// Write writes c as SGF text in UTF-8: one line per game-tree opening,
// nodes of a sequence on one line each, values escaped ('\' before every
// ']' and '\'). It does not change CA properties; Parse has already set
// them to UTF-8. Parse(Write(c)) gives a tree Equal to c's for every c that
// Parse returned. Properties with no values are written with one empty
// value.
func Write(w io.Writer, c *Collection) error {
	bw := bufio.NewWriter(w)
	for _, g := range c.Games {
		writeTree(bw, g)
	}
	return bw.Flush()
}

// Marshal returns Write's output as bytes.
func Marshal(c *Collection) []byte {
	var b bytes.Buffer
	_ = Write(&b, c) // a bytes.Buffer does not fail
	return b.Bytes()
}

// writeTree writes the game tree rooted at root without recursion.
// Each stack entry is a node that opens a "(": close counts the ")" to
// write once its subtree is done.
func writeTree(w *bufio.Writer, root *Node) {
	type item struct {
		n     *Node
		close bool // write ")" instead of a subtree
	}
	stack := []item{{n: root}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.close {
			w.WriteString(")\n")
			continue
		}
		w.WriteByte('(')
		n := it.n
		for {
			writeNode(w, n)
			if len(n.Children) != 1 {
				break
			}
			n = n.Children[0]
		}
		if len(n.Children) > 0 {
			w.WriteByte('\n')
		}
		stack = append(stack, item{close: true})
		for i := len(n.Children) - 1; i >= 0; i-- {
			stack = append(stack, item{n: n.Children[i]})
		}
	}
}

func writeNode(w *bufio.Writer, n *Node) {
	w.WriteByte(';')
	for _, p := range n.Props {
		w.WriteString(p.ID)
		if len(p.Values) == 0 {
			w.WriteString("[]")
		}
		for _, v := range p.Values {
			w.WriteByte('[')
			writeEscaped(w, v)
			w.WriteByte(']')
		}
	}
}

func writeEscaped(w *bufio.Writer, v string) {
	for {
		i := strings.IndexAny(v, `]\`)
		if i < 0 {
			w.WriteString(v)
			return
		}
		w.WriteString(v[:i])
		w.WriteByte('\\')
		w.WriteByte(v[i])
		v = v[i+1:]
	}
}
