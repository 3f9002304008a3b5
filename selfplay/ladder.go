package selfplay

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/tengen-go/tengen/internal/atomicfile"
)

// LadderVersion is the version of gating.json.
const LadderVersion = 1

// Ladder is gating.json: every generation's gating result and the Elo
// ladder of the networks. Generation 0 (the start network) is rated 0; a
// candidate's rating is its opponent's rating plus the Elo it scored
// against it, so the promoted networks' ratings chain into a ladder.
type Ladder struct {
	Version     int           `json:"version"`
	Generations []LadderEntry `json:"generations"`
}

// LadderEntry is one generation's gating.
type LadderEntry struct {
	Generation  int    `json:"generation"`
	Candidate   string `json:"candidate"` // network name
	CandidateID string `json:"candidate_id"`
	Best        string `json:"best"` // the network it played
	BestID      string `json:"best_id"`
	Decision
	Rule       string  `json:"rule"`        // the gating rule, in words
	Rating     float64 `json:"rating"`      // the candidate's ladder rating
	BestRating float64 `json:"best_rating"` // its opponent's
	// The training data: games in the window and positions trained on.
	WindowGames int    `json:"window_games,omitempty"`
	TrainSteps  int64  `json:"train_steps,omitempty"`
	Time        string `json:"time"`
}

// LoadLadder reads gating.json; a missing file is an empty ladder.
func LoadLadder(path string) (*Ladder, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Ladder{Version: LadderVersion}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("selfplay: %w", err)
	}
	var l Ladder
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("selfplay: %s: %w", path, err)
	}
	if l.Version != LadderVersion {
		return nil, fmt.Errorf("selfplay: %s: version %d, want %d", path, l.Version, LadderVersion)
	}
	return &l, nil
}

// Save writes the ladder atomically.
func (l *Ladder) Save(path string) error {
	l.Version = LadderVersion
	js, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, append(js, '\n'))
}

// Entry returns generation gen's entry.
func (l *Ladder) Entry(gen int) (LadderEntry, bool) {
	for _, e := range l.Generations {
		if e.Generation == gen {
			return e, true
		}
	}
	return LadderEntry{}, false
}

// Set adds e, replacing an entry of the same generation, and keeps the
// entries in generation order.
func (l *Ladder) Set(e LadderEntry) {
	for i := range l.Generations {
		if l.Generations[i].Generation == e.Generation {
			l.Generations[i] = e
			return
		}
	}
	l.Generations = append(l.Generations, e)
	sort.Slice(l.Generations, func(i, j int) bool { return l.Generations[i].Generation < l.Generations[j].Generation })
}

// Rating returns a network's ladder rating: 0 for generation 0 or a
// network the ladder does not rate, else the rating it earned when
// promoted.
func (l *Ladder) Rating(name string) float64 {
	for _, e := range l.Generations {
		if e.Candidate == name && e.Promote {
			return e.Rating
		}
	}
	return 0
}

// MaxGeneration returns the highest generation with an entry (0: none).
func (l *Ladder) MaxGeneration() int {
	m := 0
	for _, e := range l.Generations {
		m = max(m, e.Generation)
	}
	return m
}

// Rule describes the gating rule of c in words.
func (c GateConfig) Rule() string {
	if c.SPRT {
		return fmt.Sprintf("SPRT elo0 %g elo1 %g alpha %g beta %g, at most %d games, then %.0f%%", c.Elo0, c.Elo1, c.Alpha, c.Beta, c.Games, 100*c.Threshold)
	}
	return fmt.Sprintf("%.0f%% of %d games", 100*c.Threshold, c.Games)
}
