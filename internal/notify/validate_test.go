package notify_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/notify"
)

func itoa(n int) string { return strconv.Itoa(n) }

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		spec   notify.Spec
		fields []string // the fields named, in order; none: valid
	}{
		{"webhook", notify.Spec{Name: "a", Type: "webhook", URL: "https://hooks.example/x?token=1"}, nil},
		{"no name", notify.Spec{Type: "webhook", URL: "http://127.0.0.1/x"}, []string{"name"}},
		{"unknown type", notify.Spec{Name: "a", Type: "carrier-pigeon"}, []string{"type"}},
		{"no url", notify.Spec{Name: "a", Type: "webhook"}, []string{"url"}},
		{"ftp url", notify.Spec{Name: "a", Type: "webhook", URL: "ftp://h/x"}, []string{"url"}},
		{"no host", notify.Spec{Name: "a", Type: "webhook", URL: "http:///x"}, []string{"url"}},
		{"bad url", notify.Spec{Name: "a", Type: "webhook", URL: "http://h/%zz"}, []string{"url"}},
		{"negatives", notify.Spec{Name: "a", Type: "webhook", URL: "http://h", Timeout: -1, Retries: -2, Backoff: -1},
			[]string{"timeout", "retries", "backoff"}},
		{"no retry", notify.Spec{Name: "a", Type: "webhook", URL: "http://h", Retries: -1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.spec.Validate()
			var got []string
			for _, e := range unjoin(err) {
				var fe *notify.FieldError
				if !errors.As(e, &fe) {
					t.Fatalf("error %v is not a *FieldError", e)
				}
				if fe.Notifier != tt.spec.Name {
					t.Errorf("FieldError.Notifier = %q", fe.Notifier)
				}
				got = append(got, fe.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields = %v, want %v (err %v)", got, tt.fields, err)
			}
			if err != nil && tt.spec.URL != "" && strings.Contains(err.Error(), tt.spec.URL) {
				t.Errorf("error quotes the URL: %v", err)
			}
			if _, nerr := notify.New(tt.spec); (nerr == nil) != (err == nil) {
				t.Errorf("New err = %v, Validate err = %v", nerr, err)
			}
		})
	}
}

// unjoin returns the errors joined in err (errors.Join), or err alone.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func errorsAs(err error, target any) bool { return err != nil && errors.As(err, target) }
