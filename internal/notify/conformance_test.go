package notify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/notify"
	"github.com/dbguard/dbguard/internal/testenv"
)

// specFor returns a valid spec of type typ whose receiver is at addr
// (host:port), for the conformance suite. A type added to the registry
// without an entry here fails TestConformance.
func specFor(typ, addr string) (notify.Spec, bool) {
	s := notify.Spec{Name: "n-" + typ, Type: typ}
	switch typ {
	case notify.TypeWebhook:
		s.URL = "http://" + addr + "/hook"
	case notify.TypeSlack:
		s.URL = "http://" + addr + "/services/T/B/token"
	case notify.TypeAlertmanager:
		s.URL = "http://" + addr
	case notify.TypePagerDuty:
		s.URL, s.RoutingKey = "http://"+addr+"/v2/enqueue", "routingkey"
	case notify.TypeEmail:
		s.SMTP = notify.SMTP{Addr: addr, From: "a@example.org", To: []string{"b@example.org"}, TLS: notify.TLSNone}
	default:
		return s, false
	}
	return s, true
}

// TestConformance holds every registered notifier type to the contract
// the Dispatcher and watch rely on: Name is the spec's name; a resolved
// alert is not sent without SendResolved; Notify honours a cancelled
// context and the spec's timeout against a receiver that never answers,
// with an error that is a context error and not permanent.
func TestConformance(t *testing.T) {
	t.Parallel()
	silent := testenv.SilentListener(t).String()
	for _, typ := range notify.Types() {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			s, ok := specFor(typ, silent)
			if !ok {
				t.Fatalf("no conformance spec for notifier type %q: add one to specFor", typ)
			}
			s.Timeout = 300 * time.Millisecond
			n, err := notify.New(s)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if n.Name() != s.Name {
				t.Errorf("Name() = %q, want %q", n.Name(), s.Name)
			}
			// Not sent: returns at once although the receiver is silent.
			start := time.Now()
			if err := n.Notify(context.Background(), sampleAlert(alert.StateResolved)); err != nil {
				t.Errorf("resolved without SendResolved: %v", err)
			}
			if took := time.Since(start); took > 100*time.Millisecond {
				t.Errorf("resolved without SendResolved took %v: it was sent", took)
			}

			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err = n.Notify(ctx, sampleAlert(alert.StateFiring))
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled context: err = %v, want context.Canceled", err)
			}

			start = time.Now()
			err = n.Notify(context.Background(), sampleAlert(alert.StateFiring))
			if !errors.Is(err, context.DeadlineExceeded) || notify.Permanent(err) {
				t.Errorf("silent receiver: err = %v, want a context.DeadlineExceeded, not permanent", err)
			}
			if took := time.Since(start); took < s.Timeout || took > s.Timeout+3*time.Second {
				t.Errorf("silent receiver: Notify took %v, want about the %v timeout", took, s.Timeout)
			}
		})
	}
}
