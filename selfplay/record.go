package selfplay

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/dataset"
	"github.com/tengen-go/tengen/nets"
)

// Chunk format identifiers (see the package doc).
const (
	ChunkFormat  = "tengen-selfplay"
	ChunkVersion = 3          // written; versions 1 (no counted end) and 2 (plain indices) still read
	ChunkExt     = ".json.gz" // chunk file names end so
)

// Limits of the chunk reader: anything larger is corrupt.
const (
	maxLineLen   = 1 << 20
	maxChunkLen  = 64 << 20 // decompressed
	maxChunkGame = 1 << 12  // games in one chunk
)

// ErrCorrupt is wrapped by every error about unreadable chunk data.
var ErrCorrupt = errors.New("selfplay: corrupt chunk")

// Record is one self-play game: its settings, every move with the root
// statistics of the search that chose it, and the result.
type Record struct {
	ID         string      // unique game name (the chunk's base name)
	Network    string      // name of the network that played, e.g. "gen-000003"
	NetworkID  string      // content hash of its weights file (WeightsID)
	Size       int         // board size
	Komi       float64     // komi
	Rules      string      // rules name (board.RulesByName)
	Visits     int         // root visits of a full search
	FastVisits int         // root visits of a fast search (0: every search was full)
	Seed       uint64      // the game's random seed
	Time       string      // when the game ended, RFC 3339
	Winner     board.Color // Black, White, or Empty for a draw
	Result     string      // SGF RE value: "B+R", "W+3.5", "0"
	// Score is the game's result by its rules: the Tromp-Taylor area
	// score of the final position (every stone on the board alive),
	// Black's area minus White's minus komi, which Winner and Result
	// follow; 0 if resigned.
	Score    float64
	Resigned bool // the loser resigned
	NoResign bool // resignation was disabled (false-positive check)
	// WouldResign is, for Black and White, the 1-based move number at
	// which that side's resignation rule fired in a game with NoResign
	// (0: never): a false positive when that side did not lose.
	WouldResign [2]int
	// Owner and FinalScore are the counted end of a game played to two
	// passes, the ownership and score targets of its positions: the final
	// position scored by dataset.Count (dead stones judged by playouts and
	// removed, then Tromp-Taylor area; the side to move first in the
	// playouts; dataset.DefaultFinalConfig), as for SGF games
	// (dataset.GameFinal). Owner holds per point of board.Points(Size) +1
	// where Black owns the point, -1 White, 0 neither; FinalScore is
	// Black's area minus White's minus komi so counted. It differs from
	// Score only by the dead stones left on the board, and a count whose
	// winner disagrees with Score's is not kept (dataset.ErrResultClash).
	// Owner is nil, and FinalScore 0, when there is no counted end:
	// resigned, cut by the move limit, a clash, or a version 1 chunk.
	Owner      []int8
	FinalScore float64
	Moves      []Move
}

// Final returns the record's counted end as dataset.Final (Dead not
// kept: nil), and false when it has none (Owner nil): its positions then
// have no ownership or score targets.
func (r *Record) Final() (dataset.Final, bool) {
	if r.Owner == nil {
		return dataset.Final{}, false
	}
	return dataset.Final{Size: r.Size, Owner: r.Owner, Score: r.FinalScore}, true
}

// setFinal counts g's final position (two passes) into r.Owner and
// r.FinalScore, unless the count's winner clashes with r.Score's.
func (r *Record) setFinal(g *board.Game) {
	f := dataset.Count(g.Position(), g.ToMove(), g.Komi(), dataset.DefaultFinalConfig())
	if finalClash(r.Score, f.Score) {
		return
	}
	r.Owner, r.FinalScore = f.Owner, f.Score
}

// finalClash reports whether a counted score disagrees with the game's
// score about the winner, as dataset.GameFinal judges a recorded result: a
// win needs a count with the same sign, a draw one within 2 points.
func finalClash(score, final float64) bool {
	switch scoreWinner(score) {
	case board.Black:
		return !(final > 0)
	case board.White:
		return !(final < 0)
	}
	return !(math.Abs(final) <= 2)
}

// ownerString writes an ownership as the header's "owner": 'B', 'W' or
// '.' per point; ok is false for a value other than +1, -1, 0.
func ownerString(owner []int8) (string, bool) {
	b := make([]byte, len(owner))
	for i, o := range owner {
		switch o {
		case 1:
			b[i] = 'B'
		case -1:
			b[i] = 'W'
		case 0:
			b[i] = '.'
		default:
			return "", false
		}
	}
	return string(b), true
}

// parseOwner reads a header's "owner" of size*size points.
func parseOwner(s string, size int) ([]int8, error) {
	if len(s) != size*size {
		return nil, fmt.Errorf("owner of %d points on %dx%d, want %d", len(s), size, size, size*size)
	}
	owner := make([]int8, len(s))
	for i := range len(s) {
		switch s[i] {
		case 'B':
			owner[i] = 1
		case 'W':
			owner[i] = -1
		case '.':
		default:
			return nil, fmt.Errorf("owner character %q at point %d (want B, W or .)", s[i], i)
		}
	}
	return owner, nil
}

// colorSign is +1 for Black, -1 for White, 0 otherwise: the ownership
// value of a live stone.
func colorSign(c board.Color) int8 {
	switch c {
	case board.Black:
		return 1
	case board.White:
		return -1
	}
	return 0
}

// ownerScore is the area score of an ownership: Black's points minus
// White's minus komi.
func ownerScore(owner []int8, komi float64) float64 {
	n := 0
	for _, o := range owner {
		n += int(o)
	}
	return float64(n) - komi
}

// Move is one move of a record with its search.
type Move struct {
	Color board.Color
	Point board.Point
	// Full is set for a full search (a training position); fast searches
	// of playout-cap randomisation only choose the move.
	Full bool
	// Visits is the root's visit count (reused ones included); Winrate
	// the root winrate of the chosen search for the mover, 0..1.
	Visits  int
	Winrate float64
	// Dist holds the visit counts of the root's visited moves (pass
	// included), by policy index (nets.MoveIndex).
	Dist []Visit
}

// sortDist puts a visit distribution in index order, the order of the
// chunks (version 3 writes index gaps) and of every Record in memory.
func sortDist(d []Visit) {
	slices.SortFunc(d, func(a, b Visit) int { return cmp.Compare(a.Index, b.Index) })
}

// Visit is one root move's visit count (8 bytes: a window holds many).
type Visit struct {
	Index  int32 // nets.MoveIndex of the move: row-major points, pass last
	Visits int32
}

// Z returns the game's result from the view of c: +1 win, -1 loss, 0 draw.
func (r *Record) Z(c board.Color) float32 {
	switch r.Winner {
	case board.Empty:
		return 0
	case c:
		return 1
	}
	return -1
}

// Positions returns the number of training positions (full searches).
func (r *Record) Positions() int {
	n := 0
	for i := range r.Moves {
		if r.Moves[i].Full {
			n++
		}
	}
	return n
}

// header is the first JSON line of a game in a chunk.
type header struct {
	Format      string  `json:"format"`
	Version     int     `json:"version"`
	ID          string  `json:"id"`
	Network     string  `json:"network"`
	NetworkID   string  `json:"network_id"`
	Size        int     `json:"size"`
	Komi        float64 `json:"komi"`
	Rules       string  `json:"rules"`
	Visits      int     `json:"visits"`
	FastVisits  int     `json:"fast_visits"`
	Seed        uint64  `json:"seed"`
	Time        string  `json:"time"`
	Winner      string  `json:"winner"` // "B", "W" or "" (draw)
	Result      string  `json:"result"`
	Score       float64 `json:"score"`
	Resigned    bool    `json:"resigned"`
	NoResign    bool    `json:"no_resign"`
	WouldResign [2]int  `json:"would_resign"`
	// From version 2: the counted end, both or neither (Record.Owner).
	Owner      string   `json:"owner,omitempty"`
	FinalScore *float64 `json:"final_score,omitempty"`
	Moves      int      `json:"moves"`
}

// moveLine is one move's JSON line.
type moveLine struct {
	C string  `json:"c"` // "B" or "W"
	M int     `json:"m"` // policy index of the move played
	F int     `json:"f"` // 1: full search
	N int     `json:"n"` // root visits
	Q float64 `json:"q"` // root winrate for the mover
	Z int     `json:"z"` // result for the mover
	// D holds the visit distribution as pairs, in increasing index
	// order: version 3 writes each index as its gap from the previous one
	// (the first from -1) less one, so 40, 41, 81 become 40, 0, 39;
	// versions 1 and 2 the indices themselves, in any order.
	D []int `json:"d"`
}

func colorString(c board.Color) string {
	switch c {
	case board.Black:
		return "B"
	case board.White:
		return "W"
	}
	return ""
}

func parseColor(s string) (board.Color, bool) {
	switch s {
	case "B":
		return board.Black, true
	case "W":
		return board.White, true
	case "":
		return board.Empty, true
	}
	return board.Empty, false
}

// AppendJSONLines appends r's lines (the header, then one line per move)
// to b.
func (r *Record) AppendJSONLines(b []byte) ([]byte, error) {
	h := header{
		Format: ChunkFormat, Version: ChunkVersion, ID: r.ID, Network: r.Network, NetworkID: r.NetworkID,
		Size: r.Size, Komi: r.Komi, Rules: r.Rules, Visits: r.Visits, FastVisits: r.FastVisits, Seed: r.Seed,
		Time: r.Time, Winner: colorString(r.Winner), Result: r.Result, Score: r.Score, Resigned: r.Resigned,
		NoResign: r.NoResign, WouldResign: r.WouldResign, Moves: len(r.Moves),
	}
	if r.Owner != nil {
		own, ok := ownerString(r.Owner)
		if !ok || len(r.Owner) != r.Size*r.Size {
			return nil, fmt.Errorf("selfplay: record %s: ownership of %d points with values other than -1, 0, +1 or not %dx%d", r.ID, len(r.Owner), r.Size, r.Size)
		}
		fs := r.FinalScore
		h.Owner, h.FinalScore = own, &fs
	}
	js, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("selfplay: record %s: %w", r.ID, err)
	}
	b = append(append(b, js...), '\n')
	for i := range r.Moves {
		m := &r.Moves[i]
		ml := moveLine{C: colorString(m.Color), M: nets.MoveIndex(m.Point, r.Size), N: m.Visits,
			Q: math.Round(m.Winrate*1e4) / 1e4, Z: int(r.Z(m.Color)), D: make([]int, 0, 2*len(m.Dist))}
		if m.Full {
			ml.F = 1
		}
		dist := slices.Clone(m.Dist)
		sortDist(dist)
		prev := -1
		for _, v := range dist {
			ml.D = append(ml.D, int(v.Index)-prev-1, int(v.Visits))
			prev = int(v.Index)
		}
		js, err := json.Marshal(ml)
		if err != nil {
			return nil, fmt.Errorf("selfplay: record %s move %d: %w", r.ID, i+1, err)
		}
		b = append(append(b, js...), '\n')
	}
	return b, nil
}

// WriteChunk writes the records as one chunk: gzip over their JSON lines.
func WriteChunk(w io.Writer, recs ...*Record) error {
	var lines []byte
	for _, r := range recs {
		var err error
		if lines, err = r.AppendJSONLines(lines); err != nil {
			return err
		}
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(lines); err != nil {
		return fmt.Errorf("selfplay: write chunk: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("selfplay: write chunk: %w", err)
	}
	return nil
}

// ChunkBytes returns the chunk of the records as bytes.
func ChunkBytes(recs ...*Record) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteChunk(&b, recs...); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// corrupt returns an error wrapping ErrCorrupt that says where.
func corrupt(line int, format string, args ...any) error {
	return fmt.Errorf("%w: line %d: %s", ErrCorrupt, line, fmt.Sprintf(format, args...))
}

// ReadChunk reads every game of a chunk (gzip over JSON lines). Any
// defect — not gzip, a truncated stream, a malformed or inconsistent line,
// an unknown version — is an error wrapping ErrCorrupt that names the
// line; nothing of a defective chunk is returned. The moves' legality is
// not checked here: Record.Replay does that.
func ReadChunk(r io.Reader) ([]*Record, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: not gzip: %v", ErrCorrupt, err)
	}
	zr.Multistream(false)
	text, err := io.ReadAll(io.LimitReader(zr, maxChunkLen+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: truncated gzip stream", ErrCorrupt)
		}
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if len(text) > maxChunkLen {
		return nil, fmt.Errorf("%w: more than %d bytes of JSON", ErrCorrupt, maxChunkLen)
	}
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), maxLineLen)
	var recs []*Record
	var cur *Record
	want, line, version := 0, 0, 0
	for sc.Scan() {
		line++
		text := sc.Bytes()
		if cur == nil || len(cur.Moves) == want {
			// A header.
			if cur != nil {
				recs = append(recs, cur)
			}
			if len(recs) >= maxChunkGame {
				return nil, corrupt(line, "more than %d games", maxChunkGame)
			}
			if cur, want, version, err = parseHeader(text, line); err != nil {
				return nil, err
			}
			continue
		}
		m, err := parseMove(text, line, cur, version)
		if err != nil {
			return nil, err
		}
		cur.Moves = append(cur.Moves, m)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: after line %d: %v", ErrCorrupt, line, err)
	}
	if cur == nil {
		return nil, fmt.Errorf("%w: no game", ErrCorrupt)
	}
	if len(cur.Moves) != want {
		return nil, fmt.Errorf("%w: game %s: %d of %d moves", ErrCorrupt, cur.ID, len(cur.Moves), want)
	}
	return append(recs, cur), nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func parseHeader(text []byte, line int) (*Record, int, int, error) {
	var h header
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, 0, 0, corrupt(line, "header: %v", err)
	}
	switch {
	case h.Format != ChunkFormat:
		return nil, 0, 0, corrupt(line, "format %q, want %q", h.Format, ChunkFormat)
	case h.Version < 1 || h.Version > ChunkVersion:
		return nil, 0, 0, corrupt(line, "version %d, want 1 to %d", h.Version, ChunkVersion)
	case h.Size < 2 || h.Size > board.MaxSize:
		return nil, 0, 0, corrupt(line, "board size %d", h.Size)
	case !finite(h.Komi) || math.Abs(h.Komi) > 1000 || !finite(h.Score) || math.Abs(h.Score) > 1000:
		return nil, 0, 0, corrupt(line, "komi %v, score %v", h.Komi, h.Score)
	case h.Moves < 0 || h.Moves > 4*h.Size*h.Size+16:
		return nil, 0, 0, corrupt(line, "%d moves on %dx%d", h.Moves, h.Size, h.Size)
	case h.Visits < 0 || h.FastVisits < 0:
		return nil, 0, 0, corrupt(line, "visits %d, fast visits %d", h.Visits, h.FastVisits)
	case h.WouldResign[0] < 0 || h.WouldResign[1] < 0 || h.WouldResign[0] > h.Moves || h.WouldResign[1] > h.Moves:
		return nil, 0, 0, corrupt(line, "would-resign moves %v", h.WouldResign)
	}
	if _, err := board.RulesByName(h.Rules); err != nil {
		return nil, 0, 0, corrupt(line, "rules %q", h.Rules)
	}
	winner, ok := parseColor(h.Winner)
	if !ok {
		return nil, 0, 0, corrupt(line, "winner %q", h.Winner)
	}
	r := &Record{
		ID: h.ID, Network: h.Network, NetworkID: h.NetworkID, Size: h.Size, Komi: h.Komi, Rules: h.Rules,
		Visits: h.Visits, FastVisits: h.FastVisits, Seed: h.Seed, Time: h.Time, Winner: winner, Result: h.Result,
		Score: h.Score, Resigned: h.Resigned, NoResign: h.NoResign, WouldResign: h.WouldResign,
		Moves: make([]Move, 0, min(h.Moves, 1024)),
	}
	if h.Resigned && (winner == board.Empty || h.Score != 0) || !h.Resigned && winner != scoreWinner(h.Score) {
		return nil, 0, 0, corrupt(line, "winner %q with score %v, resigned %v", h.Winner, h.Score, h.Resigned)
	}
	if want := resultString(winner, h.Score, h.Resigned); h.Result != want {
		return nil, 0, 0, corrupt(line, "result %q, want %q for winner %q, score %v, resigned %v", h.Result, want, h.Winner, h.Score, h.Resigned)
	}
	if err := parseFinal(&h, r); err != nil {
		return nil, 0, 0, corrupt(line, "%v", err)
	}
	return r, h.Moves, h.Version, nil
}

// parseFinal reads and checks the header's counted end into r.
func parseFinal(h *header, r *Record) error {
	switch {
	case h.Owner == "" && h.FinalScore == nil:
		return nil
	case h.Version < 2:
		return fmt.Errorf("owner or final_score in a version %d header", h.Version)
	case h.Owner == "" || h.FinalScore == nil:
		return fmt.Errorf("owner %q and final_score %v: both or neither", h.Owner, h.FinalScore)
	case h.Resigned:
		return fmt.Errorf("owner and final_score in a resigned game")
	}
	owner, err := parseOwner(h.Owner, h.Size)
	if err != nil {
		return err
	}
	fs := *h.FinalScore
	if want := ownerScore(owner, h.Komi); fs != want {
		return fmt.Errorf("final_score %v, the owner counts %v with komi %v", fs, want, h.Komi)
	}
	if finalClash(h.Score, fs) {
		return fmt.Errorf("final_score %v disagrees with score %v about the winner", fs, h.Score)
	}
	r.Owner, r.FinalScore = owner, fs
	return nil
}

func parseMove(text []byte, line int, r *Record, version int) (Move, error) {
	var ml moveLine
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ml); err != nil {
		return Move{}, corrupt(line, "move: %v", err)
	}
	moves := r.Size*r.Size + 1
	c, ok := parseColor(ml.C)
	switch {
	case !ok || c == board.Empty:
		return Move{}, corrupt(line, "colour %q", ml.C)
	case ml.M < 0 || ml.M >= moves:
		return Move{}, corrupt(line, "move index %d outside 0..%d", ml.M, moves-1)
	case ml.F != 0 && ml.F != 1:
		return Move{}, corrupt(line, "full %d", ml.F)
	case ml.N < 0 || !finite(ml.Q) || ml.Q < 0 || ml.Q > 1:
		return Move{}, corrupt(line, "visits %d, winrate %v", ml.N, ml.Q)
	case float32(ml.Z) != r.Z(c):
		return Move{}, corrupt(line, "result %d for %s; the game's winner is %q", ml.Z, ml.C, colorString(r.Winner))
	case len(ml.D)%2 != 0 || len(ml.D) > 2*moves:
		return Move{}, corrupt(line, "distribution of %d values", len(ml.D))
	case ml.F == 1 && len(ml.D) == 0:
		return Move{}, corrupt(line, "full search without a visit distribution")
	}
	m := Move{Color: c, Point: nets.IndexMove(ml.M, r.Size), Full: ml.F == 1, Visits: ml.N, Winrate: ml.Q,
		Dist: make([]Visit, 0, len(ml.D)/2)}
	seen := map[int]bool{}
	prev := -1
	for i := 0; i < len(ml.D); i += 2 {
		idx, n := ml.D[i], ml.D[i+1]
		if version >= 3 {
			if idx < 0 || idx >= moves {
				return Move{}, corrupt(line, "distribution entry %d: index gap %d", i/2, idx)
			}
			idx += prev + 1
			prev = idx
		}
		if idx < 0 || idx >= moves || n <= 0 || n > math.MaxInt32 || seen[idx] {
			return Move{}, corrupt(line, "distribution entry %d: index %d, visits %d", i/2, idx, n)
		}
		seen[idx] = true
		m.Dist = append(m.Dist, Visit{Index: int32(idx), Visits: int32(n)})
	}
	sortDist(m.Dist) // one order in memory whatever the version
	return m, nil
}

// scoreWinner is the winner of a scored game.
func scoreWinner(score float64) board.Color {
	switch {
	case score > 0:
		return board.Black
	case score < 0:
		return board.White
	}
	return board.Empty
}

// resultString is the SGF RE value of a result.
func resultString(winner board.Color, score float64, resigned bool) string {
	switch {
	case winner == board.Empty:
		return "0"
	case resigned:
		return colorString(winner) + "+R"
	}
	return colorString(winner) + "+" + strings.TrimSuffix(fmt.Sprintf("%g", math.Abs(score)), ".0")
}

// ErrIllegal is wrapped by Replay's errors for a record whose moves do not
// form a legal game.
var ErrIllegal = errors.New("selfplay: illegal record")

// Replay plays the record's moves on a new game, calling fn (if not nil)
// before each move with the game as it stands and the move's index. It
// checks that the moves are legal, alternate, that the game ends where the
// record says (two passes, the resignation, or any move count otherwise),
// that a scored result matches the final position, and that a counted end
// (Owner) follows from the final position after two passes: removing the
// stones that Owner does not give to their colour (the dead ones) leaves a
// position whose Tromp-Taylor owners are Owner, and FinalScore is their
// count minus komi (the playouts' verdict itself is not recomputed); the
// errors wrap ErrIllegal. fn must not change the game; its error ends the replay and is
// returned as is.
func (r *Record) Replay(fn func(g *board.Game, i int) error) (*board.Game, error) {
	rules, err := board.RulesByName(r.Rules)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrIllegal, r.ID, err)
	}
	g, err := board.NewGame(r.Size, r.Komi, rules)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrIllegal, r.ID, err)
	}
	for i := range r.Moves {
		m := &r.Moves[i]
		if g.Over() {
			return nil, fmt.Errorf("%w: %s: move %d after the game ended", ErrIllegal, r.ID, i+1)
		}
		if m.Color != g.ToMove() {
			return nil, fmt.Errorf("%w: %s: move %d by %s, %s to move", ErrIllegal, r.ID, i+1, m.Color, g.ToMove())
		}
		if fn != nil {
			if err := fn(g, i); err != nil {
				return nil, err
			}
		}
		if err := g.Play(m.Color, m.Point); err != nil {
			return nil, fmt.Errorf("%w: %s: move %d %s %s: %v", ErrIllegal, r.ID, i+1, m.Color, m.Point.GTP(r.Size), err)
		}
	}
	if !r.Resigned {
		if s := g.Score(); s != r.Score {
			return nil, fmt.Errorf("%w: %s: final score %v, the record says %v", ErrIllegal, r.ID, s, r.Score)
		}
	}
	if r.Owner != nil {
		if err := r.checkFinal(g); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrIllegal, r.ID, err)
		}
	}
	return g, nil
}

// checkFinal checks r's counted end against g, the game replayed.
func (r *Record) checkFinal(g *board.Game) error {
	switch {
	case r.Resigned || !g.Over():
		return errors.New("a counted end of a game that did not end with two passes")
	case len(r.Owner) != r.Size*r.Size:
		return fmt.Errorf("ownership of %d points, want %d", len(r.Owner), r.Size*r.Size)
	case r.FinalScore != ownerScore(r.Owner, r.Komi):
		return fmt.Errorf("final score %v, the ownership counts %v", r.FinalScore, ownerScore(r.Owner, r.Komi))
	case finalClash(r.Score, r.FinalScore):
		return fmt.Errorf("final score %v disagrees with score %v about the winner", r.FinalScore, r.Score)
	}
	p := *g.Position()
	var dead []board.Point
	for i, pt := range board.Points(r.Size) {
		if c := p.At(pt); c != board.Empty && colorSign(c) != r.Owner[i] {
			dead = append(dead, pt)
		}
	}
	if len(dead) > 0 {
		if err := p.Place(board.Empty, dead); err != nil {
			return fmt.Errorf("removing the dead stones: %v", err)
		}
	}
	for i, o := range p.AreaOwners(nil) {
		if o != r.Owner[i] {
			return fmt.Errorf("ownership of %s is %d; the final position without its dead stones gives %d",
				board.Points(r.Size)[i].GTP(r.Size), r.Owner[i], o)
		}
	}
	return nil
}
