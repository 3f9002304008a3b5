package train

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/tengen-go/tengen/internal/atomicfile"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/tape"
)

// StateVersion is the version of the checkpoint JSON that this package
// writes and reads.
const StateVersion = 1

// State is a checkpoint's JSON file: everything besides the weights and
// the shuffle buffer that resuming needs.
type State struct {
	Version int `json:"version"`
	// Step is the number of steps taken; Positions the examples trained
	// on (Step times the batch size).
	Step      int64 `json:"step"`
	Positions int64 `json:"positions"`
	// Data is the position of the next example to read from the source;
	// Read counts the examples read so far (trained on or in the buffer).
	Data Position `json:"data"`
	Read int64    `json:"read"`
	// Seconds of training so far, over every session.
	Seconds float64 `json:"seconds"`
	// Shuffle is the shuffle-draw generator (math/rand/v2 PCG, binary).
	Shuffle []byte `json:"shuffle"`
	// Optimizer is the trainer's state (tape.TrainerState) with its slots
	// stored as little-endian float32 bytes.
	Optimizer optimizerState `json:"optimizer"`
	// LearningRate of the last step (informational; the schedule decides).
	LearningRate float64 `json:"learning_rate"`
	// Weights and Buffer name the checkpoint's other files in the same
	// directory; Buffer is empty when the buffer was not saved.
	Weights string `json:"weights"`
	Buffer  string `json:"buffer,omitempty"`
	BufferN int    `json:"buffer_items,omitempty"`
}

type optimizerState struct {
	Optimizer string      `json:"optimizer"`
	Steps     int64       `json:"steps"`
	RNG       []byte      `json:"rng"`
	Slots     []slotBytes `json:"slots"`
}

type slotBytes struct {
	Name string   `json:"name"`
	Data [][]byte `json:"data"`
}

func fromTrainerState(s tape.TrainerState) optimizerState {
	o := optimizerState{Optimizer: s.Optimizer, Steps: s.Steps, RNG: s.RNG}
	for _, sl := range s.Slots {
		b := slotBytes{Name: sl.Name}
		for _, d := range sl.Data {
			b.Data = append(b.Data, float32Bytes(d))
		}
		o.Slots = append(o.Slots, b)
	}
	return o
}

func (o optimizerState) trainerState() (tape.TrainerState, error) {
	s := tape.TrainerState{Optimizer: o.Optimizer, Steps: o.Steps, RNG: o.RNG}
	for _, sl := range o.Slots {
		t := tape.Slots{Name: sl.Name}
		for _, d := range sl.Data {
			f, err := bytesFloat32(d)
			if err != nil {
				return s, fmt.Errorf("slot %s: %w", sl.Name, err)
			}
			t.Data = append(t.Data, f)
		}
		s.Slots = append(s.Slots, t)
	}
	return s, nil
}

// SWAFile is the name of the averaged weights in a run's directory
// (Config.SWAFrom).
const SWAFile = "swa.weights"

// updateSWA adds w, the weights of the checkpoint at step, to the running
// mean in dir/swa.weights, unless that mean already holds a step at or
// after it (a resumed run passing a checkpoint again). It is written
// before the checkpoint itself, so a run killed in between resumes from
// the previous checkpoint and meets this step again, already counted.
func updateSWA(dir string, w *nets.Weights, step, from int64) error {
	path := filepath.Join(dir, SWAFile)
	var n, last int64
	old, err := nets.Load(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		old = nil
	case err != nil:
		return err
	default:
		if n, err = strconv.ParseInt(old.Meta["swa.snapshots"], 10, 64); err != nil || n < 1 {
			return fmt.Errorf("%s: bad swa.snapshots %q", path, old.Meta["swa.snapshots"])
		}
		if last, err = strconv.ParseInt(old.Meta["swa.last_step"], 10, 64); err != nil {
			return fmt.Errorf("%s: bad swa.last_step %q", path, old.Meta["swa.last_step"])
		}
		if step <= last {
			return nil
		}
	}
	avg := old
	if avg == nil {
		avg = w.Clone()
	} else {
		if err := nets.AddToMean(avg, w, n); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		avg.Meta = maps.Clone(w.Meta)
	}
	for k := range avg.Meta {
		if strings.HasPrefix(k, "train.validation_") { // the snapshot's, not the mean's
			delete(avg.Meta, k)
		}
	}
	avg.Meta["swa.snapshots"] = strconv.FormatInt(n+1, 10)
	avg.Meta["swa.from"] = strconv.FormatInt(from, 10)
	avg.Meta["swa.last_step"] = strconv.FormatInt(step, 10)
	return nets.Save(path, avg)
}

// checkpointName is the base name (without extension) of step's files.
func checkpointName(step int64) string { return fmt.Sprintf("ckpt-%08d", step) }

// saveCheckpoint writes the checkpoint files of st (weights, buffer, JSON,
// then latest.weights and latest) and removes checkpoints beyond keep.
func saveCheckpoint(dir string, st *State, w *nets.Weights, buf []item, keep int) error {
	name := checkpointName(st.Step)
	st.Version = StateVersion
	st.Weights = name + ".weights"
	if err := nets.Save(filepath.Join(dir, st.Weights), w); err != nil {
		return err
	}
	st.Buffer, st.BufferN = "", 0
	if buf != nil {
		st.Buffer, st.BufferN = name+".buffer", len(buf)
		if err := atomicfile.Write(filepath.Join(dir, st.Buffer), func(w io.Writer) error { return writeBuffer(w, buf) }); err != nil {
			return fmt.Errorf("train: checkpoint buffer: %w", err)
		}
	}
	js, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, name+".json"), append(js, '\n')); err != nil {
		return fmt.Errorf("train: checkpoint state: %w", err)
	}
	if err := nets.Save(filepath.Join(dir, "latest.weights"), w); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, "latest"), []byte(name+".json\n")); err != nil {
		return fmt.Errorf("train: checkpoint latest: %w", err)
	}
	return prune(dir, keep)
}

// Checkpoints returns the steps of the checkpoints in dir whose JSON file
// exists, in increasing order.
func Checkpoints(dir string) ([]int64, error) {
	files, err := filepath.Glob(filepath.Join(dir, "ckpt-*.json"))
	if err != nil {
		return nil, err
	}
	var steps []int64
	for _, f := range files {
		var s int64
		if _, err := fmt.Sscanf(filepath.Base(f), "ckpt-%d.json", &s); err == nil && checkpointName(s)+".json" == filepath.Base(f) {
			steps = append(steps, s)
		}
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i] < steps[j] })
	return steps, nil
}

// RemoveCheckpoints deletes every checkpoint in dir, its "latest"
// pointer and weights and the averaged weights, once a run's result is
// saved elsewhere; metrics and pictures stay. A run in dir then starts
// again from step 0.
func RemoveCheckpoints(dir string) error {
	// "latest" first: without it the checkpoints are only looked up.
	for _, f := range []string{"latest", "latest.weights", SWAFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return prune(dir, 0)
}

func prune(dir string, keep int) error {
	steps, err := Checkpoints(dir)
	if err != nil {
		return err
	}
	for len(steps) > keep {
		name := checkpointName(steps[0])
		// The JSON file goes first: without it the others are ignored.
		for _, ext := range []string{".json", ".weights", ".buffer"} {
			if err := os.Remove(filepath.Join(dir, name+ext)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		steps = steps[1:]
	}
	return nil
}

// Checkpoint is a loaded checkpoint.
type Checkpoint struct {
	State   State
	Weights *nets.Weights
	// Buffer holds the shuffle buffer, or nil if it was not saved or could
	// not be read (BufferErr says why).
	buffer    []item
	BufferErr error
}

// LoadCheckpoint reads the checkpoint of the given step from dir.
func LoadCheckpoint(dir string, step int64) (*Checkpoint, error) {
	path := filepath.Join(dir, checkpointName(step)+".json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Checkpoint
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c.State); err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	if c.State.Version != StateVersion || c.State.Step != step {
		return nil, fmt.Errorf("train: %s: version %d, step %d", path, c.State.Version, c.State.Step)
	}
	if c.Weights, err = nets.Load(filepath.Join(dir, c.State.Weights)); err != nil {
		return nil, err
	}
	if c.State.Buffer != "" {
		c.buffer, c.BufferErr = readBufferFile(filepath.Join(dir, c.State.Buffer))
		if c.BufferErr == nil && len(c.buffer) != c.State.BufferN {
			c.buffer, c.BufferErr = nil, fmt.Errorf("%w: %d items, state says %d", ErrBuffer, len(c.buffer), c.State.BufferN)
		}
	}
	return &c, nil
}

// LatestState reads the JSON state of the checkpoint named by dir's
// "latest" file (not its weights or buffer; see LoadLatest for a checked
// load with fallbacks).
func LatestState(dir string) (State, error) {
	var st State
	b, err := os.ReadFile(filepath.Join(dir, "latest"))
	if err != nil {
		return st, err
	}
	data, err := os.ReadFile(filepath.Join(dir, strings.TrimSpace(string(b))))
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, fmt.Errorf("train: %s: %w", dir, err)
	}
	return st, nil
}

// LoadLatest reads the newest readable checkpoint in dir: the one named by
// "latest", else the highest-numbered that loads. It returns
// os.ErrNotExist (wrapped) when dir holds none.
func LoadLatest(dir string) (*Checkpoint, error) {
	if b, err := os.ReadFile(filepath.Join(dir, "latest")); err == nil {
		var s int64
		name := strings.TrimSpace(string(b))
		if _, err := fmt.Sscanf(name, "ckpt-%d.json", &s); err == nil {
			if c, err := LoadCheckpoint(dir, s); err == nil {
				return c, nil
			}
		}
	}
	steps, err := Checkpoints(dir)
	if err != nil {
		return nil, err
	}
	var firstErr error
	for i := len(steps) - 1; i >= 0; i-- {
		c, err := LoadCheckpoint(dir, steps[i])
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, fmt.Errorf("train: no checkpoint in %s: %w", dir, os.ErrNotExist)
}

func float32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		putF32(b[4*i:], x)
	}
	return b
}

func bytesFloat32(b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("%d bytes is not a float32 array", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = getF32(b[4*i:])
	}
	return v, nil
}
