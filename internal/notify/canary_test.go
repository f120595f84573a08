package notify_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/notify"
	"github.com/dbguard/dbguard/internal/testenv"
)

// echoReceiver answers as its mode says; in modes 400 and 500 it is the
// worst receiver there is: it echoes the request (URI, Authorization,
// body) into its error answer.
type echoReceiver struct {
	*httptest.Server
	canary string
	mu     sync.Mutex
	mode   string
	got    []request
}

func newEchoReceiver(t *testing.T, canary string) *echoReceiver {
	e := &echoReceiver{canary: canary, mode: "ok"}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		mode := e.mode
		e.got = append(e.got, request{r.Method, r.URL.RequestURI(), r.Header.Get("Content-Type"), body})
		e.mu.Unlock()
		switch mode {
		case "ok":
			w.WriteHeader(http.StatusOK)
		case "redirect":
			http.Redirect(w, r, "/elsewhere?token="+e.canary, http.StatusFound)
		default:
			code := http.StatusInternalServerError
			if mode == "400" {
				code = http.StatusBadRequest
			}
			w.WriteHeader(code)
			fmt.Fprintf(w, "%s %s %s", r.URL.RequestURI(), r.Header.Get("Authorization"), body)
		}
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *echoReceiver) setMode(m string) {
	e.mu.Lock()
	e.mode = m
	e.mu.Unlock()
}

// TestCanary plants a canary in every secret a spec can hold (a webhook
// URL's user info, path and query; the Slack URL's path; Alertmanager's
// user info; the PagerDuty routing key; the SMTP password), makes every
// notifier succeed and fail in each way it can (refused, silent, 4xx,
// 5xx whose body echoes the request, a redirect to the token, a refused
// SMTP login) through a Dispatcher whose hooks log as watch does, and
// looks for the canary in every error, every log line, every way of
// printing a Spec, and every payload: it may appear only in PagerDuty's
// routing_key member.
func TestCanary(t *testing.T) {
	t.Parallel()
	var raw [12]byte
	rand.Read(raw[:])
	canary := "c4n4ry" + hex.EncodeToString(raw[:])

	echo := newEchoReceiver(t, canary)
	echoAddr := strings.TrimPrefix(echo.URL, "http://")
	silent := testenv.SilentListener(t).String()
	closed := "127.0.0.1:" + itoa(testenv.ClosedPort(t))
	mailOK := newMailServer(t, mailOptions{tls: true})
	mailOK.password = canary // this server takes the canary: success
	mailNo := newMailServer(t, mailOptions{tls: true})

	specs := func(httpAddr, smtpAddr string, roots *mailServer) []notify.Spec {
		common := notify.Spec{SendResolved: true, Timeout: 300 * time.Millisecond, Retries: 1, Backoff: time.Millisecond}
		with := func(s notify.Spec) notify.Spec {
			s.SendResolved, s.Timeout, s.Retries, s.Backoff = common.SendResolved, common.Timeout, common.Retries, common.Backoff
			return s
		}
		return []notify.Spec{
			with(notify.Spec{Name: "webhook", Type: notify.TypeWebhook,
				URL: "http://u:" + canary + "@" + httpAddr + "/hooks/" + canary + "?token=" + canary}),
			with(notify.Spec{Name: "slack", Type: notify.TypeSlack, URL: "http://" + httpAddr + "/services/T0/B0/" + canary}),
			with(notify.Spec{Name: "alertmanager", Type: notify.TypeAlertmanager, URL: "http://am:" + canary + "@" + httpAddr}),
			with(notify.Spec{Name: "pagerduty", Type: notify.TypePagerDuty, URL: "http://" + httpAddr + "/v2/enqueue", RoutingKey: canary}),
			with(notify.Spec{Name: "email", Type: notify.TypeEmail, SMTP: notify.SMTP{Addr: smtpAddr,
				From: "dbguard@example.org", To: []string{"oncall@example.org"},
				Username: "alerts", Password: canary, RootCAs: roots.roots}}),
		}
	}
	names := []string{"webhook", "slack", "alertmanager", "pagerduty", "email"}

	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&logMu, &logs}, nil))
	var errs []error
	var errMu sync.Mutex

	scenarios := []struct {
		name, mode, httpAddr string
		mail                 *mailServer
		smtpAddr             string
		wantOK               bool
	}{
		{"delivered", "ok", echoAddr, mailOK, mailOK.addr, true},
		{"4xx echoing the request", "400", echoAddr, mailNo, mailNo.addr, false},
		{"5xx echoing the request", "500", echoAddr, mailNo, mailNo.addr, false},
		{"redirect to the token", "redirect", echoAddr, mailNo, mailNo.addr, false},
		{"refused", "ok", closed, mailNo, closed, false},
		{"silent", "ok", silent, mailNo, silent, false},
	}
	for _, sc := range scenarios {
		echo.setMode(sc.mode)
		ss := specs(sc.httpAddr, sc.smtpAddr, sc.mail)
		for _, s := range ss {
			// Every way a caller might print a spec.
			logger.Info("notifier loaded", "spec", s)
			logger.Info("notifier", "printf", fmt.Sprintf("%v %+v %#v %s", s, s, s, s), "smtp", s.SMTP.Addr)
			js, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			logger.Info("notifier", "json", string(js))
		}
		outcomes := map[string][]error{}
		var omu sync.Mutex
		d, err := notify.NewDispatcher(ss, notify.Hooks{OnDelivery: func(n string, attempt int, err error) {
			// As watch logs it.
			logger.Warn("notify", "notifier", n, "attempt", attempt, "err", err)
			omu.Lock()
			outcomes[n] = append(outcomes[n], err)
			omu.Unlock()
			if err != nil {
				errMu.Lock()
				errs = append(errs, err)
				errMu.Unlock()
			}
		}})
		if err != nil {
			t.Fatalf("%s: %v", sc.name, err)
		}
		d.Send(names, sampleAlert(alert.StateFiring))
		d.Send(names, sampleAlert(alert.StateResolved))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := d.Close(ctx); err != nil {
			t.Fatalf("%s: Close: %v", sc.name, err)
		}
		cancel()
		for _, n := range names {
			got := outcomes[n]
			if len(got) == 0 {
				t.Errorf("%s: %s reported nothing", sc.name, n)
				continue
			}
			last := got[len(got)-1]
			if sc.wantOK && last != nil {
				t.Errorf("%s: %s failed: %v", sc.name, n, last)
			}
			if !sc.wantOK && last == nil {
				t.Errorf("%s: %s delivered; the scenario should fail it", sc.name, n)
			}
		}
	}

	if len(errs) < 4*5 {
		t.Errorf("only %d errors: the failing scenarios did not fail every notifier", len(errs))
	}
	for _, err := range errs {
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(s, canary) {
				t.Errorf("the canary is in an error: %s", s)
			}
		}
	}
	logMu.Lock()
	if bytes.Contains(logs.Bytes(), []byte(canary)) {
		t.Errorf("the canary is in the log:\n%s", logs.String())
	}
	logMu.Unlock()

	// Payloads: the canary only in PagerDuty's routing_key member.
	echo.mu.Lock()
	got := append([]request(nil), echo.got...)
	echo.mu.Unlock()
	pd := 0
	for _, r := range got {
		body := r.Body
		if strings.HasPrefix(r.Path, "/v2/enqueue") {
			var ev map[string]any
			if err := json.Unmarshal(body, &ev); err != nil {
				t.Fatal(err)
			}
			if ev["routing_key"] != canary {
				t.Errorf("PagerDuty event without the routing key: %s", body)
			}
			delete(ev, "routing_key")
			body, _ = json.Marshal(ev)
			pd++
		}
		if bytes.Contains(body, []byte(canary)) {
			t.Errorf("the canary is in the payload to %s: %s", strings.ReplaceAll(r.Path, canary, "CANARY"), body)
		}
	}
	if pd == 0 || len(got) < 4*2 {
		t.Errorf("receiver got %d requests, %d to PagerDuty", len(got), pd)
	}
	msgs := mailOK.received()
	if len(msgs) != 2 {
		t.Errorf("SMTP server got %d messages, want 2", len(msgs))
	}
	for _, m := range msgs {
		if bytes.Contains(m.data, []byte(canary)) {
			t.Errorf("the canary is in an email")
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
