package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/metrics"
	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/verify"
	"github.com/dbguard/dbguard/internal/watch"
)

// watchOptions are watch's flags.
type watchOptions struct {
	configPath    string
	noConfig      bool
	interval      time.Duration
	webhook       string
	store         string
	storeKey      string
	noStore       bool
	listen        string
	metricsListen string
	debugListen   string
	once          bool
	checkConfig   bool
	format        string
	secretsDir    string
	logLevel      string
}

func newWatchCommand(e *env) *cobra.Command {
	o := &watchOptions{}
	cmd := &cobra.Command{
		Use:   "watch [PATH...] | watch --config dbguard.yaml",
		Short: "Probe every connection continuously, see configuration changes, alert with the stage, the cause and the rollback",
		Long: `watch is the daemon that runs next to production. It probes every connection
profile found in PATH (or in dbguard.yaml's watch.sources) at its interval
with verify's staged prober (default every 10s, jittered, the first round at
start), each probe a fresh connection; a failure is retried once quickly
before it counts.

It watches the files: when one changes (an editor's rename, a Kubernetes
ConfigMap's ..data swap), it records the new revision and review's diff in
the event store and probes the changed profiles at once. A revision becomes
verified good after its first successful probe.

Alerts (target down, failure ratio, change induced, capacity, certificate
expiring) say the failing stage and class, how many of the service's targets
fail, the recent changes to them and, when a changed field explains the
class, the likely cause with the exact dbguard rollback command; when no
change explains it, they say so. Routes send them to notifiers (webhook,
Slack, Alertmanager, PagerDuty, email) named in watch.notifiers, whose
secrets are referenced by environment variable or file only.

It serves /metrics, /healthz and /readyz on --listen (default
127.0.0.1:9432), or /metrics, /healthz and /readyz on --metrics-listen when
that is set; it logs JSON to stderr. SIGHUP, or a change of dbguard.yaml,
reloads the configuration; an invalid one is logged and the running one
kept (dbguard_config_last_reload_successful 0). SIGTERM stops probing and
closes the store within a second.

Exit codes: with --once, verify's: 0 every profile passed, 1 a profile
failed, 2 usage error or no readable input. --check-config: 0 valid, 2
invalid or a secret reference that does not resolve. The daemon: 0 after
SIGTERM or SIGINT, 2 when it cannot start.`,
		Example: `  # watch a folder with no configuration, metrics on the default port
  dbguard watch deploy/

  # the daemon as configured (docs/watch.md)
  dbguard watch --config dbguard.yaml

  # check the watch section, secrets masked, references resolved
  dbguard watch --config dbguard.yaml --check-config

  # one round, verify's report and exit codes (cron, CI)
  dbguard watch --once --config dbguard.yaml

  # in a pod: metrics on the pod's IP, everything else on loopback
  dbguard watch --config /etc/dbguard/dbguard.yaml --metrics-listen :9432 --listen 127.0.0.1:9433`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWatch(e, o, args)
		},
	}
	f := cmd.Flags()
	addConfigFlags(f, &o.configPath, &o.noConfig)
	f.DurationVar(&o.interval, "interval", 0, "probe interval, replacing watch.interval (default 10s)")
	f.StringVar(&o.webhook, "webhook", "", "also send every alert to this URL as JSON (a webhook notifier named webhook); a URL holding a token is better in watch.notifiers with url_env")
	f.StringVar(&o.store, "store", "", "the event store: a SQLite file or a postgres:// URL (default: dbguard.yaml's store section, else .dbguard/state.db at the repository root)")
	f.StringVar(&o.storeKey, "store-key", "", "the store key file (default: $"+app.EnvStoreKey+", else $XDG_CONFIG_HOME/dbguard/store.key, created on first use)")
	f.BoolVar(&o.noStore, "no-store", false, "run without the event store: no revisions, no correlation, no alert events")
	f.StringVar(&o.listen, "listen", "", fmt.Sprintf("address of /healthz, /readyz and (without --metrics-listen) /metrics (default 127.0.0.1:%d)", config.DefaultWatchPort))
	f.StringVar(&o.metricsListen, "metrics-listen", "", "separate address for /metrics, /healthz and /readyz")
	f.StringVar(&o.debugListen, "debug-listen", "", "serve Go's runtime profiles (/debug/pprof/: heap, CPU, goroutines) on this address; off by default, keep it on loopback")
	f.BoolVar(&o.once, "once", false, "probe every profile once, print verify's report and exit with verify's exit codes")
	f.BoolVar(&o.checkConfig, "check-config", false, "print the watch configuration as it applies, secrets masked, and exit")
	f.StringVarP(&o.format, "format", "o", "text", "output format (with --once): "+strings.Join(output.VerifyFormats().Names(), ", "))
	f.StringVar(&o.secretsDir, "secrets-dir", "", "folder where Kubernetes secrets are mounted (NAME/KEY files)")
	f.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	return cmd
}

func runWatch(e *env, o *watchOptions, args []string) error {
	for _, a := range args {
		if a == "-" {
			return usageError("watch reads files it can watch: standard input (-) cannot be one")
		}
	}
	cfgPath := o.configPath
	if cfgPath == "" && !o.noConfig {
		if p, ok := config.Discover("."); ok {
			cfgPath = p
		}
	}
	cfg, err := loadConfig(cfgPath, o.noConfig)
	if err != nil {
		return err
	}
	if o.noConfig {
		cfgPath = ""
	}
	if o.format != "text" && !o.once {
		return usageError("--format applies to --once only: the daemon logs JSON and serves metrics")
	}
	if o.checkConfig {
		v, err := watch.View(cfg, os.Getenv)
		if werr := output.WatchConfig(e.stdout, v); werr != nil {
			return werr
		}
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		return nil
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return usageError("unknown --log-level %q: use debug, info, warn or error", o.logLevel)
	}
	if o.interval < 0 {
		return usageError("--interval must be positive, got %s", o.interval)
	}
	logger := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	base := "."
	if cfgPath != "" {
		base = filepath.Dir(cfgPath)
	}
	wd, _ := os.Getwd()
	hup := make(chan os.Signal, 1)
	reload := make(chan struct{}, 1)
	opts := watch.Options{ConfigPath: cfgPath, Config: cfg, Paths: args, Interval: o.interval, Webhook: o.webhook, NoStore: o.noStore,
		Store:     app.StoreRequest{Location: o.store, KeyFile: o.storeKey, Config: cfg, Dir: ".", Getenv: os.Getenv},
		Logger:    logger,
		Metrics:   m,
		NewSender: watch.NotifySender(base, os.Getenv, m, logger),
		Resolve:   verify.ResolveOptions{Env: os.LookupEnv, SecretsDir: o.secretsDir, BaseDir: wd},
		Reload:    reload,
		// main gives a command 750ms after SIGTERM: probes are cut at
		// once, deliveries and the store get the rest.
		ShutdownGrace: 500 * time.Millisecond,
	}
	w, err := watch.New(opts)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if o.once {
		return watchOnce(e, o, w)
	}
	if prev, ok := setWatchGC(os.Getenv); ok {
		defer debug.SetGCPercent(prev)
	}
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	go func() {
		for {
			select {
			case <-hup:
				select {
				case reload <- struct{}{}:
				default:
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	ws := cfg.WatchSettings()
	listen := firstOf(o.listen, ws.Listen)
	metricsListen := firstOf(o.metricsListen, ws.MetricsListen)
	var servers []*http.Server
	serveHandler := func(addr string, h http.Handler, what ...any) error {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("listen on %s: %w", addr, err)}
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		servers = append(servers, srv)
		logger.Info("listening", append([]any{"address", l.Addr().String()}, what...)...)
		go func() { _ = srv.Serve(l) }()
		return nil
	}
	serve := func(addr string, g prometheus.Gatherer) error {
		return serveHandler(addr, w.Handler(g), "metrics", g != nil)
	}
	if o.debugListen != "" {
		if err := serveHandler(o.debugListen, debugHandler(), "debug", true); err != nil {
			return err
		}
	}
	if metricsListen != "" {
		if err := serve(metricsListen, reg); err != nil {
			return err
		}
		if err := serve(listen, nil); err != nil {
			return err
		}
	} else if err := serve(listen, reg); err != nil {
		return err
	}
	defer func() {
		sctx, c := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer c()
		for _, s := range servers {
			_ = s.Shutdown(sctx)
		}
	}()
	if err := w.Run(ctx); err != nil {
		// Run returns an error only when it cannot start: the store, the
		// notifiers or the sources.
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return nil
}

// watchOnce is watch --once: one round, verify's report and exit codes.
func watchOnce(e *env, o *watchOptions, w *watch.Watcher) error {
	format, err := output.VerifyFormats().Lookup(o.format)
	if err != nil {
		return usageError("unknown --format %q: use text, json or junit", o.format)
	}
	res, err := w.Once(e.ctx)
	var ended *verify.RunEndedError
	if err != nil && !errors.As(err, &ended) {
		return exitError(err)
	}
	if err := format.Render(e.stdout, &output.VerifyReport{Results: res.Results}, output.Options{}); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if ended != nil {
		return &ExitError{Code: ExitFindings, Err: ended}
	}
	if len(res.Results) == 0 {
		return &ExitError{Code: ExitUsage, Err: errors.New("no profile to probe in the watched paths")}
	}
	for _, r := range res.Results {
		if !r.OK() {
			return &ExitError{Code: ExitFindings}
		}
	}
	return nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
