package train

import (
	"errors"
	"fmt"
	"math"

	"github.com/tengen-go/tengen/dataset"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/tape"
)

// Learning-rate schedule kinds.
const (
	Constant  = "constant" // the base rate throughout
	StepDecay = "step"     // times Gamma every Every steps
	Cosine    = "cosine"   // half a cosine from the base rate to Min at the last step
)

// Schedule maps a step to a learning rate.
type Schedule struct {
	Kind string `json:"kind"`
	// Base is the initial rate.
	Base float64 `json:"base"`
	// Every and Gamma: StepDecay multiplies the rate by Gamma after every
	// Every steps.
	Every int64   `json:"every,omitempty"`
	Gamma float64 `json:"gamma,omitempty"`
	// Min is Cosine's final rate.
	Min float64 `json:"min,omitempty"`
	// Warmup steps ramp the rate linearly from Base/Warmup up to the
	// schedule's rate (0: none).
	Warmup int64 `json:"warmup,omitempty"`
}

// Validate reports the first bad field.
func (s Schedule) Validate() error {
	switch {
	case !(s.Base > 0):
		return fmt.Errorf("train: learning rate %v must be positive", s.Base)
	case s.Warmup < 0:
		return fmt.Errorf("train: warm-up %d < 0", s.Warmup)
	}
	switch s.Kind {
	case Constant:
	case StepDecay:
		if s.Every < 1 || !(s.Gamma > 0 && s.Gamma <= 1) {
			return fmt.Errorf("train: step decay needs every >= 1 and gamma in (0, 1], have %d, %v", s.Every, s.Gamma)
		}
	case Cosine:
		if s.Min < 0 || s.Min > s.Base {
			return fmt.Errorf("train: cosine minimum %v outside [0, %v]", s.Min, s.Base)
		}
	default:
		return fmt.Errorf("train: schedule %q (want %s, %s or %s)", s.Kind, Constant, StepDecay, Cosine)
	}
	return nil
}

// Rate returns the learning rate of step (0-based) of a run of total
// steps. It is always positive.
func (s Schedule) Rate(step, total int64) float64 {
	lr := s.Base
	switch s.Kind {
	case StepDecay:
		lr *= math.Pow(s.Gamma, float64(step/s.Every))
	case Cosine:
		if total > 1 {
			f := float64(min(step, total-1)) / float64(total-1)
			lr = s.Min + (s.Base-s.Min)*(1+math.Cos(math.Pi*f))/2
		}
	}
	if step < s.Warmup {
		lr *= float64(step+1) / float64(s.Warmup)
	}
	if !(lr > 0) {
		lr = math.SmallestNonzeroFloat32
	}
	return lr
}

// Config configures Run.
type Config struct {
	// Dir receives checkpoints and metrics; it is created if missing.
	Dir string
	// Init is the network to start from (ignored when resuming from a
	// checkpoint). Required unless resuming.
	Init *nets.Weights
	// Options configure the trainer: batch size, optimizer, momentum,
	// weight decay (L2), value, ownership and score weights, dropout
	// seed. Options.LearningRate
	// is replaced by the schedule's rate at every step.
	Options  tape.TrainOptions
	Schedule Schedule
	// Backend picks the training step: "fast" (nets/fasttrain, the
	// im2col + GEMM forward and backward pass; the default when empty) or
	// "tape" (gorgonia's autodiff, the reference it is checked against).
	// Both read and write the same optimizer state, so a run may switch.
	Backend string
	// Steps is the step budget: Run returns after step Steps.
	Steps int64
	// CheckpointEvery steps a checkpoint is written (and at the end).
	CheckpointEvery int64
	// Keep is the number of checkpoints kept (at least 1).
	Keep int
	// SWAFrom, when positive, keeps in swa.weights the mean of the
	// weights of every checkpoint from this step on (stochastic weight
	// averaging; see the package doc).
	SWAFrom int64
	// BufferSize is the shuffle buffer's capacity in examples.
	BufferSize int
	// SaveBuffer writes the shuffle buffer with every checkpoint, which
	// makes resume exact (see the package doc).
	SaveBuffer bool
	// Seed drives the shuffle draws.
	Seed uint64
	// LogEvery steps a "train" record is appended to metrics.jsonl.
	LogEvery int64
	// ValidateEvery steps (and at every checkpoint when 0) a validation
	// pass runs on Validation, if it is not empty.
	ValidateEvery int64
	Validation    []dataset.Example
	// Resume continues from the newest checkpoint in Dir; without it Run
	// refuses a Dir that holds checkpoints.
	Resume bool
	// Terminal redraws the progress line with a carriage return instead of
	// printing plain lines.
	Terminal bool
	// Meta is added to the weights' Meta in every checkpoint.
	Meta map[string]string
	// AfterCheckpoint, if set, is called after every checkpoint (e.g. to
	// draw training curves from metrics.jsonl); its error is reported on
	// the progress writer, not fatal.
	AfterCheckpoint func(dir string) error
}

// DefaultConfig returns the defaults: tape's default options (SGD with
// momentum 0.9, batch 64, weight decay 1e-4), a constant rate 0.01,
// 10,000 steps, a checkpoint every 500 steps, 3 kept, a 20,000-example
// buffer saved with checkpoints, a metrics record every 50 steps.
func DefaultConfig() Config {
	o := tape.DefaultTrainOptions()
	return Config{
		Options:         o,
		Schedule:        Schedule{Kind: Constant, Base: o.LearningRate},
		Steps:           10000,
		CheckpointEvery: 500,
		Keep:            3,
		BufferSize:      20000,
		SaveBuffer:      true,
		Seed:            1,
		LogEvery:        50,
	}
}

// ErrConfig is wrapped by Validate's errors.
var ErrConfig = errors.New("train: bad config")

// Validate reports the first bad field.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	o := c.Options
	o.LearningRate = c.Schedule.Base
	switch {
	case c.Dir == "":
		return bad("no directory")
	case c.Init == nil && !c.Resume:
		return bad("no initial network")
	case c.Steps < 1:
		return bad("steps %d < 1", c.Steps)
	case c.CheckpointEvery < 1:
		return bad("checkpoint every %d < 1", c.CheckpointEvery)
	case c.Keep < 1:
		return bad("keep %d < 1", c.Keep)
	case c.BufferSize < 1:
		return bad("buffer size %d < 1", c.BufferSize)
	case c.LogEvery < 1:
		return bad("log every %d < 1", c.LogEvery)
	case c.ValidateEvery < 0:
		return bad("validate every %d < 0", c.ValidateEvery)
	case c.Backend != "" && c.Backend != "fast" && c.Backend != "tape":
		return bad("unknown backend %q (want fast or tape)", c.Backend)
	}
	if err := o.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if err := c.Schedule.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if c.Init != nil {
		if err := c.Init.Check(); err != nil {
			return fmt.Errorf("%w: initial network: %v", ErrConfig, err)
		}
	}
	return nil
}
