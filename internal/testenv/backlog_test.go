package testenv_test

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
)

func TestFullBacklogPortTimesOut(t *testing.T) {
	port := testenv.FullBacklogPort(t)
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 300*time.Millisecond)
	if err == nil {
		c.Close()
		t.Fatal("a dial to a full listen queue connected")
	}
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("dial: %v, want a timeout", err)
	}
}
