package watch_bench

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	floor      = flag.Bool("floor", false, "measure the CPU a bare loop of connect and close costs per connection, the floor under any TCP prober")
	floorPorts = flag.String("floor-ports", "", "internal: the child's target ports")
	floorRate  = flag.Int("floor-rate", 0, "internal: the child's connections per second")
	floorRound = flag.Int("floor-round", 0, "internal: the child's connections per round")
)

// TestConnectFloor measures the floor under the Gatus comparison: a
// process that does nothing but socket, non-blocking connect (twice: on
// loopback the handshake is done by then) and close to the same loopback
// targets, at the comparison's rate (targets / 10 s), in rounds of 1, 10,
// 100 or 1,000 connections. The targets listen in this process; the loop
// runs in a child, whose CPU time (getrusage, user and system) is the
// figure: the kernel runs the loopback handshake in the connecting
// process, so most of it is the kernel's, for any prober.
func TestConnectFloor(t *testing.T) {
	if *floorPorts != "" {
		connectLoop(t)
		return
	}
	if !*floor {
		t.Skip("a benchmark: bench/watch/run.sh floor")
	}
	raiseFileLimit(t)
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			t.Fatalf("-targets: %q is not a positive number", s)
		}
		ports := acceptTargets(t, n)
		list := make([]string, len(ports))
		for i, p := range ports {
			list[i] = strconv.Itoa(p)
		}
		for _, round := range []int{1, 10, 100, 1000} {
			if round > n/10 {
				continue
			}
			cmd := exec.Command(os.Args[0], "-test.run", "^TestConnectFloor$", "-floor-ports", strings.Join(list, ","),
				"-floor-rate", strconv.Itoa(n/int(interval/time.Second)), "-floor-round", strconv.Itoa(round), "-window", window.String())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("connect loop: %v\n%s", err, out)
			}
			for _, line := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(line, "floor ") {
					fmt.Printf("%d targets: %s\n", n, line)
				}
			}
		}
	}
}

// connectLoop is the child of TestConnectFloor.
func connectLoop(t *testing.T) {
	var ports []int
	for _, p := range strings.Split(*floorPorts, ",") {
		n, err := strconv.Atoi(p)
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, n)
	}
	addr := [4]byte{127, 0, 0, 2} // targetHost
	pause := time.Duration(*floorRound) * time.Second / time.Duration(*floorRate)
	var before, after syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &before); err != nil {
		t.Fatal(err)
	}
	begin, count, failed := time.Now(), 0, 0
	for time.Since(begin) < *window {
		for range *floorRound {
			sa := &syscall.SockaddrInet4{Port: ports[count%len(ports)], Addr: addr}
			count++
			fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err = syscall.Connect(fd, sa); err == syscall.EINPROGRESS {
				err = syscall.Connect(fd, sa)
			}
			if err != nil && err != syscall.EISCONN {
				failed++
			}
			syscall.Close(fd)
		}
		time.Sleep(pause)
	}
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &after); err != nil {
		t.Fatal(err)
	}
	cpu := time.Duration(syscall.TimevalToNsec(after.Utime) - syscall.TimevalToNsec(before.Utime) +
		syscall.TimevalToNsec(after.Stime) - syscall.TimevalToNsec(before.Stime))
	fmt.Printf("floor rounds of %4d at %5d/s: %6d connections (%d not connected at once) in %v, CPU %v = %5.1f µs/connection\n",
		*floorRound, *floorRate, count, failed, time.Since(begin).Round(time.Second), cpu.Round(time.Millisecond),
		float64(cpu)/float64(count)/float64(time.Microsecond))
}
