package sgf

import (
	"fmt"
	"strings"
	"testing"
)

// benchGame is a 250-move 19x19 record in the KGS style.
var benchGame = func() []byte {
	var b strings.Builder
	b.WriteString("(;GM[1]FF[4]CA[UTF-8]SZ[19]KM[6.50]RU[Japanese]PB[black]PW[white]RE[W+R]\n")
	for i := 0; i < 250; i++ {
		c := "B"
		if i%2 == 1 {
			c = "W"
		}
		fmt.Fprintf(&b, ";%s[%c%c]%sL[%d.5]", c, 'a'+i%19, 'a'+(i*7)%19, c, 600-i)
	}
	b.WriteString(")\n")
	return []byte(b.String())
}()

// BenchmarkParse reports games/s and MB/s for parsing a typical record.
func BenchmarkParse(b *testing.B) {
	b.SetBytes(int64(len(benchGame)))
	for b.Loop() {
		if _, err := Parse(benchGame); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "games/s")
}

// BenchmarkWrite reports MB/s for writing the same record.
func BenchmarkWrite(b *testing.B) {
	c, err := Parse(benchGame)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchGame)))
	for b.Loop() {
		Marshal(c)
	}
}
