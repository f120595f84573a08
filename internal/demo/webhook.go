package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
)

// webhook is the demo's alert receiver: watch's webhook notifier posts
// one alert per request to it, on loopback.
type webhook struct {
	url    string
	srv    *http.Server
	mu     sync.Mutex
	alerts []alert.Alert
	raw    []string
	signal chan struct{}
}

func listenWebhook() (*webhook, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the webhook receiver: %w", err)
	}
	h := &webhook{url: "http://" + l.Addr().String() + "/alerts", signal: make(chan struct{}, 1)}
	h.srv = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = h.srv.Serve(l) }()
	return h, nil
}

func (h *webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var a alert.Alert
	if err != nil || json.Unmarshal(body, &a) != nil {
		http.Error(w, "not an alert", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.alerts = append(h.alerts, a)
	h.raw = append(h.raw, string(body))
	h.mu.Unlock()
	select {
	case h.signal <- struct{}{}:
	default:
	}
}

// wait returns the first alert received that ok accepts.
func (h *webhook) wait(ctx context.Context, limit time.Duration, ok func(alert.Alert) bool) (alert.Alert, error) {
	deadline := time.After(limit)
	for {
		h.mu.Lock()
		for _, a := range h.alerts {
			if ok(a) {
				h.mu.Unlock()
				return a, nil
			}
		}
		h.mu.Unlock()
		select {
		case <-h.signal:
		case <-ctx.Done():
			return alert.Alert{}, ctx.Err()
		case <-deadline:
			return alert.Alert{}, fmt.Errorf("no such alert within %s", limit)
		}
	}
}

func (h *webhook) payloads() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.raw...)
}

func (h *webhook) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stop the webhook receiver: %w", err)
	}
	return nil
}
