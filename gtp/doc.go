// Package gtp speaks the Go Text Protocol, version 2
// (https://www.lysator.liu.se/~gunnar/gtp/).
//
// The client side is [Client]: it starts an engine process (GNU Go,
// another tengen, any GTP engine), sends it one command at a time and reads
// the reply. Tests, the match runner and gating use it.
//
//	c, err := gtp.Start(gtp.Config{Path: "gnugo", Args: []string{"--mode", "gtp"}})
//	if err != nil { ... }
//	defer c.Close()
//	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
//	defer cancel()
//	move, err := c.Send(ctx, "genmove", "b")
//
// Replies starting with '?' come back as [*EngineError]. Every Send takes
// a context: if it ends before the reply is complete, the engine is deemed
// hung and killed (its state is no longer known), the error wraps
// ctx.Err(), and later Sends fail with [ErrNotRunning] until
// [Client.Restart]. An engine that exits or closes its output gives errors
// wrapping [ErrDied] that carry its exit status and the tail of its
// standard error.
//
// The server side (an engine answering GTP) is still to come.
package gtp
