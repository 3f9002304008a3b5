package sgf

import "strings"

// Property is one property of a node: an identifier and its values.
// ID holds upper-case letters only (FF[1]-FF[3] lower-case letters are
// dropped by Parse: "VieW" becomes "VW"). Values are UTF-8 text with the
// SGF escapes already removed; a point list keeps compressed values such
// as "aa:cc" as written (see ExpandPoints).
type Property struct {
	ID     string
	Values []string
}

// Node is one node of a game tree. Props keeps the order of the file; an
// identifier appears at most once per node (Parse merges repeated
// identifiers, appending their values). Children[0] continues the main
// line; further children are variations.
type Node struct {
	Props    []Property
	Children []*Node
}

// Collection is the content of one SGF file: one root node per game tree.
type Collection struct {
	// Games holds the root node of every game tree, in file order.
	Games []*Node
	// Charset is the character set the text was decoded from ("UTF-8",
	// "ISO-8859-1", "Shift_JIS", ...); Parse rewrites every root CA
	// property to "UTF-8" because the tree now holds UTF-8 text.
	Charset string
	// Warnings lists recoverable oddities found while parsing (charset
	// fallbacks, dropped property names); they do not stop the parse.
	Warnings []string
}

// Get returns the first value of property id and whether the node has it.
func (n *Node) Get(id string) (string, bool) {
	for _, p := range n.Props {
		if p.ID == id {
			if len(p.Values) == 0 {
				return "", true
			}
			return p.Values[0], true
		}
	}
	return "", false
}

// Values returns all values of property id, or nil. The slice is the
// node's own: callers must not modify it.
func (n *Node) Values(id string) []string {
	for _, p := range n.Props {
		if p.ID == id {
			return p.Values
		}
	}
	return nil
}

// Has reports whether the node has property id.
func (n *Node) Has(id string) bool {
	_, ok := n.Get(id)
	return ok
}

// Set replaces the values of property id, adding the property at the end
// if the node lacks it. id must be one or more upper-case letters and
// values must be non-empty for the node to be writable.
func (n *Node) Set(id string, values ...string) {
	for i := range n.Props {
		if n.Props[i].ID == id {
			n.Props[i].Values = values
			return
		}
	}
	n.Props = append(n.Props, Property{ID: id, Values: values})
}

// Add appends values to property id, creating it if needed.
func (n *Node) Add(id string, values ...string) {
	for i := range n.Props {
		if n.Props[i].ID == id {
			n.Props[i].Values = append(n.Props[i].Values, values...)
			return
		}
	}
	n.Props = append(n.Props, Property{ID: id, Values: values})
}

// Delete removes property id from the node, if present.
func (n *Node) Delete(id string) {
	for i := range n.Props {
		if n.Props[i].ID == id {
			n.Props = append(n.Props[:i], n.Props[i+1:]...)
			return
		}
	}
}

// MainLine returns n and its first-child chain: the main line of the game
// whose root is n.
func (n *Node) MainLine() []*Node {
	var line []*Node
	for ; n != nil; n = firstChild(n) {
		line = append(line, n)
	}
	return line
}

func firstChild(n *Node) *Node {
	if len(n.Children) == 0 {
		return nil
	}
	return n.Children[0]
}

// Count returns the number of nodes in the tree rooted at n.
func (n *Node) Count() int {
	count := 0
	stack := []*Node{n}
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		count++
		stack = append(stack, m.Children...)
	}
	return count
}

// Equal reports whether the trees rooted at a and b have the same
// properties (same order, same values) and the same shape. It works
// without recursion, so trees thousands of levels deep are fine.
func Equal(a, b *Node) bool {
	type pair struct{ a, b *Node }
	stack := []pair{{a, b}}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if p.a == nil || p.b == nil {
			if p.a != p.b {
				return false
			}
			continue
		}
		if !equalProps(p.a.Props, p.b.Props) || len(p.a.Children) != len(p.b.Children) {
			return false
		}
		for i := range p.a.Children {
			stack = append(stack, pair{p.a.Children[i], p.b.Children[i]})
		}
	}
	return true
}

func equalProps(a, b []Property) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || len(a[i].Values) != len(b[i].Values) {
			return false
		}
		for j := range a[i].Values {
			if a[i].Values[j] != b[i].Values[j] {
				return false
			}
		}
	}
	return true
}

// ExpandPoints expands a list of point values, including FF[4] compressed
// rectangles ("aa:cc" = the nine points from aa to cc), into single
// two-letter points. Values are trimmed of surrounding space; an empty
// value is kept as "" (it means "no point" or pass). A malformed rectangle
// is returned unchanged for the caller to reject.
func ExpandPoints(values []string) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		v = strings.TrimSpace(v)
		a, b, ok := strings.Cut(v, ":")
		if !ok || len(a) != 2 || len(b) != 2 || !isLetter(a[0]) || !isLetter(a[1]) || !isLetter(b[0]) || !isLetter(b[1]) {
			out = append(out, v)
			continue
		}
		x0, x1 := minmax(a[0], b[0])
		y0, y1 := minmax(a[1], b[1])
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				out = append(out, string([]byte{x, y}))
			}
		}
	}
	return out
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func minmax(a, b byte) (byte, byte) {
	if a > b {
		return b, a
	}
	return a, b
}
