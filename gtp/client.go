package gtp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultQuitTimeout is how long Close and Restart wait, when
// Config.QuitTimeout is zero, for an engine to exit after "quit".
const DefaultQuitTimeout = 2 * time.Second

const (
	// stderrTail is how many bytes of the engine's standard error are kept
	// for error messages.
	stderrTail = 4 << 10
	// waitDelay bounds how long reaping an exited engine waits for its
	// standard error to close (a grandchild may hold it open).
	waitDelay = 500 * time.Millisecond
	// exitWait is how long a Send that saw the engine's output end waits
	// for the process to exit before killing it, to report its status.
	exitWait = time.Second
)

var (
	// ErrClosed is returned by a Client after Close.
	ErrClosed = errors.New("gtp: client closed")
	// ErrNotRunning is returned by Send when the engine has died, was
	// killed after a time-out or a bad reply, or failed to restart; the
	// error also wraps the reason. Restart starts a fresh engine.
	ErrNotRunning = errors.New("gtp: engine not running")
	// ErrDied is wrapped by errors from a Send during which the engine
	// exited or closed its output. The message has the exit status and
	// the tail of the engine's standard error.
	ErrDied = errors.New("gtp: engine died")
	// ErrProtocol is wrapped by errors from a Send whose reply was not a
	// GTP response (or answered another command's id). The engine is
	// killed, since the client can no longer tell replies apart.
	ErrProtocol = errors.New("gtp: protocol error")
	// ErrBadCommand is returned, without sending anything, for a command
	// that is empty, holds control characters (newlines included), or
	// starts with a number (which the engine would read as an id).
	ErrBadCommand = errors.New("gtp: bad command")
)

// EngineError is a failure response ('?') from the engine. The engine
// remains usable.
type EngineError struct {
	Cmd string // the command line sent, without id
	Msg string // the engine's message, e.g. "illegal move"
}

func (e *EngineError) Error() string {
	return fmt.Sprintf("gtp: %s: %s", e.Cmd, e.Msg)
}

// Config says which engine a Client starts, and how.
type Config struct {
	// Path is the engine program: a path, or a name looked up in PATH.
	// Required.
	Path string
	// Args are its arguments, without the program name.
	Args []string
	// Dir is its working directory; "" means the caller's.
	Dir string
	// Env is its environment, "KEY=value" strings; nil means the caller's.
	Env []string
	// Stderr, when not nil, receives a copy of the engine's standard
	// error. Write errors are ignored. Either way the client keeps the
	// last few KiB for error messages.
	Stderr io.Writer
	// QuitTimeout is how long Close and Restart wait for the engine to
	// exit after "quit" before killing it; zero means DefaultQuitTimeout.
	QuitTimeout time.Duration
}

// Validate reports whether c can start an engine (not whether the
// program exists).
func (c Config) Validate() error {
	if c.Path == "" {
		return errors.New("gtp: Config.Path is empty")
	}
	if c.QuitTimeout < 0 {
		return fmt.Errorf("gtp: Config.QuitTimeout %v is negative", c.QuitTimeout)
	}
	return nil
}

func (c *Config) quitTimeout() time.Duration {
	if c.QuitTimeout == 0 {
		return DefaultQuitTimeout
	}
	return c.QuitTimeout
}

// Client drives one GTP engine process. Its methods may be called from
// several goroutines; commands are sent one at a time, in turn. Every
// Client must be closed.
type Client struct {
	cfg Config // fixed

	// cmdMu is held for a whole exchange, and while Close or Restart
	// replace the process.
	cmdMu  sync.Mutex
	nextID int // guarded by cmdMu

	mu       sync.Mutex // guards the fields below
	p        *process   // the current engine; nil if it failed to start
	startErr error      // why p is nil
	closed   bool
}

// Start starts the engine described by cfg and returns a Client for it.
// It does not wait for the engine to answer; send "protocol_version" or
// "name" to check that it does. The caller must Close the Client.
func Start(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Args = slices.Clone(cfg.Args)
	cfg.Env = slices.Clone(cfg.Env)
	c := &Client{cfg: cfg}
	p, err := startProcess(&c.cfg)
	if err != nil {
		return nil, err
	}
	c.p = p
	return c, nil
}

// Send sends one command (args are appended, separated by spaces) and
// returns the engine's reply text: the response without its status
// character, id and surrounding white space; lines of a multi-line reply
// are joined with "\n".
//
// A '?' response gives a *EngineError. If ctx ends before the reply is
// complete, Send kills the engine (its state is unknown: it may still be
// thinking) and returns an error wrapping ctx.Err(); if the engine exits
// or closes its output first, the error wraps ErrDied; a reply that is not
// GTP wraps ErrProtocol and also kills the engine. After any of these,
// Send fails with ErrNotRunning until Restart. Send returns only once a
// killed engine has exited. A ctx that is already done sends nothing and
// leaves the engine alone.
func (c *Client) Send(ctx context.Context, command string, args ...string) (string, error) {
	line := strings.TrimSpace(strings.Join(append([]string{command}, args...), " "))
	if err := checkCommand(line); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("gtp: %q not sent: %w", line, err)
	}
	c.cmdMu.Lock()
	defer c.cmdMu.Unlock()
	p, err := c.current()
	if err != nil {
		return "", err
	}
	return c.exchange(ctx, p, line)
}

// Running reports whether the engine is running and usable: started,
// not closed, and not known to have died or been killed.
func (c *Client) Running() bool {
	c.mu.Lock()
	p, closed := c.p, c.closed
	c.mu.Unlock()
	if closed || p == nil || p.failed() != nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Restart stops the engine (politely with "quit" if it is still usable,
// then by killing it, as Close does) and starts a fresh one with the same
// Config. A Send in progress is interrupted: its engine is killed. If the
// new engine fails to start, Restart returns the error and Send fails with
// ErrNotRunning until a later Restart succeeds.
func (c *Client) Restart() error {
	c.lockInterrupting()
	defer c.cmdMu.Unlock()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	old := c.p
	c.mu.Unlock()
	if old != nil {
		c.stop(old)
	}
	p, err := startProcess(&c.cfg)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.p, c.startErr = p, err
	return err
}

// Close stops the engine: it sends "quit", waits up to the quit time-out
// for the engine to exit, then kills it. A Send in progress is interrupted.
// Close returns an error if the engine had to be killed or exited with a
// failure status after "quit"; an engine that had already died or been
// killed gives nil. Close is idempotent; later calls return nil.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.lockInterrupting()
	defer c.cmdMu.Unlock()
	c.mu.Lock()
	p := c.p
	c.p = nil
	c.mu.Unlock()
	if p == nil {
		return nil
	}
	return c.stop(p)
}

// lockInterrupting locks cmdMu, first killing the current engine if a
// Send holds the lock (so that a hung engine cannot block Close).
func (c *Client) lockInterrupting() {
	if c.cmdMu.TryLock() {
		return
	}
	c.mu.Lock()
	p := c.p
	c.mu.Unlock()
	if p != nil {
		p.kill(fmt.Errorf("gtp: interrupted by Close or Restart: %w", ErrNotRunning))
	}
	c.cmdMu.Lock()
}

// current returns the usable engine. Called with cmdMu held.
func (c *Client) current() (*process, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return nil, ErrClosed
	case c.p == nil:
		return nil, fmt.Errorf("%w: %w", ErrNotRunning, c.startErr)
	}
	if cause := c.p.failed(); cause != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotRunning, cause)
	}
	return c.p, nil
}

// exchange sends line to p and reads the reply. Called with cmdMu held.
func (c *Client) exchange(ctx context.Context, p *process, line string) (string, error) {
	c.nextID++
	id := c.nextID
	killed := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		p.kill(fmt.Errorf("gtp: no reply to %q in time, engine killed: %w", line, ctx.Err()))
		close(killed)
	})
	_, werr := fmt.Fprintf(p.stdin, "%d %s\n", id, line)
	var rep reply
	err := werr
	if err == nil {
		rep, err = readReply(p.r)
	}
	if !stop() {
		<-killed
		err = p.failed()
		p.shutdown(err)
		return "", err
	}
	if err == nil && rep.hasID && rep.id != id {
		err = fmt.Errorf("%w: reply to %q has id %d, want %d", ErrProtocol, line, rep.id, id)
		p.kill(err)
		p.shutdown(err)
		return "", err
	}
	if err != nil {
		if cause := p.failed(); cause != nil { // killed by Close or Restart
			p.shutdown(cause)
			return "", fmt.Errorf("gtp: %q: %w", line, cause)
		}
		switch {
		case errors.Is(err, errBadReply):
			err = fmt.Errorf("%w: reply to %q: %w", ErrProtocol, line, err)
			p.kill(err)
		default: // EOF, or a write to a closed pipe
			err = p.died(line)
		}
		p.shutdown(err)
		return "", err
	}
	if !rep.ok {
		return "", &EngineError{Cmd: line, Msg: rep.text}
	}
	return rep.text, nil
}

// stop ends p: "quit" if p is usable, a wait for it to exit, then a kill.
// Called with cmdMu held. See Close for the error.
func (c *Client) stop(p *process) error {
	if p.failed() != nil {
		p.shutdown(ErrClosed)
		return nil
	}
	timeout := c.cfg.quitTimeout()
	deadline := time.Now().Add(timeout)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if _, err := c.exchange(ctx, p, "quit"); err != nil {
		p.shutdown(ErrClosed)
		if errors.Is(err, ErrDied) { // exited without answering
			return nil
		}
		return fmt.Errorf("gtp: quit: %w", err)
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-p.done:
		p.shutdown(ErrClosed)
		if p.waitErr != nil {
			return fmt.Errorf("gtp: engine exited after quit: %w", p.waitErr)
		}
		return nil
	case <-timer.C:
		p.kill(ErrClosed)
		p.shutdown(ErrClosed)
		return fmt.Errorf("gtp: engine still running %v after quit; killed", timeout)
	}
}

// checkCommand reports whether line can be sent as one GTP command.
func checkCommand(line string) error {
	if line == "" {
		return fmt.Errorf("%w: empty", ErrBadCommand)
	}
	for i := 0; i < len(line); i++ {
		if b := line[i]; b < 32 || b == 127 {
			return fmt.Errorf("%w: control character in %q", ErrBadCommand, line)
		}
	}
	if first, _, _ := strings.Cut(line, " "); strings.Trim(first, "0123456789") == "" {
		return fmt.Errorf("%w: %q starts with a number", ErrBadCommand, line)
	}
	return nil
}

// process is one engine process and our ends of its pipes.
type process struct {
	cmd    *exec.Cmd
	stdin  *os.File // write end of the engine's standard input
	stdout *os.File // read end of the engine's standard output
	r      *bufio.Reader
	stderr *tail

	done    chan struct{} // closed once the process is reaped
	waitErr error         // cmd.Wait's result; read only after done

	mu    sync.Mutex
	cause error // why the process is no longer usable; nil while it is

	closeOnce sync.Once
}

// startProcess starts the engine cfg describes, and a goroutine that
// reaps it.
func startProcess(cfg *Config) (*process, error) {
	cmd := exec.Command(cfg.Path, cfg.Args...)
	cmd.Dir = cfg.Dir
	cmd.Env = cfg.Env
	cmd.WaitDelay = waitDelay
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("gtp: start %s: %w", cfg.Path, err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, fmt.Errorf("gtp: start %s: %w", cfg.Path, err)
	}
	t := &tail{copy: cfg.Stderr}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, t
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("gtp: start %s: %w", cfg.Path, err)
	}
	p := &process{
		cmd:    cmd,
		stdin:  inW,
		stdout: outR,
		r:      bufio.NewReader(outR),
		stderr: t,
		done:   make(chan struct{}),
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// failed returns why p is no longer usable, or nil.
func (p *process) failed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cause
}

// kill records cause (unless a cause is recorded already), kills the
// process and makes pending and later reads and writes on its pipes fail
// at once (a grandchild, say of a wrapper script, may still hold them
// open). Safe to call from any goroutine, any number of times.
func (p *process) kill(cause error) {
	p.mu.Lock()
	if p.cause == nil {
		p.cause = cause
	}
	p.mu.Unlock()
	_ = p.cmd.Process.Kill() // fails only if it has exited
	past := time.Unix(1, 0)
	_ = p.stdout.SetReadDeadline(past) // fails only where pipes have no deadlines
	_ = p.stdin.SetWriteDeadline(past)
}

// shutdown kills p (recording cause), waits until it is reaped and closes
// our pipe ends. Called with the Client's cmdMu held.
func (p *process) shutdown(cause error) {
	p.kill(cause)
	<-p.done
	p.closeOnce.Do(func() {
		p.stdin.Close()
		p.stdout.Close()
	})
}

// died describes p's death during the command line and records it.
func (p *process) died(line string) error {
	timer := time.NewTimer(exitWait)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C: // closed its output but still runs
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	status := "exit status 0"
	if p.waitErr != nil {
		status = p.waitErr.Error()
	}
	err := fmt.Errorf("%w during %q (%s; stderr %q)", ErrDied, line, status, p.stderr.String())
	p.kill(err)
	return err
}

// tail keeps the last stderrTail bytes written to it, and copies
// everything to copy when that is not nil.
type tail struct {
	copy io.Writer

	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(b []byte) (int, error) {
	if t.copy != nil {
		_, _ = t.copy.Write(b)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - stderrTail; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
