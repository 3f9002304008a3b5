// Command tengen is a computer-Go engine: GTP front end, training,
// evaluation, self-play and benchmarks in one binary.
//
// Usage:
//
//	tengen <command> [flags] [args]
//
// Run "tengen help" for the list of commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "tengen: %v\n", err)
		os.Exit(exitCode(err))
	}
}
