package gtp_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/internal/testenv"
)

// The test binary doubles as a fake GTP engine: started with
// fakeEngineEnv=1 it runs fakeEngine instead of the tests.
const fakeEngineEnv = "TENGEN_GTP_FAKE_ENGINE"

func TestMain(m *testing.M) {
	if os.Getenv("FAKE_SLEEP_ONLY") == "1" {
		time.Sleep(5 * time.Second)
		os.Exit(0)
	}
	if os.Getenv(fakeEngineEnv) == "1" {
		os.Exit(fakeEngine())
	}
	os.Exit(m.Run())
}

// fakeEngine answers GTP on stdin/stdout with commands made for the tests
// below, and returns the exit status. Env: FAKE_IGNORE_QUIT=1 makes it
// answer quit but keep running; FAKE_QUIT_STATUS=n makes quit exit with n.
func fakeEngine() int {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	count := 0
	for in.Scan() {
		fields := strings.Fields(in.Text())
		if len(fields) == 0 {
			continue
		}
		id := ""
		if _, err := strconv.Atoi(fields[0]); err == nil {
			id, fields = fields[0], fields[1:]
		}
		ok := func(text string) { fmt.Fprintf(out, "=%s %s\n\n", id, text); out.Flush() }
		fail := func(text string) { fmt.Fprintf(out, "?%s %s\n\n", id, text); out.Flush() }
		if len(fields) == 0 {
			fail("empty command")
			continue
		}
		args := fields[1:]
		switch fields[0] {
		case "protocol_version":
			ok("2")
		case "name":
			ok("fake")
		case "echo":
			ok(strings.Join(args, " "))
		case "multi":
			ok("\nfirst\n  second\nthird")
		case "fail":
			fail("no can do")
		case "count":
			count++
			ok(strconv.Itoa(count))
		case "sleep":
			ms, _ := strconv.Atoi(args[0])
			time.Sleep(time.Duration(ms) * time.Millisecond)
			ok("slept")
		case "spawnhang": // a grandchild holds our stdout open for 5s
			exe, _ := os.Executable()
			cmd := exec.Command(exe)
			cmd.Env = append(os.Environ(), "FAKE_SLEEP_ONLY=1")
			cmd.Stdout = os.Stdout
			if err := cmd.Start(); err != nil {
				fail(err.Error())
				continue
			}
			time.Sleep(time.Hour)
		case "hang":
			time.Sleep(time.Hour)
		case "crash":
			fmt.Fprintln(os.Stderr, "boom: fake engine crashed")
			return 3
		case "replyexit":
			ok("bye")
			return 0
		case "partial":
			fmt.Fprintf(out, "=%s part\n", id)
			out.Flush()
			return 1
		case "garbage":
			fmt.Fprint(out, "hello world\n\n")
			out.Flush()
		case "wrongid":
			fmt.Fprint(out, "=999999 x\n\n")
			out.Flush()
		case "pwd":
			wd, _ := os.Getwd()
			ok(wd)
		case "getenv":
			ok(os.Getenv(args[0]))
		case "quit":
			ok("")
			if os.Getenv("FAKE_IGNORE_QUIT") != "1" {
				n, _ := strconv.Atoi(os.Getenv("FAKE_QUIT_STATUS"))
				return n
			}
		default:
			fail("unknown command")
		}
	}
	return 0
}

// fakeConfig is a Config starting the fake engine with extra env entries.
func fakeConfig(t *testing.T, env ...string) gtp.Config {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return gtp.Config{
		Path: exe,
		// A -race binary sleeps 1s on exit unless told not to.
		Env:         append(append(os.Environ(), fakeEngineEnv+"=1", "GORACE=atexit_sleep_ms=0"), env...),
		QuitTimeout: 5 * time.Second,
	}
}

func startFake(t *testing.T, env ...string) *gtp.Client {
	t.Helper()
	c, err := gtp.Start(fakeConfig(t, env...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestSend(t *testing.T) {
	c := startFake(t)
	tests := []struct {
		cmd  string
		args []string
		want string
	}{
		{"protocol_version", nil, "2"},
		{"name", nil, "fake"},
		{"echo", []string{"a", "b"}, "a b"},
		{"echo a  b", nil, "a b"},
		{"  echo x ", nil, "x"},
		{"multi", nil, "first\n  second\nthird"},
		{"echo", nil, ""},
	}
	for _, tt := range tests {
		got, err := c.Send(ctxTimeout(t, 10*time.Second), tt.cmd, tt.args...)
		if err != nil || got != tt.want {
			t.Errorf("Send(%q, %q) = %q, %v; want %q", tt.cmd, tt.args, got, err, tt.want)
		}
	}
	if !c.Running() {
		t.Error("Running() = false after good replies")
	}
}

func TestEngineError(t *testing.T) {
	c := startFake(t)
	_, err := c.Send(ctxTimeout(t, 10*time.Second), "fail", "now")
	var ee *gtp.EngineError
	if !errors.As(err, &ee) || ee.Cmd != "fail now" || ee.Msg != "no can do" {
		t.Fatalf("Send(fail now) error = %#v; want EngineError{fail now, no can do}", err)
	}
	if got, err := c.Send(ctxTimeout(t, 10*time.Second), "name"); err != nil || got != "fake" {
		t.Fatalf("Send(name) after a failure = %q, %v; want fake", got, err)
	}
}

func TestBadCommand(t *testing.T) {
	c := startFake(t)
	for _, cmd := range []string{"", "   ", "echo a\nname", "echo\x00", "12 name", "7"} {
		if _, err := c.Send(ctxTimeout(t, 10*time.Second), cmd); !errors.Is(err, gtp.ErrBadCommand) {
			t.Errorf("Send(%q) error = %v; want ErrBadCommand", cmd, err)
		}
	}
	if got, err := c.Send(ctxTimeout(t, 10*time.Second), "count"); err != nil || got != "1" {
		t.Fatalf("Send(count) = %q, %v; want 1 (bad commands must not be sent)", got, err)
	}
}

func TestDoneContextSendsNothing(t *testing.T) {
	c := startFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Send(ctx, "count"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Send with done ctx: %v; want context.Canceled", err)
	}
	if got, err := c.Send(ctxTimeout(t, 10*time.Second), "count"); err != nil || got != "1" {
		t.Fatalf("Send(count) = %q, %v; want 1", got, err)
	}
}

func TestTimeoutKillsHungEngine(t *testing.T) {
	c := startFake(t)
	if got, err := c.Send(ctxTimeout(t, 10*time.Second), "count"); err != nil || got != "1" {
		t.Fatalf("Send(count) = %q, %v; want 1", got, err)
	}
	start := time.Now()
	_, err := c.Send(ctxTimeout(t, 200*time.Millisecond), "hang")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send(hang) error = %v; want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send(hang) took %v to time out after 200ms", d)
	}
	if c.Running() {
		t.Error("Running() = true after a time-out")
	}
	_, err = c.Send(ctxTimeout(t, 10*time.Second), "name")
	if !errors.Is(err, gtp.ErrNotRunning) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send after time-out: %v; want ErrNotRunning wrapping DeadlineExceeded", err)
	}
	if err := c.Restart(); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Send(ctxTimeout(t, 10*time.Second), "count"); err != nil || got != "1" {
		t.Fatalf("Send(count) after Restart = %q, %v; want 1 (a fresh engine)", got, err)
	}
}

func TestTimeoutWithGrandchildHoldingOutput(t *testing.T) {
	c := startFake(t)
	start := time.Now()
	if _, err := c.Send(ctxTimeout(t, 200*time.Millisecond), "spawnhang"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send(spawnhang) error = %v; want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Send(spawnhang) took %v to time out after 200ms", d)
	}
}

func TestSlowReplyWithinTimeout(t *testing.T) {
	c := startFake(t)
	if got, err := c.Send(ctxTimeout(t, 10*time.Second), "sleep", "100"); err != nil || got != "slept" {
		t.Fatalf("Send(sleep 100) = %q, %v; want slept", got, err)
	}
}

func TestCancelKillsHungEngine(t *testing.T) {
	c := startFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := c.Send(ctx, "hang"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Send(hang) error = %v; want Canceled", err)
	}
}

func TestCrash(t *testing.T) {
	var stderr testenv.SyncBuffer
	cfg := fakeConfig(t)
	cfg.Stderr = &stderr
	c, err := gtp.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Send(ctxTimeout(t, 10*time.Second), "crash")
	if !errors.Is(err, gtp.ErrDied) {
		t.Fatalf("Send(crash) error = %v; want ErrDied", err)
	}
	for _, want := range []string{"exit status 3", "boom: fake engine crashed", `"crash"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Send(crash) error %q does not mention %q", err, want)
		}
	}
	if !strings.Contains(stderr.String(), "boom") {
		t.Errorf("Config.Stderr got %q; want the engine's stderr", stderr.String())
	}
	if _, err := c.Send(ctxTimeout(t, 10*time.Second), "name"); !errors.Is(err, gtp.ErrNotRunning) || !errors.Is(err, gtp.ErrDied) {
		t.Errorf("Send after crash: %v; want ErrNotRunning wrapping ErrDied", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close after crash = %v; want nil", err)
	}
}

func TestDiesBetweenCommands(t *testing.T) {
	c := startFake(t)
	if got, err := c.Send(ctxTimeout(t, 10*time.Second), "replyexit"); err != nil || got != "bye" {
		t.Fatalf("Send(replyexit) = %q, %v; want bye", got, err)
	}
	if _, err := c.Send(ctxTimeout(t, 10*time.Second), "name"); !errors.Is(err, gtp.ErrDied) {
		t.Fatalf("Send to an exited engine: %v; want ErrDied", err)
	}
	if c.Running() {
		t.Error("Running() = true after the engine died")
	}
	if err := c.Restart(); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Send(ctxTimeout(t, 10*time.Second), "name"); err != nil || got != "fake" {
		t.Fatalf("Send(name) after Restart = %q, %v", got, err)
	}
}

func TestBadReplies(t *testing.T) {
	for _, tt := range []struct {
		cmd  string
		want error
	}{
		{"garbage", gtp.ErrProtocol},
		{"wrongid", gtp.ErrProtocol},
		{"partial", gtp.ErrDied},
	} {
		c := startFake(t)
		if _, err := c.Send(ctxTimeout(t, 10*time.Second), tt.cmd); !errors.Is(err, tt.want) {
			t.Errorf("Send(%s) error = %v; want %v", tt.cmd, err, tt.want)
		}
		if _, err := c.Send(ctxTimeout(t, 10*time.Second), "name"); !errors.Is(err, gtp.ErrNotRunning) {
			t.Errorf("Send(name) after %s: %v; want ErrNotRunning", tt.cmd, err)
		}
	}
}

func TestClose(t *testing.T) {
	c, err := gtp.Start(fakeConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if c.Running() {
		t.Error("Running() = true after Close")
	}
	if _, err := c.Send(ctxTimeout(t, 10*time.Second), "name"); !errors.Is(err, gtp.ErrClosed) {
		t.Errorf("Send after Close: %v; want ErrClosed", err)
	}
	if err := c.Restart(); !errors.Is(err, gtp.ErrClosed) {
		t.Errorf("Restart after Close: %v; want ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close() = %v; want nil", err)
	}
}

func TestCloseKillsEngineIgnoringQuit(t *testing.T) {
	cfg := fakeConfig(t, "FAKE_IGNORE_QUIT=1")
	cfg.QuitTimeout = 200 * time.Millisecond
	c, err := gtp.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := c.Close(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("Close() = %v; want an error saying the engine was killed", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Close took %v with a 200ms quit time-out", d)
	}
}

func TestCloseReportsExitStatus(t *testing.T) {
	c, err := gtp.Start(fakeConfig(t, "FAKE_QUIT_STATUS=66"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err == nil || !strings.Contains(err.Error(), "exit status 66") {
		t.Errorf("Close() = %v; want exit status 66", err)
	}
}

func TestCloseInterruptsHungSend(t *testing.T) {
	c, err := gtp.Start(fakeConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := c.Send(context.Background(), "hang")
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond) // let Send write "hang"
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case err := <-errc:
		if err == nil {
			t.Error("Send(hang) interrupted by Close returned nil")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not interrupt a hung Send")
	}
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
}

func TestConcurrentSends(t *testing.T) {
	c := startFake(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				want := fmt.Sprintf("g%d i%d", g, i)
				got, err := c.Send(ctxTimeout(t, 10*time.Second), "echo", want)
				if err != nil || got != want {
					t.Errorf("Send(echo %s) = %q, %v", want, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestDirAndEnv(t *testing.T) {
	dir := t.TempDir()
	cfg := fakeConfig(t, "FAKE_MARK=hello there")
	cfg.Dir = dir
	c, err := gtp.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.Send(ctxTimeout(t, 10*time.Second), "pwd")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(dir)
	if got, _ = filepath.EvalSymlinks(got); got != want {
		t.Errorf("engine working dir %q; want %q", got, want)
	}
	if got, err := c.Send(ctxTimeout(t, 10*time.Second), "getenv FAKE_MARK"); err != nil || got != "hello there" {
		t.Errorf("engine env FAKE_MARK = %q, %v", got, err)
	}
}

func TestStartErrors(t *testing.T) {
	if _, err := gtp.Start(gtp.Config{}); err == nil {
		t.Error("Start with empty Path succeeded")
	}
	if _, err := gtp.Start(gtp.Config{Path: "true", QuitTimeout: -1}); err == nil {
		t.Error("Start with negative QuitTimeout succeeded")
	}
	if _, err := gtp.Start(gtp.Config{Path: filepath.Join(t.TempDir(), "no-such-engine")}); err == nil {
		t.Error("Start of a missing program succeeded")
	}
}
