package cli

import (
	"net/http"
	"net/http/pprof"
)

// debugHandler serves Go's runtime profiles (/debug/pprof/: heap,
// goroutines, CPU, allocations) for watch's --debug-listen. They are on
// their own address, off unless asked for, because a profile names the
// code and shows memory: an operator asks for them on loopback when
// watch's memory or CPU needs explaining (bench/README.md, watch, used
// them). The handlers are mounted on a mux of their own: nothing is added
// to http.DefaultServeMux's routes that watch serves.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return mux
}
