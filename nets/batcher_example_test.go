package nets_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
)

// Four search goroutines share one backend through a Batcher: each has its
// own Client, and their positions reach the backend together.
func ExampleBatcher() {
	spec := nets.DefaultSpec(9)
	backend := netstest.NewFake(spec) // a real backend: nets/cpu, nets/tape
	b, err := nets.NewBatcher(backend, nets.BatcherOptions{MaxBatch: 8})
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.Run(ctx)

	sh, _ := spec.InputShape()
	var wg sync.WaitGroup
	for i := range 4 {
		c := b.Client()
		wg.Go(func() {
			defer c.Close()
			g, _ := board.NewGame(9, 7.5, board.DefaultRules())
			g.Play(board.Black, board.PointAt(i, 4))
			in := make([]float32, sh.Len())
			nets.Encode(g, 0, in)
			policy, value := make([]float32, spec.Moves()), make([]float32, 1)
			if err := c.Evaluate(ctx, in, 0, policy, value); err != nil {
				panic(err)
			}
		})
	}
	wg.Wait()
	fmt.Println("positions evaluated:", b.Stats().Positions)
	// Output: positions evaluated: 4
}
