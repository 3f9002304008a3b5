package fasttrain

import "sync"

// workers runs a phase function on t goroutines (the caller is worker 0)
// and waits for all of them. The other t-1 goroutines start on the first
// multi-threaded run and stop in stop.
type workers struct {
	t       int
	jobs    []chan func(w, t int) // per worker index 1..t-1
	done    sync.WaitGroup
	running sync.WaitGroup
}

// run calls f(w, t) for every worker w in [0, t) concurrently and returns
// when all calls have returned. f must be a value made once (a method
// value stored at build time) so that run does not allocate.
func (p *workers) run(f func(w, t int)) {
	if p.t == 1 {
		f(0, 1)
		return
	}
	if p.jobs == nil {
		p.start()
	}
	p.done.Add(p.t - 1)
	for w := 1; w < p.t; w++ {
		p.jobs[w] <- f
	}
	f(0, p.t)
	p.done.Wait()
}

func (p *workers) start() {
	p.jobs = make([]chan func(w, t int), p.t)
	p.running.Add(p.t - 1)
	for w := 1; w < p.t; w++ {
		ch := make(chan func(w, t int))
		p.jobs[w] = ch
		go func() {
			defer p.running.Done()
			for f := range ch {
				f(w, p.t)
				p.done.Done()
			}
		}()
	}
}

// stop ends the worker goroutines and waits for them; run starts them
// again if called later.
func (p *workers) stop() {
	for _, ch := range p.jobs {
		if ch != nil {
			close(ch)
		}
	}
	p.running.Wait()
	p.jobs = nil
}

// span returns worker w's share [lo, hi) of total items split among t.
func span(total, w, t int) (lo, hi int) {
	return total * w / t, total * (w + 1) / t
}
