package serve

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The budget lets acquirers through while units are free, queues the rest
// in arrival order, and drops a waiter whose context ends.
func TestBudget(t *testing.T) {
	b := newBudget(10)
	ctx := context.Background()
	if err := b.acquire(ctx, 6); err != nil {
		t.Fatal(err)
	}
	got := make(chan int64, 2)
	go func() { b.acquire(ctx, 8); got <- 8 }()
	time.Sleep(20 * time.Millisecond)
	go func() { b.acquire(ctx, 1); got <- 1 }() // fits, but waits behind the 8
	select {
	case n := <-got:
		t.Fatalf("acquire(%d) passed while 6 of 10 units were taken and 8 waited first", n)
	case <-time.After(50 * time.Millisecond):
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := b.acquire(short, 5); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a waiter past its deadline: %v", err)
	}
	b.release(6)
	if a, c := <-got, <-got; a+c != 9 {
		t.Fatalf("served %d and %d, want 8 and 1", a, c)
	}
	b.release(9)
	if b.free != 10 || len(b.waiters) != 0 {
		t.Fatalf("%d units free and %d waiters at the end", b.free, len(b.waiters))
	}
}
