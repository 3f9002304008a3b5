//go:build linux && (amd64 || arm64) && !tengen_nocuda

package cuda

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// TestDlopenErrorMessage: a failed dlopen always comes with the loader's
// message, even with many goroutines loading at once and being moved
// between threads (dlerror is per thread: read on another thread it is
// empty, and the missing-library report lost its reason).
func TestDlopenErrorMessage(t *testing.T) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var empty int
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				name := fmt.Sprintf("libtengen-missing-%d-%d.so", g, i)
				_, err := dlopen(name)
				if err == nil || !strings.Contains(err.Error(), name) {
					mu.Lock()
					empty++
					mu.Unlock()
				}
				runtime.Gosched()
			}
		})
	}
	wg.Wait()
	if empty > 0 {
		t.Errorf("%d of 2400 failed dlopens without the library's name in the error", empty)
	}
}
