package dataset

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ValueLabels holds a search's judgement of game-record positions: for a
// game ID and a 1-based move number, the winrate in [0, 1] of the side to
// play that move, as a search found it before the move (AlphaGo trained
// its value on the results of games a stronger player finished; a search's
// winrate is the cheaper stand-in, as in the z+q value targets of
// AlphaZero replications). Examples mixes it into the value target
// (ExampleConfig.Labels).
type ValueLabels struct {
	m     map[labelKey]float32
	games map[string]bool // the games with a labelled position
}

type labelKey struct {
	game string
	move int
}

// Len is the number of labelled positions.
func (l *ValueLabels) Len() int {
	if l == nil {
		return 0
	}
	return len(l.m)
}

// Games is the number of games with a labelled position.
func (l *ValueLabels) Games() int {
	if l == nil {
		return 0
	}
	return len(l.games)
}

// Get returns the winrate label of a game's move, if there is one.
func (l *ValueLabels) Get(game string, move int) (float32, bool) {
	if l == nil {
		return 0, false
	}
	q, ok := l.m[labelKey{game, move}]
	return q, ok
}

// HasGame reports whether a game has a labelled position.
func (l *ValueLabels) HasGame(game string) bool {
	return l != nil && l.games[game]
}

// Set labels a game's move with a winrate in [0, 1] (a later label of the
// same position replaces an earlier one).
func (l *ValueLabels) Set(game string, move int, winrate float32) error {
	if game == "" || move < 1 || !(winrate >= 0 && winrate <= 1) {
		return fmt.Errorf("dataset: bad value label %q move %d winrate %v", game, move, winrate)
	}
	if l.m == nil {
		l.m = map[labelKey]float32{}
		l.games = map[string]bool{}
	}
	l.games[game] = true
	l.m[labelKey{game, move}] = winrate
	return nil
}

// labelLine is one line of a value-label file. A line names its position
// either with game and move or with key "GAME@MOVE" (the form
// scripts/value-ceiling writes), and its label with winrate or mover
// (the same: the side to move's winrate); a line whose label is null (the
// search gave none) is skipped.
type labelLine struct {
	Game    string   `json:"game"`
	Move    int      `json:"move"`
	Key     string   `json:"key"`
	Winrate *float64 `json:"winrate"`
	Mover   *float64 `json:"mover"`
}

// ReadValueLabels reads value labels from JSON lines (see labelLine), as
// written by scripts/value-ceiling search: one object a line, blank lines
// skipped. A last line cut short (a labelling job killed mid-write) is
// ignored; any other bad line is an error naming the file and line.
func ReadValueLabels(l *ValueLabels, r io.Reader, name string) error {
	br := bufio.NewReaderSize(r, 1<<16)
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("dataset: %s: %w", name, err)
		}
		last := errors.Is(err, io.EOF)
		if s := strings.TrimSpace(line); s != "" {
			if perr := parseLabelLine(l, s); perr != nil {
				var syntax *json.SyntaxError
				if last && !strings.HasSuffix(line, "\n") && (errors.As(perr, &syntax) || errors.Is(perr, io.ErrUnexpectedEOF)) {
					return nil // cut short: the writer was killed mid-line
				}
				return fmt.Errorf("dataset: %s line %d: %w", name, n, perr)
			}
		}
		if last {
			return nil
		}
	}
}

func parseLabelLine(l *ValueLabels, s string) error {
	var ll labelLine
	if err := json.Unmarshal([]byte(s), &ll); err != nil {
		return err
	}
	game, move := ll.Game, ll.Move
	if ll.Key != "" && game == "" {
		i := strings.LastIndexByte(ll.Key, '@')
		if i < 0 {
			return fmt.Errorf("key %q: want GAME@MOVE", ll.Key)
		}
		m, err := strconv.Atoi(ll.Key[i+1:])
		if err != nil {
			return fmt.Errorf("key %q: want GAME@MOVE", ll.Key)
		}
		game, move = ll.Key[:i], m
	}
	w := ll.Winrate
	if w == nil {
		w = ll.Mover
	}
	if w == nil {
		if game == "" || move < 1 {
			return fmt.Errorf("no position (game and move, or key)")
		}
		return nil // the search gave no winrate
	}
	return l.Set(game, move, float32(*w))
}

// LoadValueLabels reads the value-label files at paths into one set
// (gzip-compressed where a name ends in .gz).
func LoadValueLabels(paths ...string) (*ValueLabels, error) {
	l := &ValueLabels{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
		var r io.Reader = f
		if strings.HasSuffix(p, ".gz") {
			zr, zerr := gzip.NewReader(f)
			if zerr != nil {
				f.Close()
				return nil, fmt.Errorf("dataset: %s: %w", p, zerr)
			}
			r = zr
		}
		err = ReadValueLabels(l, r, p)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return l, nil
}

// MixValue is the z+q value target: (1-w)*z + w*(2q-1), z the game's
// result for the mover (-1..1), q a search's winrate for the mover (0..1),
// w the weight of the search (self-play records' root winrate, or
// ValueLabels).
func MixValue(z float32, q, w float64) float32 {
	return float32((1-w)*float64(z) + w*(2*q-1))
}
