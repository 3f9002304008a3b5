package selfplay

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tengen-go/tengen/internal/atomicfile"
	"github.com/tengen-go/tengen/nets"
)

// Dir is a self-play directory: the root of the layout described in the
// package doc. Several processes, on one machine or many sharing a POSIX
// file system, may use one Dir at once.
type Dir string

// Paths inside a Dir.
func (d Dir) Networks() string        { return filepath.Join(string(d), "networks") }
func (d Dir) Games() string           { return filepath.Join(string(d), "games") }
func (d Dir) SGF() string             { return filepath.Join(string(d), "sgf") }
func (d Dir) Train() string           { return filepath.Join(string(d), "train") }
func (d Dir) BestPath() string        { return filepath.Join(d.Networks(), "best") }
func (d Dir) LadderPath() string      { return filepath.Join(string(d), "gating.json") }
func (d Dir) LadderPNG() string       { return filepath.Join(string(d), "gating.png") }
func (d Dir) LoopPath() string        { return filepath.Join(string(d), "loop.json") }
func (d Dir) StopPath() string        { return filepath.Join(string(d), "stop") }
func (d Dir) TrainDir(gen int) string { return filepath.Join(d.Train(), NetworkName(gen)) }
func (d Dir) WeightsPath(gen int) string {
	return filepath.Join(d.Networks(), NetworkName(gen)+".weights")
}
func (d Dir) GameDir(network string) string { return filepath.Join(d.Games(), network) }

// NetworkName names generation gen's network: "gen-000003".
func NetworkName(gen int) string { return fmt.Sprintf("gen-%06d", gen) }

// ParseNetworkName is the inverse of NetworkName.
func ParseNetworkName(name string) (int, bool) {
	var g int
	if n, err := fmt.Sscanf(name, "gen-%06d", &g); err != nil || n != 1 || NetworkName(g) != name {
		return 0, false
	}
	return g, true
}

// Best is the content of networks/best: the network self-play workers use.
type Best struct {
	Generation int    `json:"generation"`
	Name       string `json:"name"`    // NetworkName(Generation)
	Weights    string `json:"weights"` // file name inside networks/
	ID         string `json:"id"`      // WeightsID of that file
	Time       string `json:"time"`    // when it became the best, RFC 3339
}

// ErrNoBest is returned by ReadBest when the directory has no best
// network yet.
var ErrNoBest = errors.New("selfplay: no best network (networks/best is missing)")

// ReadBest reads networks/best.
func (d Dir) ReadBest() (Best, error) {
	data, err := os.ReadFile(d.BestPath())
	if errors.Is(err, os.ErrNotExist) {
		return Best{}, ErrNoBest
	}
	if err != nil {
		return Best{}, fmt.Errorf("selfplay: %w", err)
	}
	var b Best
	if err := json.Unmarshal(data, &b); err != nil {
		return Best{}, fmt.Errorf("selfplay: %s: %w", d.BestPath(), err)
	}
	if b.Weights == "" || strings.ContainsAny(b.Weights, `/\`) || b.Name == "" {
		return Best{}, fmt.Errorf("selfplay: %s: no network named", d.BestPath())
	}
	return b, nil
}

// BestWeights returns the path of the best network's weights.
func (d Dir) BestWeights(b Best) string { return filepath.Join(d.Networks(), b.Weights) }

// SetBest makes b the best network (networks/best written atomically).
func (d Dir) SetBest(b Best) error {
	js, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(d.BestPath(), append(js, '\n'))
}

// Init makes the weights file at path generation 0 of a directory that has
// no best network yet: it copies the weights to networks/gen-000000.weights
// and points networks/best at them. Creating networks/best is atomic and
// exclusive (a hard link), so of several workers initialising one
// directory at once exactly one wins and all agree. When the directory
// already has a best network, Init returns it and created false.
func (d Dir) Init(path string) (b Best, created bool, err error) {
	if b, err := d.ReadBest(); err == nil || !errors.Is(err, ErrNoBest) {
		return b, false, err
	}
	w, err := nets.Load(path)
	if err != nil {
		return Best{}, false, err
	}
	if err := os.MkdirAll(d.Networks(), 0o755); err != nil {
		return Best{}, false, fmt.Errorf("selfplay: %w", err)
	}
	dst := d.WeightsPath(0)
	if _, err := os.Stat(dst); errors.Is(err, os.ErrNotExist) {
		if w.Meta == nil {
			w.Meta = map[string]string{}
		}
		w.Meta["selfplay.generation"] = "0"
		w.Meta["selfplay.source"] = path
		if err := nets.Save(dst, w); err != nil {
			return Best{}, false, err
		}
	}
	id, err := WeightsID(dst)
	if err != nil {
		return Best{}, false, err
	}
	b = Best{Generation: 0, Name: NetworkName(0), Weights: filepath.Base(dst), ID: id, Time: now()}
	js, _ := json.MarshalIndent(b, "", "  ")
	tmp, err := atomicfile.Temp(d.Networks(), "best", func(w io.Writer) error {
		_, err := w.Write(append(js, '\n'))
		return err
	})
	if err != nil {
		return Best{}, false, fmt.Errorf("selfplay: %w", err)
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, d.BestPath()); err != nil {
		if errors.Is(err, os.ErrExist) {
			b, err := d.ReadBest()
			return b, false, err
		}
		return Best{}, false, fmt.Errorf("selfplay: %w", err)
	}
	atomicfile.SyncDir(d.Networks())
	return b, true, nil
}

// WeightsID identifies a weights file by content: the first 12 hex digits
// of its SHA-256.
func WeightsID(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("selfplay: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("selfplay: %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

func now() string { return time.Now().UTC().Format(time.RFC3339) }

// isTemp reports whether a file name is a temporary file of
// internal/atomicfile (or starts with '.', which readers skip too).
func isTemp(name string) bool { return strings.HasPrefix(name, ".") }

// RemoveStaleTemps removes temporary files older than age under the
// games and sgf folders (left by killed workers) and returns how many.
func (d Dir) RemoveStaleTemps(age time.Duration) int {
	n := 0
	for _, top := range []string{d.Games(), d.SGF()} {
		subs, _ := os.ReadDir(top)
		for _, s := range subs {
			if !s.IsDir() {
				continue
			}
			files, _ := os.ReadDir(filepath.Join(top, s.Name()))
			for _, f := range files {
				if !atomicfile.IsTemp(f.Name()) {
					continue
				}
				if info, err := f.Info(); err == nil && time.Since(info.ModTime()) > age {
					if os.Remove(filepath.Join(top, s.Name(), f.Name())) == nil {
						n++
					}
				}
			}
		}
	}
	return n
}

// Namer makes file names unique across processes and machines sharing a
// directory: a UTC time stamp (so names sort by age), the host, the
// process id, a random token drawn once per Namer, and a counter.
type Namer struct {
	host  string
	pid   int
	token string
	n     atomic.Int64
}

// NewNamer returns a namer for this process.
func NewNamer() *Namer {
	host, _ := os.Hostname()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("selfplay: no randomness: " + err.Error())
	}
	return &Namer{host: sanitize(host), pid: os.Getpid(), token: hex.EncodeToString(b[:])}
}

// sanitize keeps letters and digits (at most 32), so names need no
// quoting anywhere.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 32 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "host"
	}
	return b.String()
}

// Next returns a new name, e.g. "20250101T120000.123Z-node1-4242-9f3a01bc-000007".
func (n *Namer) Next() string {
	c := n.n.Add(1)
	return fmt.Sprintf("%s-%s-%d-%s-%06d", time.Now().UTC().Format("20060102T150405.000Z"), n.host, n.pid, n.token, c)
}

// GameFile is one chunk file in the games folder.
type GameFile struct {
	Network string // the folder: the network that played
	Name    string // base name without ChunkExt
}

// Path returns the chunk's path in d.
func (f GameFile) Path(d Dir) string { return filepath.Join(d.GameDir(f.Network), f.Name+ChunkExt) }

// String returns "network/name".
func (f GameFile) String() string { return f.Network + "/" + f.Name }

// ListGames returns the chunk files of the directory, newest first: the
// network folders by generation (highest first), each folder's files by
// name (the time stamp) from the newest. Temporary files are ignored.
func (d Dir) ListGames() ([]GameFile, error) {
	nets, err := os.ReadDir(d.Games())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("selfplay: %w", err)
	}
	type folder struct {
		name string
		gen  int
	}
	var folders []folder
	for _, e := range nets {
		if !e.IsDir() || isTemp(e.Name()) {
			continue
		}
		g, ok := ParseNetworkName(e.Name())
		if !ok {
			g = -1 // other names (a fixed --weights network) sort last
		}
		folders = append(folders, folder{e.Name(), g})
	}
	sort.Slice(folders, func(i, j int) bool {
		if folders[i].gen != folders[j].gen {
			return folders[i].gen > folders[j].gen
		}
		return folders[i].name > folders[j].name
	})
	var out []GameFile
	for _, f := range folders {
		files, err := os.ReadDir(filepath.Join(d.Games(), f.name))
		if err != nil {
			return nil, fmt.Errorf("selfplay: %w", err)
		}
		var names []string
		for _, e := range files {
			if n := e.Name(); !isTemp(n) && strings.HasSuffix(n, ChunkExt) && e.Type().IsRegular() {
				names = append(names, strings.TrimSuffix(n, ChunkExt))
			}
		}
		sort.Sort(sort.Reverse(sort.StringSlice(names)))
		for _, n := range names {
			out = append(out, GameFile{Network: f.name, Name: n})
		}
	}
	return out, nil
}

// CountGames returns the number of chunk files in the directory.
func (d Dir) CountGames() (int, error) {
	fs, err := d.ListGames()
	return len(fs), err
}

// Stopped reports whether the directory's stop file exists: workers
// finish their games in flight and exit (the loop writes it when done).
func (d Dir) Stopped() bool {
	_, err := os.Stat(d.StopPath())
	return err == nil
}
