package selfplay

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/sgf"
)

func TestChunkRoundTrip(t *testing.T) {
	cfg := fastGameConfig(7)
	cfg.FastVisits, cfg.FullShare = 2, 0.5
	a, b := playoutGame(t, 1, cfg), playoutGame(t, 2, cfg)
	data, err := ChunkBytes(a, b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadChunk(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !reflect.DeepEqual(got[0], a) || !reflect.DeepEqual(got[1], b) {
		t.Fatalf("ReadChunk(WriteChunk(a, b)) differs:\n got %+v\nwant %+v", got[0], a)
	}
	for _, r := range got {
		if _, err := r.Replay(nil); err != nil {
			t.Fatal(err)
		}
	}
}

// rawChunk gzips text.
func rawChunk(text string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(text))
	zw.Close()
	return b.Bytes()
}

func TestReadChunkCorrupt(t *testing.T) {
	good := playoutGame(t, 3, fastGameConfig(7))
	data, err := ChunkBytes(good)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := good.AppendJSONLines(nil)
	if err != nil {
		t.Fatal(err)
	}
	text := string(lines)
	first := strings.SplitN(text, "\n", 2)[0]
	move1 := strings.SplitN(text, "\n", 3)[1]
	edit := func(old, new string) []byte { return rawChunk(strings.Replace(text, old, new, 1)) }
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not gzip", []byte("{\"format\":\"tengen-selfplay\"}\n"), "not gzip"},
		{"empty", nil, "not gzip"},
		{"truncated gzip", data[:len(data)*2/3], "truncated"},
		{"no trailer", data[:len(data)-4], "truncated"},
		{"no game", rawChunk(""), "no game"},
		{"bad json", rawChunk("{\"format\":\n"), "line 1"},
		{"unknown field", edit(`"version":3`, `"version":3,"extra":1`), "unknown field"},
		{"version", edit(`"version":3`, `"version":4`), "version 4"},
		{"version 0", edit(`"version":3`, `"version":0`), "version 0"},
		{"index gap", edit(`"d":[`, `"d":[999,1,`), "index gap"},
		{"format", edit(`"tengen-selfplay"`, `"other"`), "format"},
		{"size", edit(`"size":7`, `"size":99`), "board size"},
		{"rules", edit(`"rules":"chinese"`, `"rules":"klingon"`), "rules"},
		{"winner", edit(`"winner":"`+good.Winner.String()+`"`, `"winner":"X"`), "winner"},
		{"result", edit(`"result":"`+good.Result+`"`, `"result":"B+999"`), "result"},
		{"missing moves", rawChunk(first + "\n" + move1 + "\n"), "moves"},
		{"extra move lines", rawChunk(text + move1 + "\n"), "line"},
		{"move index", edit(`"m":`, `"m":-`+"1"+`0`), "move index"},
		{"colour", edit(`"c":"B"`, `"c":"Q"`), "colour"},
		{"z", edit(fmt.Sprintf(`"z":%d,`, int(good.Z(board.Black))), fmt.Sprintf(`"z":%d,`, 1-int(good.Z(board.Black)))), "result"},
		{"odd distribution", edit(`"d":[`, `"d":[1,`), "distribution"},
		{"gaps past the board", edit(`"d":[`, `"d":[45,1,3,1,`), "index"},
		{"winrate", edit(`"q":`, `"q":7`), "winrate"},
		{"long line", rawChunk(first + "\n" + strings.Repeat(" ", 2<<20) + "\n"), "line"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := ReadChunk(bytes.NewReader(tc.data))
			if err == nil {
				t.Fatalf("ReadChunk accepted it: %d games", len(recs))
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("error %v does not wrap ErrCorrupt", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestReplayChecksLegality(t *testing.T) {
	good := playoutGame(t, 4, fastGameConfig(7))
	var firstStone int
	for i, m := range good.Moves {
		if m.Point != board.Pass {
			firstStone = i
			break
		}
	}
	bad := *good
	bad.Moves = append([]Move(nil), good.Moves...)
	// The same point played twice.
	bad.Moves[firstStone+1].Point = bad.Moves[firstStone].Point
	if _, err := bad.Replay(nil); !errors.Is(err, ErrIllegal) {
		t.Errorf("occupied point: Replay error %v; want ErrIllegal", err)
	}
	bad = *good
	bad.Score += 2
	bad.Resigned = false
	if _, err := bad.Replay(nil); !errors.Is(err, ErrIllegal) && !good.Resigned {
		t.Errorf("wrong score: Replay error %v; want ErrIllegal", err)
	}
	bad = *good
	bad.Moves = append([]Move(nil), good.Moves...)
	bad.Moves[0].Color = board.White
	if _, err := bad.Replay(nil); !errors.Is(err, ErrIllegal) {
		t.Errorf("White first: Replay error %v; want ErrIllegal", err)
	}
}

func TestRecordSGF(t *testing.T) {
	r := playoutGame(t, 5, fastGameConfig(7))
	c, err := sgf.Parse(r.SGFBytes())
	if err != nil {
		t.Fatal(err)
	}
	g := sgf.Replay(c.Games[0])
	if g.Err != nil {
		t.Fatal(g.Err)
	}
	if g.Info.Size != 7 || g.Info.Result != r.Result || g.Moves != len(r.Moves) {
		t.Fatalf("SGF: size %d result %q moves %d; want 7, %q, %d", g.Info.Size, g.Info.Result, g.Moves, r.Result, len(r.Moves))
	}
	main := c.Games[0].MainLine()
	if cm, _ := main[1].Get("C"); !strings.Contains(cm, "winrate") || !strings.Contains(cm, "visits") {
		t.Errorf("first move's comment %q lacks the winrate", cm)
	}
}

// FuzzReadChunk: the chunk reader never panics and fails only with
// ErrCorrupt; what it accepts and Replay finds legal writes back to the
// same records. Inputs not starting with the gzip magic are gzipped first,
// so the fuzzer reaches the JSON lines too.
func FuzzReadChunk(f *testing.F) {
	cfg := fastGameConfig(7)
	cfg.FastVisits, cfg.FullShare = 2, 0.5
	r := playoutGame(f, 6, cfg)
	data, err := ChunkBytes(r)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:len(data)/2])
	lines, _ := r.AppendJSONLines(nil)
	f.Add(lines)
	f.Add(lines[:len(lines)/3])
	f.Add([]byte(`{"format":"tengen-selfplay","version":1,"id":"x","network":"n","network_id":"","size":2,"komi":0.5,"rules":"chinese","visits":1,"fast_visits":0,"seed":0,"time":"","winner":"W","result":"W+0.5","score":-0.5,"resigned":false,"no_resign":false,"would_resign":[0,0],"moves":2}
{"c":"B","m":4,"f":1,"n":1,"q":0.5,"z":-1,"d":[4,1]}
{"c":"W","m":4,"f":0,"n":1,"q":0.5,"z":1,"d":[]}
`))
	f.Add([]byte(`{"format":"tengen-selfplay","version":2,"id":"x","network":"n","network_id":"","size":2,"komi":0.5,"rules":"chinese","visits":1,"fast_visits":0,"seed":0,"time":"","winner":"W","result":"W+0.5","score":-0.5,"resigned":false,"no_resign":false,"would_resign":[0,0],"owner":"....","final_score":-0.5,"moves":2}
{"c":"B","m":4,"f":1,"n":1,"q":0.5,"z":-1,"d":[4,1]}
{"c":"W","m":4,"f":0,"n":1,"q":0.5,"z":1,"d":[]}
`))
	for _, old := range []string{"testdata/v1-7x7.json.gz", "testdata/v2-9x9.json.gz"} {
		if data, err := os.ReadFile(old); err == nil {
			f.Add(data)
		}
	}
	if r, err := deadStoneRecord(0.5); err == nil {
		if data, err := ChunkBytes(r); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			data = rawChunk(string(data))
		}
		recs, err := ReadChunk(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		for _, r := range recs {
			if _, err := r.Replay(nil); err != nil {
				return
			}
		}
		again, err := ChunkBytes(recs...)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ReadChunk(bytes.NewReader(again))
		if err != nil {
			t.Fatalf("rewritten chunk unreadable: %v", err)
		}
		if !reflect.DeepEqual(back, recs) {
			t.Fatalf("round trip changed the records")
		}
	})
}
