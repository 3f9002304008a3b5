// Package train is tengen's training loop, shared by supervised training
// on game records and (later) self-play training: a [Source] of examples
// streamed in passes (epochs), a shuffle buffer with random draws, batches
// assembled into the loop's own buffers, a training step (nets/fasttrain by
// default, gorgonia's [tape.Trainer] with Config.Backend "tape"), a
// learning-rate [Schedule], checkpoints, resume, a metrics log, periodic
// validation and a progress line.
//
// # Directory
//
// [Run] owns one directory:
//
//	ckpt-NNNNNNNN.weights   the network after step N (nets weights file)
//	ckpt-NNNNNNNN.json      the state after step N ([State])
//	ckpt-NNNNNNNN.buffer    the shuffle buffer after step N (optional)
//	latest                  the name of the newest checkpoint's JSON file
//	latest.weights          a copy of the newest checkpoint's weights
//	metrics.jsonl           one JSON [Record] per line
//	swa.weights             with Config.SWAFrom, the mean of the checkpoints' weights from that step on
//
// Every file is written atomically (a temporary file in the same directory,
// synced, then renamed), and a checkpoint's JSON file is written after its
// weights and buffer, and "latest" after that, so a process killed at any
// moment leaves the previous checkpoint intact. Config.Keep checkpoints are
// kept; older ones are removed.
//
// # Averaged weights
//
// With Config.SWAFrom, every checkpoint from that step on also updates
// swa.weights, the running mean of the checkpoints' weights (stochastic
// weight averaging, Izmailov et al. 2018; nets.Average of the same
// snapshots gives the same network to rounding). At a constant learning
// rate the snapshots wander around a minimum and their mean generalises
// better than any one of them (docs/networks.md). Its Meta records the
// snapshots taken ("swa.snapshots", "swa.from", "swa.last_step"); a step
// already in the mean is not added again, so a resumed run that passes
// the same checkpoint twice counts it once.
//
// # Exact resume
//
// With Config.Resume, Run continues from the newest readable checkpoint:
// the step count, the weights (batch norm statistics included), the
// optimizer's state and its dropout generator, the generator of the
// shuffle draws and the data position (the next example to read: epoch,
// game ordinal, example within the game). When the checkpoint holds the
// shuffle buffer (Config.SaveBuffer), it is restored too, and a resumed run
// given the same data, options and seed produces bit for bit the weights an
// uninterrupted run would. Without the buffer file (deleted, or not saved),
// the buffer is refilled from the data position: the examples that sat in
// the lost buffer are skipped for that epoch, and the run continues
// deterministically but not identically. Metrics lines logged after the
// checkpoint by the killed process are dropped from metrics.jsonl on
// resume, so the log reads as one run.
//
// # Metrics
//
// metrics.jsonl holds one [Record] per line, at most one per step: its
// training part every Config.LogEvery steps (means over the steps since
// the previous record: policy cross-entropy, value MSE over samples with a
// value target, L2 term, total loss, top-1 share of the policy target's
// move; positions/s of the whole pipeline; the learning rate) and its
// validation part every Config.ValidateEvery steps, on the fixed
// Config.Validation sample (policy loss, top-1, value MSE), computed with
// the fast CPU backend. The field names are those plot.ReadMetrics reads.
package train
