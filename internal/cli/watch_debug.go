package cli

import (
	"net/http"
	"net/http/pprof"
)

// debugHandler serves Go's runtime profiles (/debug/pprof/: heap,
// goroutines, CPU, allocations) for watch's --debug-listen. They are on
// their own address, off unless asked for, because a profile names the
// code and how much memory each allocation site holds: an operator asks
// for them on loopback when watch's memory or CPU needs explaining
// (bench/README.md's watch memory figures came from them). Not served:
// /debug/pprof/cmdline, the process's arguments, where --webhook may
// carry a token. net/http/pprof also registers itself on
// http.DefaultServeMux, which watch never serves.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return mux
}
