package train

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/tengen-go/tengen/dataset"
	"github.com/tengen-go/tengen/internal/atomicfile"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/cpu"
	"github.com/tengen-go/tengen/nets/fasttrain"
	"github.com/tengen-go/tengen/nets/tape"
)

// Record is one line of metrics.jsonl: what was measured at one step.
// The training part is present every Config.LogEvery steps, the
// validation part after every validation pass; a line has at least one.
// The field names are those package plot reads.
type Record struct {
	Step      int64   `json:"step"`
	Positions int64   `json:"positions"` // trained on so far
	Epoch     int     `json:"epoch"`
	Seconds   float64 `json:"seconds"` // training time so far, all sessions
	Time      string  `json:"time"`    // wall clock, RFC 3339
	*TrainMetrics
	*ValMetrics
}

// TrainMetrics are means over the steps since the previous record.
type TrainMetrics struct {
	PosPerSec    float64 `json:"pos_per_s"` // whole pipeline
	LearningRate float64 `json:"lr"`
	PolicyLoss   float64 `json:"policy_loss"` // cross-entropy, nats
	ValueLoss    float64 `json:"value_loss"`  // MSE over samples with a value target
	// OwnershipLoss and ScoreLoss are the ownership and score heads'
	// losses (tape.Loss) over samples with those targets; absent for
	// networks without the heads.
	OwnershipLoss float64 `json:"ownership_loss,omitempty"`
	ScoreLoss     float64 `json:"score_loss,omitempty"`
	L2            float64 `json:"l2"`
	Total         float64 `json:"total_loss"`
	Top1          float64 `json:"top1"` // share whose top policy move is the target's
}

// ValMetrics are measured on the validation sample.
type ValMetrics struct {
	PolicyLoss   float64 `json:"val_policy_loss"`
	Top1         float64 `json:"val_top1"`
	ValueMSE     float64 `json:"val_value_mse"`
	Samples      int     `json:"val_samples"`
	ValueSamples int     `json:"val_value_samples"`
	// For networks with the heads, over the samples with final targets:
	// the ownership's mean squared error per point and the share of
	// owned points (target +1 or -1) whose sign it gets right; the score's
	// mean absolute error in points.
	OwnershipMSE      float64 `json:"val_ownership_mse,omitempty"`
	OwnershipAccuracy float64 `json:"val_ownership_accuracy,omitempty"`
	ScoreMAE          float64 `json:"val_score_mae,omitempty"`
	FinalSamples      int     `json:"val_final_samples,omitempty"`
}

// Result summarises a Run.
type Result struct {
	// Start is the step the run started from (0, or a checkpoint's).
	Start, Step int64
	Positions   int64
	Weights     *nets.Weights
	Train       TrainMetrics // the last logged
	Validation  *ValMetrics  // the last validation pass, if any
}

// window accumulates the losses since the last train record.
type window struct {
	steps, vn, on, sn int
	pol, val, l2, tot float64
	own, score        float64
	top1              float64
	t0                time.Time
	positions0        int64
}

// msg is what the reader goroutine sends.
type msg struct {
	at  Position
	it  item
	err error
}

// trainer is one training step implementation: nets/fasttrain's or
// gorgonia's (nets/tape). Both share tape's options, loss and state types.
type trainer interface {
	SetLearningRate(lr float64)
	StepBatch(b tape.Batch) (tape.Loss, error)
	Weights() *nets.Weights
	State() (tape.TrainerState, error)
	SetState(st tape.TrainerState) error
	Close() error
}

// Backends lists the values Config.Backend accepts.
var Backends = []string{"fast", "tape"}

func newTrainer(backend string, w *nets.Weights, opts tape.TrainOptions) (trainer, error) {
	switch backend {
	case "", "fast":
		return fasttrain.NewTrainer(w, opts)
	case "tape":
		return tape.NewTrainer(w, opts)
	}
	return nil, fmt.Errorf("train: unknown backend %q (want one of %v)", backend, Backends)
}

// run is the mutable state of one Run.
type run struct {
	cfg      Config
	progress io.Writer
	tr       trainer
	pcg      *rand.PCG
	rng      *rand.Rand
	buf      []item
	st       State // Step, Positions, Data, Read, Seconds as of now
	start    time.Time
	secs0    float64 // Seconds at the start of this session
	metrics  *os.File

	// Batch buffers (the ownership and score ones nil for a network
	// without those heads).
	in, pol, val, mask []float32
	own, ownMask       []float32
	score, scoreMask   []float32
	scratch            []float32

	// Window since the last train record.
	win       window
	last      TrainMetrics
	lastVal   *ValMetrics
	lastDraw  time.Time
	sessStep0 int64
}

// Run trains until cfg.Steps steps are done or ctx is cancelled, reading
// examples from src, and writes checkpoints and metrics into cfg.Dir. On
// cancellation it writes a checkpoint of the last completed step and
// returns the result so far with ctx's error. Progress lines go to progress (nil: none).
func Run(ctx context.Context, cfg Config, src Source, progress io.Writer) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if progress == nil {
		progress = io.Discard
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	r := &run{cfg: cfg, progress: progress}
	w := cfg.Init
	var ck *Checkpoint
	existing, err := Checkpoints(cfg.Dir)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.Resume && len(existing) > 0:
		if ck, err = LoadLatest(cfg.Dir); err != nil {
			return nil, fmt.Errorf("train: resume: %w", err)
		}
		w = ck.Weights
		r.st = ck.State
		if ck.BufferErr != nil {
			fmt.Fprintf(progress, "train: %v; refilling the shuffle buffer from the data position\n", ck.BufferErr)
		}
	case cfg.Resume && cfg.Init == nil:
		return nil, fmt.Errorf("train: resume: no checkpoint in %s and no initial network", cfg.Dir)
	case !cfg.Resume && len(existing) > 0:
		return nil, fmt.Errorf("train: %s already holds checkpoints (resume, or use another directory)", cfg.Dir)
	}
	if len(existing) == 0 && cfg.SWAFrom > 0 {
		// A new run must not fold its snapshots into an old run's mean.
		if _, err := os.Stat(filepath.Join(cfg.Dir, SWAFile)); err == nil {
			return nil, fmt.Errorf("train: %s holds %s but no checkpoint: remove it, or use another directory", cfg.Dir, SWAFile)
		}
	}
	if r.st.Step >= cfg.Steps {
		return nil, fmt.Errorf("train: the checkpoint is at step %d, the budget is %d steps", r.st.Step, cfg.Steps)
	}

	opts := cfg.Options
	opts.LearningRate = cfg.Schedule.Rate(r.st.Step, cfg.Steps)
	if r.tr, err = newTrainer(cfg.Backend, w, opts); err != nil {
		return nil, err
	}
	defer r.tr.Close()
	r.pcg = rand.NewPCG(cfg.Seed, 0x73687566666c65) // "shuffle"
	if ck != nil {
		ts, err := ck.State.Optimizer.trainerState()
		if err == nil {
			err = r.tr.SetState(ts)
		}
		if err == nil {
			err = r.pcg.UnmarshalBinary(ck.State.Shuffle)
		}
		if err != nil {
			return nil, fmt.Errorf("train: resume from step %d: %w", ck.State.Step, err)
		}
		r.buf = ck.buffer
	}
	r.rng = rand.New(r.pcg)
	if err := r.openMetrics(ck != nil); err != nil {
		return nil, err
	}
	defer r.metrics.Close()

	sh, err := w.Spec.InputShape()
	if err != nil {
		return nil, err
	}
	b, moves := opts.BatchSize, w.Spec.Moves()
	r.in = make([]float32, b*sh.Len())
	r.pol = make([]float32, b*moves)
	r.val = make([]float32, b)
	r.mask = make([]float32, b)
	if w.Spec.HasOwnership() {
		r.own, r.ownMask = make([]float32, b*w.Spec.Area()), make([]float32, b)
	}
	if w.Spec.HasScore() {
		r.score, r.scoreMask = make([]float32, b), make([]float32, b)
	}

	// The reader runs ahead on its own goroutine; it stops when Run
	// returns. It is not cancelled by ctx directly, so a batch being
	// assembled always completes.
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ch := make(chan msg, 512)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		readLoop(rctx, src, r.st.Data, ch)
	}()
	defer func() {
		cancel()
		for range ch { // unblock the reader
		}
		wg.Wait()
	}()
	next := func() (item, error) {
		m, ok := <-ch
		if !ok {
			return item{}, errors.New("train: reader stopped")
		}
		if m.err != nil {
			return item{}, m.err
		}
		if m.it.in.Planes*m.it.in.Area != sh.Len() {
			return item{}, fmt.Errorf("train: example of %d values, the network wants %d (board size?)", m.it.in.Planes*m.it.in.Area, sh.Len())
		}
		r.st.Data = m.at
		r.st.Read++
		return m.it, nil
	}

	r.start = time.Now()
	r.secs0 = r.st.Seconds
	r.sessStep0 = r.st.Step
	for len(r.buf) < cfg.BufferSize {
		it, err := next()
		if err != nil {
			return nil, err
		}
		r.buf = append(r.buf, it)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	res := &Result{Start: r.st.Step}
	r.win.t0, r.win.positions0 = time.Now(), r.st.Positions
	lastCkpt := r.st.Step
	for r.st.Step < cfg.Steps {
		if err := ctx.Err(); err != nil {
			if r.st.Step > lastCkpt {
				if cerr := r.checkpoint(); cerr != nil {
					return nil, cerr
				}
			}
			r.endProgress()
			r.result(res)
			return res, err
		}
		for s := range b {
			i := r.rng.IntN(len(r.buf))
			r.fill(s, &r.buf[i], moves)
			if r.buf[i], err = next(); err != nil {
				return nil, err
			}
		}
		lr := cfg.Schedule.Rate(r.st.Step, cfg.Steps)
		r.tr.SetLearningRate(lr)
		loss, err := r.tr.StepBatch(tape.Batch{In: r.in, Policy: r.pol, Value: r.val, ValueMask: r.mask,
			Ownership: r.own, OwnershipMask: r.ownMask, Score: r.score, ScoreMask: r.scoreMask})
		if err != nil {
			return nil, fmt.Errorf("train: step %d: %w", r.st.Step+1, err)
		}
		r.st.Step++
		r.st.Positions += int64(b)
		r.st.LearningRate = lr
		r.add(loss)
		ckpt := r.st.Step%cfg.CheckpointEvery == 0 || r.st.Step == cfg.Steps
		every := cfg.ValidateEvery
		if every == 0 {
			every = cfg.CheckpointEvery
		}
		var rec *Record
		if r.st.Step%cfg.LogEvery == 0 || r.st.Step == cfg.Steps {
			rec = r.record()
			rec.TrainMetrics = r.trainMetrics(lr)
		}
		if len(cfg.Validation) > 0 && (r.st.Step%every == 0 || r.st.Step == cfg.Steps) {
			vm, err := r.validate(ctx)
			if err != nil {
				return nil, err
			}
			if rec == nil {
				rec = r.record()
			}
			rec.ValMetrics = vm
		}
		if rec != nil {
			if err := r.writeRecord(*rec); err != nil {
				return nil, err
			}
		}
		if ckpt {
			if err := r.checkpoint(); err != nil {
				return nil, err
			}
			lastCkpt = r.st.Step
		}
		r.draw(false)
	}
	r.endProgress()
	r.result(res)
	return res, nil
}

func (r *run) result(res *Result) {
	res.Step, res.Positions = r.st.Step, r.st.Positions
	res.Weights = r.weights()
	res.Train, res.Validation = r.last, r.lastVal
}

// readLoop sends the source's examples from 'from' on, pass after pass,
// until ctx ends or an error, which it sends; then it closes ch.
func readLoop(ctx context.Context, src Source, from Position, ch chan<- msg) {
	defer close(ch)
	for {
		n := 0
		err := src.Pass(ctx, from, func(at Position, ex *dataset.Example) error {
			n++
			select {
			case ch <- msg{at: at, it: itemOf(ex)}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if err == nil && n == 0 && from.Game == 0 && from.Move == 0 {
			err = ErrNoData
		}
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			if ctx.Err() == nil {
				select {
				case ch <- msg{err: fmt.Errorf("train: reading epoch %d: %w", from.Epoch, err)}:
				case <-ctx.Done():
				}
			}
			return
		}
		from = Position{Epoch: from.Epoch + 1}
	}
}

// fill writes item it into slot s of the batch buffers.
func (r *run) fill(s int, it *item, moves int) {
	n := len(r.in) / len(r.val)
	it.in.Unpack(r.in[s*n : (s+1)*n])
	pol := r.pol[s*moves : (s+1)*moves]
	if it.dist != nil {
		copy(pol, it.dist)
	} else {
		clear(pol)
		if int(it.policy) >= 0 && int(it.policy) < moves {
			pol[it.policy] = 1
		}
	}
	r.val[s], r.mask[s] = 0, 0
	if it.hasValue {
		r.val[s], r.mask[s] = it.value, 1
	}
	if r.own != nil {
		area := len(r.own) / len(r.ownMask)
		dst := r.own[s*area : (s+1)*area]
		r.ownMask[s] = 0
		clear(dst)
		if len(it.own) == area {
			r.ownMask[s] = 1
			for i, o := range it.own {
				dst[i] = float32(o)
			}
		}
	}
	if r.score != nil {
		r.score[s], r.scoreMask[s] = 0, 0
		if it.hasScore {
			r.score[s], r.scoreMask[s] = it.score, 1
		}
	}
}

func (r *run) add(l tape.Loss) {
	w := &r.win
	vn := 0
	for _, m := range r.mask {
		if m > 0 {
			vn++
		}
	}
	w.steps++
	w.pol += l.Policy
	w.val += l.Value * float64(vn)
	w.vn += vn
	on, sn := countPositive(r.ownMask), countPositive(r.scoreMask)
	w.own += l.Ownership * float64(on)
	w.on += on
	w.score += l.Score * float64(sn)
	w.sn += sn
	w.l2 += l.L2
	w.tot += l.Total
	w.top1 += l.Accuracy
}

func (r *run) seconds() float64 { return r.secs0 + time.Since(r.start).Seconds() }

func (r *run) record() *Record {
	return &Record{Step: r.st.Step, Positions: r.st.Positions, Epoch: r.st.Data.Epoch,
		Seconds: round(r.seconds(), 3), Time: time.Now().UTC().Format(time.RFC3339)}
}

// trainMetrics returns the means of the window and starts a new one.
func (r *run) trainMetrics(lr float64) *TrainMetrics {
	w := &r.win
	n := float64(max(w.steps, 1))
	m := &TrainMetrics{
		PosPerSec:    round(float64(r.st.Positions-w.positions0)/time.Since(w.t0).Seconds(), 2),
		LearningRate: lr,
		PolicyLoss:   round(w.pol/n, 6),
		L2:           round(w.l2/n, 6),
		Total:        round(w.tot/n, 6),
		Top1:         round(w.top1/n, 6),
	}
	if w.vn > 0 {
		m.ValueLoss = round(w.val/float64(w.vn), 6)
	}
	if w.on > 0 {
		m.OwnershipLoss = round(w.own/float64(w.on), 6)
	}
	if w.sn > 0 {
		m.ScoreLoss = round(w.score/float64(w.sn), 6)
	}
	r.last = *m
	r.win = window{t0: time.Now(), positions0: r.st.Positions}
	if !r.cfg.Terminal {
		r.draw(true)
	}
	return m
}

// countPositive counts the positive values of mask (nil: 0).
func countPositive(mask []float32) int {
	n := 0
	for _, m := range mask {
		if m > 0 {
			n++
		}
	}
	return n
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

func (r *run) writeRecord(rec Record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if _, err := r.metrics.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("train: metrics: %w", err)
	}
	return nil
}

// openMetrics opens metrics.jsonl for appending; on resume it first drops
// the records of steps after the checkpoint.
func (r *run) openMetrics(resumed bool) error {
	path := filepath.Join(r.cfg.Dir, "metrics.jsonl")
	if resumed {
		data, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		var kept bytes.Buffer
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var rec struct {
				Step int64 `json:"step"`
			}
			if json.Unmarshal(sc.Bytes(), &rec) != nil || rec.Step > r.st.Step {
				continue // a torn last line, or after the checkpoint
			}
			kept.Write(sc.Bytes())
			kept.WriteByte('\n')
		}
		if err := atomicfile.WriteBytes(path, kept.Bytes()); err != nil {
			return fmt.Errorf("train: metrics: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("train: metrics: %w", err)
	}
	r.metrics = f
	return nil
}

func (r *run) weights() *nets.Weights {
	w := r.tr.Weights()
	if w.Meta == nil {
		w.Meta = map[string]string{}
	}
	for k, v := range r.cfg.Meta {
		w.Meta[k] = v
	}
	w.Meta["train.steps"] = strconv.FormatInt(r.st.Step, 10)
	w.Meta["train.positions"] = strconv.FormatInt(r.st.Positions, 10)
	w.Meta["train.optimizer"] = r.cfg.Options.Optimizer
	w.Meta["train.batch"] = strconv.Itoa(r.cfg.Options.BatchSize)
	if r.lastVal != nil {
		w.Meta["train.validation_top1"] = strconv.FormatFloat(r.lastVal.Top1, 'f', 4, 64)
		w.Meta["train.validation_value_mse"] = strconv.FormatFloat(r.lastVal.ValueMSE, 'f', 4, 64)
		if r.lastVal.FinalSamples > 0 && w.Spec.HasOwnership() {
			w.Meta["train.validation_ownership_accuracy"] = strconv.FormatFloat(r.lastVal.OwnershipAccuracy, 'f', 4, 64)
		}
		if r.lastVal.FinalSamples > 0 && w.Spec.HasScore() {
			w.Meta["train.validation_score_mae"] = strconv.FormatFloat(r.lastVal.ScoreMAE, 'f', 3, 64)
		}
	}
	return w
}

func (r *run) checkpoint() error {
	ts, err := r.tr.State()
	if err != nil {
		return err
	}
	st := r.st
	st.Seconds = round(r.seconds(), 3)
	st.Optimizer = fromTrainerState(ts)
	if st.Shuffle, err = r.pcg.MarshalBinary(); err != nil {
		return err
	}
	var buf []item
	if r.cfg.SaveBuffer {
		buf = r.buf
	}
	if err := r.metrics.Sync(); err != nil {
		return fmt.Errorf("train: metrics: %w", err)
	}
	w := r.weights()
	if r.cfg.SWAFrom > 0 && st.Step >= r.cfg.SWAFrom {
		if err := updateSWA(r.cfg.Dir, w, st.Step, r.cfg.SWAFrom); err != nil {
			return fmt.Errorf("train: averaged weights at step %d: %w", st.Step, err)
		}
	}
	if err := saveCheckpoint(r.cfg.Dir, &st, w, buf, r.cfg.Keep); err != nil {
		return fmt.Errorf("train: checkpoint at step %d: %w", st.Step, err)
	}
	if r.cfg.AfterCheckpoint != nil {
		if err := r.cfg.AfterCheckpoint(r.cfg.Dir); err != nil {
			r.endProgress()
			fmt.Fprintf(r.progress, "train: after checkpoint %d: %v\n", st.Step, err)
		}
	}
	return nil
}

// validate runs the current network over the validation sample with the
// fast CPU backend.
func (r *run) validate(ctx context.Context) (*ValMetrics, error) {
	vm, err := Evaluate(ctx, r.tr.Weights(), r.cfg.Validation)
	if err != nil {
		return nil, fmt.Errorf("train: validation at step %d: %w", r.st.Step, err)
	}
	r.lastVal = &vm
	if !r.cfg.Terminal {
		r.endProgress()
		fmt.Fprintf(r.progress, "validation at step %d: top-1 %.2f%%, policy loss %.4f, value MSE %.4f (%d positions)\n",
			r.st.Step, 100*vm.Top1, vm.PolicyLoss, vm.ValueMSE, vm.Samples)
	}
	return &vm, nil
}

// Evaluate returns the policy loss, top-1 and value MSE of w on the
// examples, and for a network with the heads the ownership MSE and sign
// accuracy and the score MAE on the examples with final targets.
func Evaluate(ctx context.Context, w *nets.Weights, exs []dataset.Example) (ValMetrics, error) {
	const maxBatch = 64
	var rec ValMetrics
	be, err := cpu.New(w, cpu.Options{MaxBatch: maxBatch})
	if err != nil {
		return rec, err
	}
	defer be.Close()
	sh, _ := w.Spec.InputShape()
	moves := w.Spec.Moves()
	in := make([]float32, maxBatch*sh.Len())
	pol := make([]float32, maxBatch*moves)
	val := make([]float32, maxBatch)
	area := w.Spec.Area()
	out := nets.Outputs{Policy: pol, Value: val}
	if w.Spec.HasOwnership() {
		out.Ownership = make([]float32, maxBatch*area)
	}
	if w.Spec.HasScore() {
		out.Score = make([]float32, maxBatch)
	}
	var ce, se, ownSE, scoreAE float64
	hits, vn, fn, ownN, ownRight := 0, 0, 0, 0, 0
	for lo := 0; lo < len(exs); lo += maxBatch {
		n := min(maxBatch, len(exs)-lo)
		for i := range n {
			p := &exs[lo+i].Input
			if p.Planes*p.Area != sh.Len() {
				return rec, fmt.Errorf("validation example of %d values, the network wants %d", p.Planes*p.Area, sh.Len())
			}
			p.Unpack(in[i*sh.Len() : (i+1)*sh.Len()])
		}
		o := nets.Outputs{Policy: pol[:n*moves], Value: val[:n]}
		if out.Ownership != nil {
			o.Ownership = out.Ownership[:n*area]
		}
		if out.Score != nil {
			o.Score = out.Score[:n]
		}
		if err := be.ForwardOutputs(ctx, in[:n*sh.Len()], n, o); err != nil {
			return rec, err
		}
		for i := range n {
			ex := &exs[lo+i]
			logits := pol[i*moves : (i+1)*moves]
			best, mx := 0, logits[0]
			for j, v := range logits {
				if v > mx {
					best, mx = j, v
				}
			}
			var z float64
			for _, v := range logits {
				z += math.Exp(float64(v - mx))
			}
			lse := float64(mx) + math.Log(z)
			if ex.PolicyDist != nil {
				for j, p := range ex.PolicyDist {
					if p > 0 {
						ce += float64(p) * (lse - float64(logits[j]))
					}
				}
				if best == argmax(ex.PolicyDist) {
					hits++
				}
			} else {
				ce += lse - float64(logits[ex.Policy])
				if best == ex.Policy {
					hits++
				}
			}
			if ex.HasValue {
				d := float64(val[i] - ex.Value)
				se += d * d
				vn++
			}
			if ex.Ownership == nil || !ex.HasScore || (o.Ownership == nil && o.Score == nil) {
				continue
			}
			fn++
			if o.Ownership != nil && len(ex.Ownership) == area {
				for j, t := range ex.Ownership {
					v := float64(o.Ownership[i*area+j])
					ownSE += (v - float64(t)) * (v - float64(t))
					if t != 0 {
						ownN++
						if v*float64(t) > 0 {
							ownRight++
						}
					}
				}
			}
			if o.Score != nil {
				scoreAE += math.Abs(float64(o.Score[i] - ex.Score))
			}
		}
	}
	rec.Samples, rec.ValueSamples = len(exs), vn
	if len(exs) > 0 {
		rec.PolicyLoss = round(ce/float64(len(exs)), 6)
		rec.Top1 = round(float64(hits)/float64(len(exs)), 6)
	}
	if vn > 0 {
		rec.ValueMSE = round(se/float64(vn), 6)
	}
	if fn > 0 {
		rec.FinalSamples = fn
		if out.Ownership != nil {
			rec.OwnershipMSE = round(ownSE/float64(fn*area), 6)
			if ownN > 0 {
				rec.OwnershipAccuracy = round(float64(ownRight)/float64(ownN), 6)
			}
		}
		if out.Score != nil {
			rec.ScoreMAE = round(scoreAE/float64(fn), 4)
		}
	}
	return rec, nil
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// draw shows the progress line: redrawn in place at most 4 times a second
// on a terminal, a plain line when force is set otherwise.
func (r *run) draw(force bool) {
	if r.cfg.Terminal {
		if time.Since(r.lastDraw) < 250*time.Millisecond && r.st.Step != r.cfg.Steps {
			return
		}
	} else if !force {
		return
	}
	r.lastDraw = time.Now()
	done := r.st.Step - r.sessStep0
	el := time.Since(r.start).Seconds()
	var pps, eta float64
	if done > 0 && el > 0 {
		pps = float64(done) * float64(r.cfg.Options.BatchSize) / el
		eta = float64(r.cfg.Steps-r.st.Step) * el / float64(done)
	}
	line := fmt.Sprintf("step %d/%d (%.1f%%)  %.1f pos/s  ETA %s  loss %.4f (policy %.4f, value %.4f)  top-1 %.1f%%  epoch %d",
		r.st.Step, r.cfg.Steps, 100*float64(r.st.Step)/float64(r.cfg.Steps), pps, fmtDuration(eta),
		r.last.Total, r.last.PolicyLoss, r.last.ValueLoss, 100*r.last.Top1, r.st.Data.Epoch)
	if r.lastVal != nil {
		line += fmt.Sprintf("  val top-1 %.1f%%", 100*r.lastVal.Top1)
	}
	if r.cfg.Terminal {
		fmt.Fprintf(r.progress, "\r%s\x1b[K", line)
	} else {
		fmt.Fprintln(r.progress, line)
	}
}

// endProgress ends a line redrawn in place.
func (r *run) endProgress() {
	if r.cfg.Terminal && !r.lastDraw.IsZero() {
		fmt.Fprintln(r.progress)
		r.lastDraw = time.Time{}
	}
}

func fmtDuration(s float64) string {
	if math.IsNaN(s) || math.IsInf(s, 0) || s <= 0 {
		return "-"
	}
	d := time.Duration(s) * time.Second
	h, m, sec := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%dh%02dm", h, m)
	}
	return fmt.Sprintf("%dm%02ds", m, sec)
}
