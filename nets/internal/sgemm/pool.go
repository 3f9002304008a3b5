package sgemm

import "sync"

// job is one worker's share of a call.
type job struct {
	ws             *workspace
	kern           *kernel
	p              *problem
	i0, i1, j0, j1 int
	wg             *sync.WaitGroup
}

// jobs hands jobs to idle worker goroutines. Workers are started on demand
// (when no idle one takes a job) and then wait for the next job for the
// life of the process: a blocked goroutine costs a few KiB and no CPU, and
// handing a job over a channel does not allocate, unlike starting a
// goroutine per call.
var jobs = make(chan *job)

// submit runs j on a worker goroutine; j.wg.Done is called when it ends.
func submit(j *job) {
	select {
	case jobs <- j:
	default:
		go worker(j)
	}
}

func worker(j *job) {
	for {
		j.ws.run(j.kern, j.p, j.i0, j.i1, j.j0, j.j1)
		j.wg.Done()
		j = <-jobs
	}
}
