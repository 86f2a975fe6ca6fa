// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Command publish measures the publishing engine (issue 3): many posts due
// within a window across many channel accounts, published to a platform
// fake on loopback; how late each one arrived (lateness p50/p99), how
// many arrived twice (duplicates) or never (lost), and how many were left
// for a person (unknown outcomes) — on SQLite or PostgreSQL, optionally
// with the engine's process killed with SIGKILL in the middle.
//
// The parent process prepares the database, runs the fake (so it outlives
// the engine) and starts the engine as a child process (this binary with
// -child), which it kills and restarts -kills times.
//
//	go run ./bench/publish -db sqlite -posts 10000 -window 10m -kills 3
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/piazza-pa/piazza/bench/internal/benchenv"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/mastodon"
	"github.com/piazza-pa/piazza/internal/channel/mastodon/mastodontest"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/httpx"
	"github.com/piazza-pa/piazza/internal/jobs"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
)

// secretKey seals the accounts' credentials; parent and child share it.
const secretKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

func main() {
	var (
		engine   = flag.String("db", "sqlite", "sqlite or postgres")
		pgURL    = flag.String("pg", benchenv.DefaultPostgres(), "PostgreSQL server to create the benchmark database on")
		posts    = flag.Int("posts", 10000, "posts due in the window, one publication each")
		accounts = flag.Int("accounts", 50, "channel accounts the posts are spread over")
		window   = flag.Duration("window", 10*time.Minute, "the posts are due uniformly within this window")
		kills    = flag.Int("kills", 0, "SIGKILL the engine this many times in the middle of the window")
		out      = flag.String("json", "", "also write the figures as JSON to this file")
		child    = flag.String("child", "", "internal: run the engine on this database URL")
	)
	flag.Parse()
	if *child != "" {
		if err := runEngine(*child); err != nil {
			fmt.Fprintln(os.Stderr, "engine:", err)
			os.Exit(1)
		}
		return
	}
	res, err := run(*engine, *pgURL, *posts, *accounts, *window, *kills)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	res.print(os.Stdout)
	if *out != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(*out, b, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
}

type result struct {
	Engine          string  `json:"engine"`
	Posts           int     `json:"posts"`
	Accounts        int     `json:"accounts"`
	Window          string  `json:"window"`
	Kills           int     `json:"kills"`
	Seed            string  `json:"seed_time"`
	Published       int     `json:"published"`
	Received        int     `json:"received"`
	Duplicates      int     `json:"duplicates"`
	Lost            int     `json:"lost"`
	Unknown         int     `json:"unknown"`
	Failed          int     `json:"failed"`
	LatenessP50     float64 `json:"lateness_p50_s"`
	LatenessP95     float64 `json:"lateness_p95_s"`
	LatenessP99     float64 `json:"lateness_p99_s"`
	LatenessMax     float64 `json:"lateness_max_s"`
	Drain           string  `json:"drain_after_window"`
	Machine         string  `json:"machine"`
	KilledAtSeconds []int   `json:"killed_at_s"`
}

func (r result) print(w *os.File) {
	fmt.Fprintf(w, "engine %s · %d posts over %s on %d accounts · %d kills at %v s · seeding %s\n",
		r.Engine, r.Posts, r.Window, r.Accounts, r.Kills, r.KilledAtSeconds, r.Seed)
	fmt.Fprintf(w, "published %d · received %d · duplicates %d · lost %d · unknown %d · failed %d\n",
		r.Published, r.Received, r.Duplicates, r.Lost, r.Unknown, r.Failed)
	fmt.Fprintf(w, "lateness p50 %.2f s · p95 %.2f s · p99 %.2f s · max %.2f s · last publication %s after the window\n",
		r.LatenessP50, r.LatenessP95, r.LatenessP99, r.LatenessMax, r.Drain)
	fmt.Fprintf(w, "machine: %s\n", r.Machine)
}

func run(engine, pgURL string, nPosts, nAccounts int, window time.Duration, kills int) (result, error) {
	ctx := context.Background()
	res := result{Engine: engine, Posts: nPosts, Accounts: nAccounts, Window: window.String(), Kills: kills,
		Machine: benchenv.Machine()}
	dir, err := os.MkdirTemp("", "piazza-bench-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	dbURL := filepath.Join(dir, "bench.db")
	if engine == "postgres" {
		var drop func()
		if dbURL, drop, err = benchenv.FreshPostgres(ctx, pgURL); err != nil {
			return res, err
		}
		defer drop()
	}

	// The platform: Mastodon's fake, every token an account of its own.
	fake := mastodontest.New(mastodontest.Options{AnyToken: true})
	ln, err := channeltest.Serve(fake)
	if err != nil {
		return res, err
	}
	defer ln.Close()

	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return res, err
	}
	defer db.Close()
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := db.Migrate(ctx, quiet); err != nil {
		return res, err
	}
	seedStart := time.Now()
	due, err := seed(ctx, db, ln.URL, nPosts, nAccounts, window)
	if err != nil {
		return res, err
	}
	res.Seed = time.Since(seedStart).Round(time.Second).String()

	// The engine, killed and restarted in the middle of the window.
	start := due[0]
	killAt := make([]time.Duration, kills)
	for i := range killAt {
		killAt[i] = window/5 + time.Duration(rand.Int64N(int64(window*3/5))) //nolint:gosec // G404: when to kill, not a secret
	}
	slices.Sort(killAt)
	cmd, err := startEngine(dbURL)
	if err != nil {
		return res, err
	}
	for _, at := range killAt {
		time.Sleep(time.Until(start.Add(at)))
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		res.KilledAtSeconds = append(res.KilledAtSeconds, int(at.Seconds()))
		if cmd, err = startEngine(dbURL); err != nil {
			return res, err
		}
	}
	// Wait until every publication has settled (or ten minutes past the
	// window), then stop the engine.
	deadline := start.Add(window + 10*time.Minute)
	for time.Now().Before(deadline) {
		var open int
		if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM publications
			WHERE state NOT IN ('published', 'failed', 'unknown', 'cancelled', 'deleted')`).Scan(&open); err != nil {
			return res, err
		}
		if open == 0 {
			break
		}
		time.Sleep(time.Second)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()

	// Figures: what the platform received against what was due.
	arrivals := map[string][]time.Time{}
	for _, r := range fake.Received() {
		if i := strings.Index(r.Text, "bench#"); i >= 0 {
			key := strings.Fields(r.Text[i:])[0]
			arrivals[key] = append(arrivals[key], r.At)
		}
	}
	states, err := publicationStates(ctx, db)
	if err != nil {
		return res, err
	}
	var late []float64
	var last time.Time
	for i, d := range due {
		key := fmt.Sprintf("bench#%d", i)
		at := arrivals[key]
		res.Received += len(at)
		switch states[key] {
		case "published":
			res.Published++
		case "unknown":
			res.Unknown++
		case "failed":
			res.Failed++
		}
		if len(at) > 1 {
			res.Duplicates += len(at) - 1
		}
		if len(at) == 0 {
			if st := states[key]; st != "unknown" && st != "failed" {
				res.Lost++
			}
			continue
		}
		slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
		late = append(late, at[0].Sub(d).Seconds())
		if at[0].After(last) {
			last = at[0]
		}
	}
	slices.Sort(late)
	res.LatenessP50, res.LatenessP95, res.LatenessP99 = pct(late, 50), pct(late, 95), pct(late, 99)
	if len(late) > 0 {
		res.LatenessMax = late[len(late)-1]
	}
	res.Drain = last.Sub(start.Add(window)).Round(100 * time.Millisecond).String()
	return res, nil
}

// publicationStates maps each post's marker to its publication's state.
func publicationStates(ctx context.Context, db *store.DB) (map[string]string, error) {
	rows, err := db.Read.QueryContext(ctx, `SELECT v.text, p.state FROM publications p JOIN variants v ON v.id = p.variant_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	states := map[string]string{}
	for rows.Next() {
		var text, state string
		if err := rows.Scan(&text, &state); err != nil {
			return nil, err
		}
		if i := strings.Index(text, "bench#"); i >= 0 {
			states[strings.Fields(text[i:])[0]] = state
		}
	}
	return states, rows.Err()
}

func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

// seed writes the organisation, the accounts and the posts through the
// services (written, submitted, approved and scheduled as people would),
// scheduled a day ahead; then it moves every due time so that the window
// starts a few seconds from now (scheduling takes longer than the window
// on a slow disk, and the engine must find a plan due, not a past one).
func seed(ctx context.Context, db *store.DB, fakeURL string, nPosts, nAccounts int, window time.Duration) ([]time.Time, error) {
	ctx = audit.WithActor(ctx, audit.Actor{Label: "bench"})
	sealer, err := newSealer()
	if err != nil {
		return nil, err
	}
	o, err := org.NewService(db).CreateOrganisation(ctx, org.OrganisationInput{Slug: "bench", Name: "Comune del Benchmark"})
	if err != nil {
		return nil, err
	}
	person := func(role org.Role) (editorial.Actor, error) {
		id := store.NewID()
		_, err := db.Write.ExecContext(ctx, `INSERT INTO people (id, email, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`,
			id, id+"@bench.example", string(role), store.Now())
		return editorial.Actor{PersonID: id, Grants: org.NewGrants(o.ID, []org.Membership{{OrgID: o.ID, PersonID: id, Role: role}})}, err
	}
	editor, err := person(org.RoleEditor)
	if err != nil {
		return nil, err
	}
	manager, err := person(org.RoleManager)
	if err != nil {
		return nil, err
	}
	ed := editorial.NewService(db)
	pub := newPublish(db, ed, sealer, nil)
	accts := make([]string, nAccounts)
	for i := range accts {
		a, err := pub.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.Mastodon, Name: fmt.Sprintf("Account %d", i),
			Handle: fmt.Sprintf("@bench%d", i), BaseURL: fakeURL, Sandbox: true,
			Credentials: channel.Credentials{channel.CredToken: fmt.Sprintf("bench-token-%d", i)}})
		if err != nil {
			return nil, err
		}
		accts[i] = a.ID
	}
	base := time.Now().Add(24 * time.Hour)
	step := window / time.Duration(nPosts)
	due := make([]time.Time, nPosts)
	for i := range nPosts {
		p, err := ed.CreatePost(ctx, editor, o.ID, editorial.PostInput{Title: fmt.Sprintf("Post %d", i), Body: "Avviso"})
		if err != nil {
			return nil, err
		}
		text := fmt.Sprintf("Avviso del Comune bench#%d", i)
		if _, err := ed.SetVariants(ctx, editor, o.ID, p.ID, p.Version, []editorial.VariantInput{{AccountID: accts[i%nAccounts], Text: text}}); err != nil {
			return nil, err
		}
		if p, err = ed.Post(ctx, o.ID, p.ID); err != nil {
			return nil, err
		}
		if p, err = ed.Transition(ctx, editor, o.ID, p.ID, p.Version, editorial.ActionSubmit, ""); err != nil {
			return nil, err
		}
		if p, err = ed.Transition(ctx, manager, o.ID, p.ID, p.Version, editorial.ActionApprove, ""); err != nil {
			return nil, err
		}
		due[i] = base.Add(time.Duration(i) * step)
		if _, err := pub.Schedule(ctx, manager, o.ID, p.ID, p.Version, due[i]); err != nil {
			return nil, err
		}
		if (i+1)%1000 == 0 {
			fmt.Fprintf(os.Stderr, "seeded %d posts\n", i+1)
		}
	}
	// Shift the plan: the window starts 15 s from now.
	shift := time.Until(base) - 15*time.Second
	for i := range due {
		due[i] = due[i].Add(-shift)
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		all, err := dueTimes(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range all {
			at := store.Time(r.at.Add(-shift))
			if _, err := tx.ExecContext(ctx, `UPDATE publications SET due_at = $1, next_attempt_at = $1 WHERE id = $2`, at, r.id); err != nil {
				return err
			}
		}
		return nil
	})
	return due, err
}

type dueRow struct {
	id string
	at time.Time
}

func dueTimes(ctx context.Context, tx *sql.Tx) ([]dueRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, due_at FROM publications`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []dueRow
	for rows.Next() {
		var r dueRow
		if err := rows.Scan(&r.id, &r.at); err != nil {
			return nil, err
		}
		all = append(all, r)
	}
	return all, rows.Err()
}

func newSealer() (*auth.Sealer, error) {
	key, err := auth.ParseSecretKey(secretKey)
	if err != nil {
		return nil, err
	}
	return auth.NewSealer(key)
}

func newPublish(db *store.DB, ed *editorial.Service, sealer *auth.Sealer, runner *jobs.Runner) *publish.Service {
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	client := httpx.NewClient(httpx.Options{AllowPrivate: true, UserAgent: "Piazza-bench"})
	reg := channel.NewRegistry()
	reg.Add(mastodon.New(client), nil)
	if runner == nil {
		runner = jobs.New(db, jobs.Config{Logger: quiet})
	}
	return publish.NewService(publish.Deps{DB: db, Registry: reg, Sealer: sealer, Editorial: ed, Jobs: runner,
		Notify: notify.NewService(db, nil, "http://bench.example"), Log: quiet})
}

func startEngine(dbURL string) (*exec.Cmd, error) {
	cmd := exec.Command(os.Args[0], "-child", dbURL) //nolint:gosec // G204: this very binary, re-executed
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd, cmd.Start()
}

// runEngine is the child: the publishing engine as `piazza serve` runs it,
// until SIGTERM (or SIGKILL, which is the point).
func runEngine(dbURL string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	sealer, err := newSealer()
	if err != nil {
		return err
	}
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	runner := jobs.New(db, jobs.Config{Logger: quiet})
	pub := newPublish(db, editorial.NewService(db), sealer, runner)
	pub.Register(runner)
	if err := runner.Start(ctx); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { defer close(done); pub.Run(ctx) }()
	<-ctx.Done()
	<-done
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return runner.Stop(sctx)
}
