// Command fakeengine serves GTP on stdin/stdout with gtp.Server and the
// deterministic fake Player of gtp/gtptest, reporting analysis every
// interval as a real engine does. It is the fallback target of the Sabaki
// integration test, independent of the search and the networks.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/gtp/gtptest"
)

func main() {
	p := &gtptest.Player{Periodic: true, Delay: 20 * time.Millisecond, Scores: true}
	srv, err := gtp.NewServer(p, gtp.ServerConfig{Name: "tengen-fake", Version: "test", Seed: 1, Log: os.Stderr})
	if err == nil {
		err = srv.Serve(context.Background(), os.Stdin, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeengine:", err)
		os.Exit(1)
	}
}
