// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package app wires Piazza together: the database, the domains, the job
// runner and the web server, and runs them with an ordered shutdown. It is
// the only package that knows every other one.
package app

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/alert/cap"
	"github.com/piazza-pa/piazza/internal/api"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky"
	"github.com/piazza-pa/piazza/internal/channel/facebook"
	"github.com/piazza-pa/piazza/internal/channel/feed"
	"github.com/piazza-pa/piazza/internal/channel/instagram"
	"github.com/piazza-pa/piazza/internal/channel/mastodon"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/channel/x"
	"github.com/piazza-pa/piazza/internal/config"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/httpx"
	"github.com/piazza-pa/piazza/internal/jobs"
	"github.com/piazza-pa/piazza/internal/mail"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/sandbox"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/triage"
	"github.com/piazza-pa/piazza/internal/web"
	"github.com/piazza-pa/piazza/internal/webpush"
)

// Version is set at build time with -ldflags "-X .../app.Version=…".
var Version = "dev"

// StartupError is a problem an operator must fix before Piazza can start
// (bad database URL, port in use, missing key, stale schema). The CLI
// prints it as one line and exits with status 2.
type StartupError struct{ Msg string }

func (e *StartupError) Error() string { return e.Msg }

func startupf(format string, args ...any) error {
	return &StartupError{Msg: fmt.Sprintf(format, args...)}
}

// App is a running Piazza.
type App struct {
	Config *config.Config
	Log    *slog.Logger
	DB     *store.DB
	Orgs   *org.Service
	Auth   *auth.Service
	Audit  *audit.Log
	Notify *notify.Service
	Mail   mail.Sender
	Jobs   *jobs.Runner
	Web    *web.Server

	Editorial *editorial.Service
	Publish   *publish.Service
	Triage    *triage.Service
	Desk      *desk.Service
	Alerts    *alert.Service
	bots      bots
	// runCtx is Serve's context: work started by a request (a drill's
	// simulated citizens) stops with the server.
	runCtx   atomic.Pointer[context.Context]
	Channels *channel.Registry
	// Sealer also signs public media links.
	Sealer *auth.Sealer

	sandbox *sandbox.Sandbox // the demo's fake platforms (sandbox.go); nil outside demo mode

	registry *prometheus.Registry
}

// Options say how Open treats the schema.
type Options struct {
	// Migrate applies pending migrations. SQLite always migrates: a
	// newcomer's first run must just work. On PostgreSQL, migrations are
	// an explicit step (piazza migrate or serve --migrate) and a stale
	// schema is refused.
	Migrate bool
}

// Open connects to the database and builds every service, without
// starting anything.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger, opts Options) (*App, error) {
	dbURL := cfg.DatabaseURL
	if !cfg.IsPostgres() {
		dbURL = cfg.SQLitePath()
	}
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return nil, startupf("PIAZZA_DATABASE_URL: %v", oneLine(err))
	}
	a := &App{Config: cfg, Log: log, DB: db}
	if err := a.open(ctx, opts); err != nil {
		_ = db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) open(ctx context.Context, opts Options) error {
	cfg := a.Config
	st, err := a.DB.Status(ctx)
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}
	// SQLite migrates only when needed, so that every command on an
	// up-to-date database does not log River's "no migrations to apply".
	if opts.Migrate || (a.DB.Engine == store.SQLite && !st.Current()) {
		if err := a.DB.Migrate(ctx, a.Log); err != nil {
			return fmt.Errorf("app: %w", err)
		}
		if st, err = a.DB.Status(ctx); err != nil {
			return fmt.Errorf("app: %w", err)
		}
	}
	if st.Applied > st.Latest {
		return startupf("the database schema (version %d) is newer than this piazza binary (version %d): upgrade piazza", st.Applied, st.Latest)
	}
	if !st.Current() {
		return startupf("the database schema is not up to date (version %d of %d): run `piazza migrate` first, or `piazza serve --migrate`", st.Applied, st.Latest)
	}
	key, err := a.secretKey()
	if err != nil {
		return err
	}
	sealer, err := auth.NewSealer(key)
	if err != nil {
		return startupf("PIAZZA_SECRET_KEY: %v", err)
	}
	a.Mail, err = mail.New(cfg.SMTPURL, cfg.MailFrom, a.Log)
	if err != nil {
		return startupf("PIAZZA_SMTP_URL: %v", oneLine(err))
	}
	a.Orgs = org.NewService(a.DB)
	a.Auth = auth.NewService(a.DB, sealer)
	a.Audit = audit.NewLog(a.DB)
	a.Notify = notify.NewService(a.DB, a.Mail, a.publicURL())
	a.Jobs = jobs.New(a.DB, jobs.Config{Workers: cfg.Workers, Logger: a.Log})
	a.Sealer = sealer
	a.Channels = Connectors(cfg.AllowPrivateNetworks)
	a.Editorial = editorial.NewService(a.DB)
	a.Publish = publish.NewService(publish.Deps{
		DB: a.DB, Registry: a.Channels, Sealer: sealer, Editorial: a.Editorial, Jobs: a.Jobs, Notify: a.Notify,
		Log: a.Log, PublicURL: a.publicURL(), MediaURL: a.MediaURL,
	})
	a.Publish.Register(a.Jobs)
	a.Triage = triage.NewService(a.DB)
	a.Desk = desk.NewService(desk.Deps{DB: a.DB, Triage: a.Triage, Publish: a.Publish, Notify: a.Notify, Mail: a.Mail,
		Jobs: a.Jobs, Log: a.Log, PublicURL: a.publicURL(), Surges: a.deskSurges,
		Pollers: a.deskPoller})
	a.Desk.Register(a.Jobs)
	a.Alerts = alert.NewService(alert.Deps{DB: a.DB, Publish: a.Publish, Jobs: a.Jobs, Log: a.Log, PublicURL: a.publicURL(),
		Sealer: sealer, Bots: a.orgBot, OnDrill: a.drillSurge, Notify: a.Notify})
	a.Alerts.Register(a.Jobs)
	a.startWebPush(ctx, cfg)
	a.registerTasks()

	a.registry = prometheus.NewRegistry()
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), a.Jobs.Collector())
	if err := a.startSandbox(); err != nil {
		return err
	}
	a.Web, err = web.New(web.Deps{
		DB: a.DB, Orgs: a.Orgs, Auth: a.Auth, Audit: a.Audit, Notify: a.Notify, Mail: a.Mail, Tasks: a.Jobs, Logger: a.Log,
		Metrics: a.registry, PublicURL: a.publicURL(), SessionLifetime: cfg.SessionLifetime,
		DefaultOrg: cfg.DefaultOrg, Demo: cfg.Demo, MapTiles: cfg.MapTiles, MapAttribution: cfg.MapAttribution,
		Editorial: a.Editorial, Publish: a.Publish, Desk: a.Desk, Alerts: a.Alerts, MediaURL: a.MediaURL,
		VerifyMedia: func(orgID, mediaID, sig string) bool { return a.Sealer.Verify("media", orgID+"/"+mediaID, sig) },
		API: api.New(api.Deps{DB: a.DB, Orgs: a.Orgs, Auth: a.Auth, Logger: a.Log, Version: Version,
			Editorial: a.Editorial, Publish: a.Publish, Triage: a.Triage, Desk: a.Desk, Alerts: a.Alerts}),
		Health:         a.DB.Ping,
		MetricsHandler: a.metricsHandler(),
		Sandbox:        a.webSandbox(),
	})
	if err != nil {
		a.closeSandbox()
		return fmt.Errorf("app: %w", err)
	}
	return nil
}

// secretKey returns the key that encrypts credentials at rest. On SQLite
// a missing key is generated once into the data directory; on PostgreSQL
// every instance must share one, so it has to be configured.
func (a *App) secretKey() ([]byte, error) {
	cfg := a.Config
	if cfg.SecretKey != "" {
		key, err := auth.ParseSecretKey(cfg.SecretKey)
		if err != nil {
			return nil, startupf("PIAZZA_SECRET_KEY: %v", err)
		}
		return key, nil
	}
	if a.DB.Engine == store.Postgres {
		return nil, startupf("PIAZZA_SECRET_KEY is required with PostgreSQL (all instances must share it); generate one with `piazza keygen`")
	}
	path := filepath.Join(filepath.Dir(a.DB.Path), "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		key, err := auth.ParseSecretKey(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, startupf("%s: %v", path, err)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, startupf("%s: %v", path, err)
	}
	encoded, err := auth.GenerateSecretKey()
	if err != nil {
		return nil, err
	}
	// O_EXCL: two processes starting at once never overwrite each other's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, startupf("cannot create %s: %v", path, err)
	}
	if _, err := f.WriteString(encoded + "\n"); err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	a.Log.Info("generated a secret key for credentials at rest; back it up with the database", "path", path)
	return auth.ParseSecretKey(encoded)
}

func (a *App) publicURL() string {
	if a.Config.PublicURL != "" {
		return strings.TrimRight(a.Config.PublicURL, "/")
	}
	host, port, err := net.SplitHostPort(a.Config.Listen)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func (a *App) metricsHandler() http.Handler {
	h := promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{})
	token := a.Config.MetricsToken
	if token == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// MediaURL is the public, signed address of a media file: Instagram
// fetches images from it, and the Atom feed links them as enclosures.
func (a *App) MediaURL(orgID, mediaID string) string {
	return a.publicURL() + "/media/" + orgID + "/" + mediaID + "?s=" + a.Sealer.Sign("media", orgID+"/"+mediaID)
}

// Connectors returns the registry of every platform: connectors for real
// accounts use the SSRF-guarded client (unless private networks are
// allowed), those for sandbox accounts a client that may reach the
// in-process fakes on loopback.
func Connectors(allowPrivate bool) *channel.Registry {
	guarded := httpx.NewClient(httpx.Options{AllowPrivate: allowPrivate, UserAgent: "Piazza/" + Version})
	open := httpx.NewClient(httpx.Options{AllowPrivate: true, UserAgent: "Piazza/" + Version})
	reg := channel.NewRegistry()
	reg.Add(telegram.New(guarded), telegram.New(open))
	reg.Add(facebook.New(guarded), facebook.New(open))
	reg.Add(instagram.New(guarded), instagram.New(open))
	reg.Add(x.New(guarded), x.New(open))
	reg.Add(mastodon.New(guarded), mastodon.New(open))
	reg.Add(bluesky.New(guarded), bluesky.New(open))
	reg.Add(feed.New(), nil)
	return reg
}

// startWebPush loads (or, the first time, generates) the installation's
// VAPID keys and the Web Push sender. Without them Web Push is off and
// the rest of Piazza works.
func (a *App) startWebPush(ctx context.Context, cfg *config.Config) {
	keys, err := a.Alerts.VAPIDKeys(ctx)
	if err != nil {
		a.Log.Error("web push off: VAPID keys", "err", err)
		return
	}
	// The push services want a contact (RFC 8292): the system mail's
	// address; an https public URL when there is none. Set a real
	// PIAZZA_MAIL_FROM in production: Apple refuses @localhost.
	contact := "mailto:webpush@piazza.invalid"
	if m, err := netmail.ParseAddress(cfg.MailFrom); err == nil {
		contact = "mailto:" + m.Address
	} else if strings.HasPrefix(a.publicURL(), "https://") {
		contact = a.publicURL()
	}
	client := httpx.NewClient(httpx.Options{AllowPrivate: cfg.AllowPrivateNetworks, UserAgent: "Piazza/" + Version})
	if a.Alerts.Push, err = webpush.NewSender(client, keys, contact); err != nil {
		a.Log.Error("web push off", "err", err)
	}
}

// drillSurge starts a drill's simulated citizens: a message every few
// seconds on the sandbox channels, for a few minutes.
func (a *App) drillSurge(inc alert.Incident) {
	ctx := context.Background()
	if p := a.runCtx.Load(); p != nil {
		ctx = *p
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	var citizens demo.Citizens
	if a.sandbox != nil {
		citizens = a.sandbox
	}
	svc := demo.Services{DB: a.DB, Orgs: a.Orgs, Auth: a.Auth, Editorial: a.Editorial, Publish: a.Publish}
	go func() {
		defer cancel()
		if err := demo.DrillSurge(ctx, a.Desk, svc, inc, citizens, 30, 5*time.Second); err != nil && ctx.Err() == nil {
			a.Log.Warn("drill: simulated citizens", "incident", inc.ID, "err", err)
		}
	}()
}

// capFetcher reads a CAP feed or message through the SSRF-guarded
// client, bounded in size.
func capFetcher(c *http.Client) alert.Fetcher {
	return func(ctx context.Context, url string) (io.ReadCloser, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/cap+xml, application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.1")
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode/100 != 2 {
			_ = resp.Body.Close()
			return nil, fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
		}
		return struct {
			io.Reader
			io.Closer
		}{io.LimitReader(resp.Body, cap.MaxFeedSize+1), resp.Body}, nil
	}
}

// deskSurges tells the desk which emergencies are in progress, so that
// their messages are filed under them and answered with the live page.
func (a *App) deskSurges(ctx context.Context, orgID string) ([]desk.Surge, error) {
	incs, err := a.Alerts.ActiveIncidents(ctx, orgID)
	if err != nil || len(incs) == 0 {
		return nil, err
	}
	o, err := a.Orgs.Organisation(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]desk.Surge, 0, len(incs))
	for _, in := range incs {
		sg := desk.Surge{IncidentID: in.ID, Title: in.Title, LiveURL: a.Alerts.LiveURL(o.Slug, in.ID), Keywords: alert.Keywords(in),
			Exercise: in.Exercise}
		for _, n := range in.Numbers {
			sg.Numbers = append(sg.Numbers, strings.TrimSpace(n.Label+" "+n.Number))
		}
		out = append(out, sg)
	}
	return out, nil
}

// registerTasks declares the periodic jobs.
func (a *App) registerTasks() {
	a.Jobs.Periodic("sessions.cleanup", time.Hour, jobs.LaneMaintenance, func(ctx context.Context) error {
		n, err := a.Auth.PurgeExpiredSessions(ctx)
		if err == nil && n > 0 {
			a.Log.Info("expired sessions removed", "count", n)
		}
		return err
	})
	// Meta and X tokens expire: renew them days ahead, so a platform that
	// is down for a while does not leave the plan waiting.
	a.Jobs.Periodic("channels.refresh", time.Hour, jobs.LaneMaintenance, func(ctx context.Context) error {
		n, err := a.Publish.RefreshTokens(ctx)
		if n > 0 {
			a.Log.Info("channel tokens renewed", "count", n)
		}
		return err
	})
	a.Jobs.Periodic("desk.poll", 30*time.Second, jobs.LaneIngest, a.pollDesk)
	// A bot without a webhook is read more often: a citizen who pressed a
	// button of the alerts bot is waiting for its answer.
	a.Jobs.Periodic("desk.poll_bots", 3*time.Second, jobs.LaneIngest, func(ctx context.Context) error {
		return a.Desk.PollChannels(ctx, channel.Telegram)
	})
	// The CAP feeds the organisations follow (the regional civil
	// protection's) become draft incidents for a person to confirm.
	capClient := httpx.NewClient(httpx.Options{AllowPrivate: a.Config.AllowPrivateNetworks, UserAgent: "Piazza/" + Version})
	a.Jobs.Periodic("alert.cap_import", 5*time.Minute, jobs.LaneIngest, func(ctx context.Context) error {
		n, err := a.Alerts.ImportCAP(ctx, capFetcher(capClient))
		if n > 0 {
			a.Log.Info("CAP alerts imported as draft incidents", "count", n)
		}
		return err
	})
	a.Jobs.Periodic("notify.email", 30*time.Second, jobs.LaneMaintenance, func(ctx context.Context) error {
		_, err := a.Notify.SendPendingEmails(ctx)
		return err
	})
}

// Listen binds the HTTP address, so that a port in use is reported before
// anything starts.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, startupf("PIAZZA_LISTEN: cannot listen on %s: %v", addr, oneLine(errors.Unwrap(err)))
	}
	return ln, nil
}

// Serve starts the workers and the web server on ln and blocks until ctx
// is cancelled, then shuts down in order: HTTP first (no new work comes
// in), then the workers (running jobs finish or are cancelled), then the
// database, which both of them were using.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	// The desk's near-duplicate groups live in memory: the open ones are
	// rebuilt before any message can arrive (a poll, a webhook), so that
	// after a restart during a storm new messages still join them. Without
	// them the desk only groups less, so a failure does not stop the start.
	if err := a.Desk.RestoreGroups(ctx); err != nil {
		a.Log.Warn("desk: open groups not restored; new messages start new groups", "err", err)
	}
	if err := a.Jobs.Start(ctx); err != nil {
		return fmt.Errorf("app: start jobs: %w", err)
	}
	// The publishing dispatcher stops with ctx, before the workers do.
	dctx, stopDispatch := context.WithCancel(ctx)
	dispatchDone := make(chan struct{})
	go func() {
		defer close(dispatchDone)
		a.Publish.Run(dctx)
	}()
	a.runCtx.Store(&ctx)
	a.seedSandbox(ctx) // demo mode: through the engine just started
	srv := &http.Server{
		Handler:           a.Web.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("piazza is listening", "addr", ln.Addr().String(), "url", a.publicURL(), "database", string(a.DB.Engine), "version", Version)

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	a.Log.Info("shutting down")
	timeout := a.Config.ShutdownTimeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		a.Log.Warn("http shutdown", "err", err)
	}
	stopDispatch()
	<-dispatchDone
	if err := a.Jobs.Stop(sctx); err != nil {
		a.Log.Warn("jobs shutdown", "err", err)
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// Close stops the demo's sandbox and releases the database.
func (a *App) Close() error {
	a.closeSandbox()
	return a.DB.Close()
}

func oneLine(err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// pollDesk reads the polled channels and, when PIAZZA_IMAP_URL is set, the
// desk's mailbox.
func (a *App) pollDesk(ctx context.Context) error {
	err := a.Desk.PollChannels(ctx, channel.Mastodon, channel.Bluesky)
	if a.Config.IMAPURL == "" {
		return err
	}
	cfg, cerr := desk.MailboxConfig(a.Config.IMAPURL)
	if cerr != nil {
		return errors.Join(err, cerr)
	}
	cfg.Log = a.Log
	slug := a.Config.IMAPOrg
	if slug == "" {
		slug = a.Config.DefaultOrg
	}
	var o org.Organisation
	if slug != "" {
		o, cerr = a.Orgs.OrganisationBySlug(ctx, slug)
	} else {
		var all []org.Organisation
		if all, cerr = a.Orgs.Organisations(ctx); cerr == nil && len(all) != 1 {
			cerr = errors.New("desk: PIAZZA_IMAP_ORG is needed when there are several organisations")
		} else if cerr == nil {
			o = all[0]
		}
	}
	if cerr != nil {
		return errors.Join(err, cerr)
	}
	_, merr := a.Desk.PollMailbox(ctx, o.ID, cfg)
	return errors.Join(err, merr)
}
