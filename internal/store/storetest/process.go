package storetest

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/store"
)

// CrashRounds is how many times the crash test kills an appending process.
// The normal test run keeps it short; the acceptance run asks for
// -store.crash-rounds=50 or more.
var crashRounds = flag.Int("store.crash-rounds", 3, "rounds of the store crash test (SIGKILL of an appending process)")

// envChild carries a child's orders (JSON childOrders) from the suite to
// the test binary it re-executes.
const envChild = "DBGUARD_STORETEST_CHILD"

type childOrders struct {
	Addr    string `json:"addr"`
	Witness string `json:"witness"`
	Tag     string `json:"tag"`
	// Count events (0: until killed) in batches of Batch.
	Count int `json:"count"`
	Batch int `json:"batch"`
}

// Child must be called first thing in the TestMain of a backend's test
// package. In a process the suite started as an appender it appends as
// ordered, writing each event's id to stdout once Append returned, and
// exits; in any other process it returns at once.
func Child(h Harness) {
	spec := os.Getenv(envChild)
	if spec == "" {
		return
	}
	var o childOrders
	if err := json.Unmarshal([]byte(spec), &o); err != nil {
		fmt.Fprintln(os.Stderr, "child orders:", err)
		os.Exit(3)
	}
	if err := runChild(h, o); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runChild(h Harness, o childOrders) error {
	ctx := context.Background()
	k, err := store.ParseKey([]byte(testKeyText))
	if err != nil {
		return err
	}
	b, err := h.Open(ctx, o.Addr, 0)
	if err != nil {
		return err
	}
	s, err := store.New(ctx, b, store.Options{Key: k, WitnessDir: o.Witness})
	if err != nil {
		return err
	}
	defer s.Close()
	out := os.Stdout // unbuffered: a line written is in the pipe
	for n := 0; o.Count == 0 || n < o.Count; n += o.Batch {
		batch := make([]store.Event, o.Batch)
		for i := range batch {
			batch[i] = Event(store.KindVerification, o.Tag+".yaml", "db", o.Tag, "production", fmt.Sprint(n+i))
		}
		got, err := s.Append(ctx, batch...)
		if err != nil {
			return err
		}
		var line strings.Builder
		for _, e := range got {
			line.WriteString(e.ID + "\n")
		}
		if _, err := out.WriteString(line.String()); err != nil {
			return err
		}
	}
	return nil
}

// startChild runs the test binary as an appender; lines receives the ids
// it reports, and is closed when its stdout closes.
func startChild(t *testing.T, o childOrders) (*exec.Cmd, <-chan string) {
	t.Helper()
	spec, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+string(spec))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start an appender: %v", err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return cmd, lines
}

// ids returns the ids of every event in the store, and checks that the
// sequence numbers run 1..n without a gap.
func ids(t *testing.T, s *store.Store) map[string]bool {
	t.Helper()
	evs, err := s.Events(ctxFor(t, time.Minute), store.Query{})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	seen := make(map[string]bool, len(evs))
	for i, e := range evs {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: the sequence has a gap", i+1, e.Seq)
		}
		seen[e.ID] = true
	}
	return seen
}

func testConcurrent(t *testing.T, h *Harness) {
	addr, witness := h.Fresh(t), t.TempDir()
	h.open(t, addr, witness) // migrate once, so that the children race on appends
	const children, count = 4, 40
	var wg sync.WaitGroup
	reported := make([][]string, children)
	cmds := make([]*exec.Cmd, children)
	for c := range children {
		cmd, lines := startChild(t, childOrders{Addr: addr, Witness: witness, Tag: fmt.Sprint("c", c), Count: count, Batch: 1 + c%2*4})
		cmds[c] = cmd
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range lines {
				reported[c] = append(reported[c], l)
			}
		}()
	}
	wg.Wait()
	for c, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("appender %d: %v", c, err)
		}
	}
	s := h.open(t, addr, witness)
	seen := ids(t, s)
	total := 0
	for c := range children {
		total += len(reported[c])
		for _, id := range reported[c] {
			if !seen[id] {
				t.Fatalf("appender %d's event %s is missing", c, id)
			}
		}
	}
	if total != children*count || len(seen) != total {
		t.Fatalf("%d events reported, %d stored; want %d", total, len(seen), children*count)
	}
	rep, err := s.Check(ctxFor(t, time.Minute))
	if err != nil || !rep.OK() || rep.Witness != store.WitnessMatched {
		t.Fatalf("Check after concurrent appends = %+v, %v", rep, err)
	}
}

// RunCrash kills an appending process with SIGKILL at random moments,
// -store.crash-rounds times; after each kill the store must open, check
// clean, and hold every event whose append had returned.
func RunCrash(t *testing.T, h Harness) {
	addr, witness := h.Fresh(t), t.TempDir()
	h.open(t, addr, witness)
	var acked []string
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 14))
	for round := range *crashRounds {
		cmd, lines := startChild(t, childOrders{Addr: addr, Witness: witness, Tag: "crash", Batch: 1 + round%3*7})
		first, ok := <-lines
		if !ok {
			cmd.Wait()
			t.Fatalf("round %d: the appender wrote nothing", round)
		}
		acked = append(acked, first)
		time.Sleep(time.Duration(rng.IntN(40_000)) * time.Microsecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatalf("round %d: kill: %v", round, err)
		}
		for l := range lines {
			acked = append(acked, l)
		}
		cmd.Wait()
		s := h.open(t, addr, witness)
		seen := ids(t, s)
		for _, id := range acked {
			if !seen[id] {
				t.Fatalf("round %d: event %s was acknowledged and is gone", round, id)
			}
		}
		rep, err := s.Check(ctxFor(t, time.Minute))
		if err != nil || !rep.OK() {
			t.Fatalf("round %d: Check after SIGKILL = %+v, %v", round, rep, err)
		}
		s.Close()
	}
	t.Logf("%d rounds, %d events acknowledged", *crashRounds, len(acked))
}
