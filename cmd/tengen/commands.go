package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/spf13/pflag"
)

// version is the tengen version; release builds override it with
// -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// env is what a subcommand gets: its arguments (without the command name)
// and the process's standard streams.
type env struct {
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand of the binary.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env) error
}

// errUsage marks an error caused by bad command-line use (exit status 2).
var errUsage = errors.New("usage")

// usageError wraps a message as a usage error.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// commands is the one table of subcommands; help derives from it.
// Subcommands register themselves from their own files with register.
var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("tengen: duplicate command " + c.name)
	}
	commands[c.name] = c
}

func init() {
	register(command{name: "version", summary: "print the version", run: runVersion})
	register(command{name: "help", summary: "list commands, or show a command's flags", run: runHelp})
}

// run is the whole program: main only adds the process around it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printCommands(stderr)
		return usageError("no command given")
	}
	name := args[0]
	if name == "-h" || name == "--help" {
		name = "help"
	}
	c, ok := commands[name]
	if !ok {
		printCommands(stderr)
		return usageError("unknown command %q", name)
	}
	return c.run(ctx, env{args: args[1:], stdin: stdin, stdout: stdout, stderr: stderr})
}

func printCommands(w io.Writer) {
	fmt.Fprintln(w, "usage: tengen <command> [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `run "tengen help <command>" or "tengen <command> --help" for a command's flags`)
}

func runVersion(ctx context.Context, e env) error {
	fmt.Fprintf(e.stdout, "tengen %s\n", version)
	return nil
}

func runHelp(ctx context.Context, e env) error {
	if len(e.args) == 0 {
		printCommands(e.stdout)
		return nil
	}
	c, ok := commands[e.args[0]]
	if !ok {
		return usageError("unknown command %q", e.args[0])
	}
	// Every command parses flags with newFlags, which treats --help as a
	// request for its flag list.
	return c.run(ctx, env{args: []string{"--help"}, stdin: e.stdin, stdout: e.stdout, stderr: e.stderr})
}

// newFlags makes a flag set for a subcommand whose usage goes to out.
func newFlags(name, usage string, out io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(out)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(out, "usage: tengen %s %s\n\nflags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; --help prints usage to stdout and is not an error.
// It returns done=true when the command should stop (help was shown).
func parseFlags(fs *pflag.FlagSet, args []string) (done bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return true, nil
		}
		return false, fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
	}
	return false, nil
}

// dispatch runs the subcommand of a command group ("tengen net new ..."):
// e.args[0] picks one of subs (name, summary and run, the same fields as a
// top-level command), which gets the arguments after it. With no
// arguments or -h/--help it prints the group's usage, and no arguments or
// an unknown name is a usage error.
func dispatch(ctx context.Context, group string, subs []command, e env) error {
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" {
		fmt.Fprintf(e.stdout, "usage: tengen %s <subcommand> [flags] [args]\n\nsubcommands:\n", group)
		for _, s := range subs {
			fmt.Fprintf(e.stdout, "  %-10s %s\n", s.name, s.summary)
		}
		if len(e.args) == 0 {
			return usageError("%s: no subcommand given", group)
		}
		return nil
	}
	for _, s := range subs {
		if s.name == e.args[0] {
			return s.run(ctx, env{args: e.args[1:], stdin: e.stdin, stdout: e.stdout, stderr: e.stderr})
		}
	}
	return usageError("%s: unknown subcommand %q", group, e.args[0])
}
