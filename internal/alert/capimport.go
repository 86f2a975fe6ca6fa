// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/alert/cap"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// An organisation follows external CAP feeds, typically its regional civil
// protection's. Each new Alert or Update becomes a draft incident that a
// person confirms before anything is sent: Piazza never broadcasts on an
// outside system's word. Cancels are noted in the log, never acted on.

// SourceCAP is the source of an incident imported from a CAP feed; its
// SourceRef is the message's "sender,identifier".
const SourceCAP = "cap"

// Limits of the import.
const (
	maxCAPSources    = 20 // per organisation
	maxCAPEntries    = 50 // read per feed and run, newest first
	maxCAPURL        = 2000
	maxCAPLabel      = 200
	maxCAPErrorText  = 1000
	capSourceTimeout = 2 * time.Minute // a feed and up to maxCAPEntries messages
)

// CAPSource is an external CAP feed an organisation follows.
type CAPSource struct {
	ID            string
	OrgID         string
	URL           string
	Label         string
	LastCheckedAt time.Time // zero: not checked yet
	LastError     string    // what went wrong at the last check, in part or in whole; empty when all went well
	CreatedAt     time.Time
}

// Fetcher returns the body of an http(s) URL. The application builds it on
// httpx (SSRF guard, timeout, size limit, an error for any answer but 2xx):
// the domain does not speak HTTP itself.
type Fetcher func(ctx context.Context, url string) (io.ReadCloser, error)

// AddCAPSource follows a CAP feed: an Atom or RSS index of CAP messages, or
// a single CAP message, at an absolute http(s) URL.
func (s *Service) AddCAPSource(ctx context.Context, orgID, rawURL, label string) (CAPSource, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return CAPSource{}, valid.New("url", "alert.source.url_invalid", truncate(strings.TrimSpace(rawURL), 200))
	case u.User != nil:
		// The address is shown on the page and in the log.
		return CAPSource{}, valid.New("url", "alert.source.url_credentials")
	}
	u.Host, u.Fragment = strings.ToLower(u.Host), ""
	src := CAPSource{ID: store.NewID(), OrgID: orgID, URL: u.String(), Label: strings.Join(strings.Fields(label), " "),
		CreatedAt: s.now()}
	if len(src.URL) > maxCAPURL {
		return CAPSource{}, valid.New("url", "alert.source.url_too_long", maxCAPURL)
	}
	if utf8.RuneCountInString(src.Label) > maxCAPLabel {
		return CAPSource{}, valid.New("label", "alert.source.label_too_long", maxCAPLabel)
	}
	if src.Label == "" {
		src.Label = u.Hostname()
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cap_sources WHERE org_id = $1`, orgID).Scan(&n); err != nil {
			return err
		}
		if n >= maxCAPSources {
			return valid.New("url", "alert.source.too_many", maxCAPSources)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO cap_sources (id, org_id, url, label, created_at) VALUES ($1, $2, $3, $4, $5)`,
			src.ID, orgID, src.URL, src.Label, src.CreatedAt)
		if err != nil {
			return store.Normalize(err)
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "alert.cap_source_added", TargetType: "cap_source",
			TargetID: src.ID, TargetLabel: src.Label, After: map[string]string{"url": src.URL}})
	})
	_, refused := valid.As(err)
	switch {
	case errors.Is(err, store.ErrConflict):
		return CAPSource{}, valid.New("url", "alert.source.duplicate", src.URL)
	case refused:
		return CAPSource{}, err
	case err != nil:
		return CAPSource{}, fmt.Errorf("alert: add CAP source: %w", err)
	}
	return src, nil
}

const capSourceColumns = `id, org_id, url, label, last_checked_at, last_error, created_at`

func scanCAPSource(sc interface{ Scan(...any) error }) (CAPSource, error) {
	var (
		src     CAPSource
		checked sql.NullTime
	)
	if err := sc.Scan(&src.ID, &src.OrgID, &src.URL, &src.Label, &checked, &src.LastError, &src.CreatedAt); err != nil {
		return CAPSource{}, err
	}
	src.LastCheckedAt = checked.Time
	return src, nil
}

// CAPSources lists the CAP feeds an organisation follows, oldest first.
func (s *Service) CAPSources(ctx context.Context, orgID string) ([]CAPSource, error) {
	return s.capSources(ctx, `SELECT `+capSourceColumns+` FROM cap_sources WHERE org_id = $1 ORDER BY created_at, id`, orgID)
}

func (s *Service) capSources(ctx context.Context, query string, args ...any) ([]CAPSource, error) {
	rows, err := s.DB.Read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("alert: CAP sources: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []CAPSource
	for rows.Next() {
		src, err := scanCAPSource(rows)
		if err != nil {
			return nil, fmt.Errorf("alert: CAP sources: %w", err)
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// DeleteCAPSource stops following a feed. The drafts it brought stay.
func (s *Service) DeleteCAPSource(ctx context.Context, orgID, id string) error {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		src, err := scanCAPSource(tx.QueryRowContext(ctx, `SELECT `+capSourceColumns+` FROM cap_sources WHERE org_id = $1 AND id = $2`,
			orgID, id))
		if err != nil {
			return store.Normalize(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cap_sources WHERE id = $1`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "alert.cap_source_deleted", TargetType: "cap_source",
			TargetID: id, TargetLabel: src.Label, Before: map[string]string{"url": src.URL}})
	})
	if err != nil {
		return fmt.Errorf("alert: delete CAP source %s: %w", id, err)
	}
	return nil
}

// ImportCAP checks every CAP source of every organisation and turns each
// new Alert or Update into a draft incident; it returns how many drafts it
// created. Running it twice, or in two instances at once, creates nothing
// twice: a draft is keyed by the message's sender and identifier.
//
// A source that fails (unreachable, not a feed, a message that is not CAP)
// records why in its LastError and never stops the others; the error
// returned is only the database's.
func (s *Service) ImportCAP(ctx context.Context, fetch Fetcher) (int, error) {
	sources, err := s.capSources(ctx, `SELECT `+capSourceColumns+` FROM cap_sources ORDER BY created_at, id`)
	if err != nil {
		return 0, err
	}
	run := &capRun{fetch: fetch, feeds: map[string]capFeed{}, messages: map[string]capMessage{}}
	created := 0
	var errs []error
	for _, src := range sources {
		if ctx.Err() != nil {
			return created, ctx.Err()
		}
		n, problems := s.importCAPSource(ctx, run, src)
		created += n
		for _, p := range problems {
			s.Log.Warn("alert: CAP import", "org", src.OrgID, "source", src.URL, "problem", p)
		}
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE cap_sources SET last_checked_at = $1, last_error = $2 WHERE id = $3`,
				s.now(), capErrorText(problems), src.ID)
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("alert: CAP source %s: %w", src.ID, err))
		}
	}
	return created, errors.Join(errs...)
}

// capErrorText sums a source's problems up in one line for its page.
func capErrorText(problems []string) string {
	if len(problems) == 0 {
		return ""
	}
	text := problems[0]
	if len(problems) > 1 {
		text += fmt.Sprintf(" (e altri %d problemi: %s)", len(problems)-1, strings.Join(problems[1:], "; "))
	}
	return truncate(text, maxCAPErrorText)
}

// importCAPSource reads one feed and imports its entries, newest first; it
// returns the drafts created and what went wrong.
func (s *Service) importCAPSource(ctx context.Context, run *capRun, src CAPSource) (int, []string) {
	ctx, cancel := context.WithTimeout(ctx, capSourceTimeout)
	defer cancel()
	base, err := url.Parse(src.URL)
	if err != nil {
		return 0, []string{err.Error()}
	}
	entries, err := run.feed(ctx, src.URL)
	if err != nil {
		return 0, []string{err.Error()}
	}
	created := 0
	var problems []string
	for _, e := range entries {
		a, link, err := run.entryAlert(ctx, base, e)
		if err == nil && a != nil {
			var ok bool
			ok, err = s.importCAPMessage(ctx, src, a, link)
			if ok {
				created++
			}
		}
		if err != nil {
			problems = append(problems, capEntryName(e)+": "+err.Error())
		}
	}
	return created, problems
}

func capEntryName(e cap.FeedEntry) string {
	for _, s := range []string{e.Link, e.ID, e.Title} {
		if s != "" {
			return truncate(s, 200)
		}
	}
	return "voce senza nome"
}

// importCAPMessage makes a draft of one message, when it calls for one.
func (s *Service) importCAPMessage(ctx context.Context, src CAPSource, a *cap.Alert, link string) (bool, error) {
	plan := planCAPImport(a, s.now())
	log := s.Log.With("org", src.OrgID, "source", src.URL, "sender", a.Sender, "identifier", a.Identifier)
	if plan.skip != "" {
		log.Debug("alert: CAP message not imported", "reason", plan.skip)
		return false, nil
	}
	if plan.cancel {
		earlier, err := s.importedIncidents(ctx, src.OrgID, a.References)
		// A person decides whether the all-clear goes out: the region's
		// cancel may not match what the comune announced.
		for _, id := range earlier {
			log.Info("alert: CAP cancel of an imported incident; not resolved automatically", "incident", id, "note", a.Note)
		}
		return false, err
	}
	var exists int
	err := s.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents WHERE org_id = $1 AND source_ref = $2`, src.OrgID, plan.ref).
		Scan(&exists)
	if err != nil || exists > 0 {
		return false, err
	}
	earlier, err := s.importedIncidents(ctx, src.OrgID, a.References)
	if err != nil {
		return false, err
	}
	if plan.geometry != "" {
		log.Info("alert: CAP area kept as text only", "reason", plan.geometry)
	}
	in := plan.input
	if link != "" && len(in.Links) < maxItems {
		in.Links = append(in.Links, Link{Label: "Messaggio CAP originale", URL: link})
	}
	inc, err := s.createIncident(ctx, src.OrgID, "", in, SourceCAP, plan.ref)
	if errors.Is(err, store.ErrConflict) {
		return false, nil // imported meanwhile by an overlapping run
	}
	if err != nil {
		return false, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return audit.Record(ctx, tx, audit.Change{OrgID: src.OrgID, Action: "incident.imported", TargetType: "incident",
			TargetID: inc.ID, TargetLabel: inc.Title, After: map[string]any{"source": src.URL, "message": link, "sender": a.Sender,
				"identifier": a.Identifier, "msg_type": a.MsgType, "sent": cap.FormatTime(a.Sent), "follows": earlier}})
	})
	if err != nil {
		return true, fmt.Errorf("alert: audit imported incident %s: %w", inc.ID, err)
	}
	// A draft nobody sees helps nobody: the crisis team is told.
	if s.Notify != nil {
		from := src.Label
		if from == "" {
			from = a.Sender
		}
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			_, err := s.Notify.NotifyPermitted(ctx, tx, org.PermIncidentManage, "", notify.Notification{OrgID: src.OrgID,
				Kind: notify.KindIncidentImported, Title: truncate(inc.Title, 120),
				BodyPhrase: notify.Phrase{Key: "alert.notify.imported", Args: []any{truncate(from, 300)}}, Link: "/alerts/incidents/" + inc.ID})
			return err
		})
		if err != nil {
			log.Error("alert: notify of an imported incident", "incident", inc.ID, "err", err)
		}
	}
	log.Info("alert: CAP message imported as a draft incident", "incident", inc.ID, "msg_type", a.MsgType, "follows", earlier)
	return true, nil
}

// importedIncidents returns the incidents imported from the messages that
// a CAP <references> names.
func (s *Service) importedIncidents(ctx context.Context, orgID, references string) ([]string, error) {
	refs, err := cap.ParseReferences(references) // Parse has checked them already
	if err != nil {
		return nil, fmt.Errorf("alert: CAP references: %w", err)
	}
	var ids []string
	for _, r := range refs {
		var id string
		err := s.DB.Read.QueryRowContext(ctx, `SELECT id FROM incidents WHERE org_id = $1 AND source_ref = $2`,
			orgID, r.Sender+","+r.Identifier).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("alert: CAP references: %w", err)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// capRun is one run of the import. It keeps what it read, so that the
// organisations of an installation that follow the same regional feed cost
// it one request per document.
type capRun struct {
	fetch    Fetcher
	feeds    map[string]capFeed
	messages map[string]capMessage
}

type capFeed struct {
	entries []cap.FeedEntry
	err     error
}

type capMessage struct {
	alert *cap.Alert
	err   error
}

// feed returns the newest maxCAPEntries entries of the feed at u.
func (r *capRun) feed(ctx context.Context, u string) ([]cap.FeedEntry, error) {
	if f, ok := r.feeds[u]; ok {
		return f.entries, f.err
	}
	var f capFeed
	f.err = r.read(ctx, u, cap.MaxFeedSize, func(body io.Reader) error {
		var err error
		f.entries, err = cap.ParseFeed(body)
		return err
	})
	// Feeds list oldest or newest first; an undated entry counts as old.
	slices.SortStableFunc(f.entries, func(a, b cap.FeedEntry) int { return b.Updated.Compare(a.Updated) })
	f.entries = f.entries[:min(len(f.entries), maxCAPEntries)]
	if ctx.Err() == nil { // one source's timeout is not the document's fault
		r.feeds[u] = f
	}
	return f.entries, f.err
}

// entryAlert returns the message of a feed entry and the absolute URL it
// was read from (empty when the feed embeds it); no message and no error
// for an entry that points to none.
func (r *capRun) entryAlert(ctx context.Context, base *url.URL, e cap.FeedEntry) (*cap.Alert, string, error) {
	switch {
	case e.Err != nil:
		return nil, "", e.Err
	case e.Alert != nil:
		return e.Alert, "", nil
	case e.Link == "":
		return nil, "", nil
	}
	u, err := base.Parse(e.Link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", fmt.Errorf("link %q: not an http(s) address", e.Link)
	}
	link := u.String()
	if m, ok := r.messages[link]; ok {
		return m.alert, link, m.err
	}
	var m capMessage
	m.err = r.read(ctx, link, cap.MaxMessageSize, func(body io.Reader) error {
		var err error
		m.alert, err = cap.Parse(body)
		return err
	})
	if ctx.Err() == nil {
		r.messages[link] = m
	}
	return m.alert, link, m.err
}

// read fetches u and hands parse at most limit bytes of it.
func (r *capRun) read(ctx context.Context, u string, limit int64, parse func(io.Reader) error) error {
	body, err := r.fetch(ctx, u)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", u, err)
	}
	if body == nil {
		return fmt.Errorf("fetch %s: no body", u)
	}
	defer func() { _ = body.Close() }()
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return fmt.Errorf("fetch %s: %w", u, err)
	}
	if int64(len(b)) > limit {
		return fmt.Errorf("fetch %s: %w: more than %d bytes", u, cap.ErrTooLarge, limit)
	}
	return parse(bytes.NewReader(b))
}

// capPlan is what a CAP message calls for.
type capPlan struct {
	skip     string // why nothing is imported; empty otherwise
	cancel   bool   // a Cancel: the incidents it refers to are noted, nothing is created
	ref      string // the draft's source_ref: "sender,identifier"
	input    IncidentInput
	geometry string // why the drawn area was left out; empty otherwise
}

// planCAPImport decides what a message calls for at now and maps it onto
// an incident. It does no I/O, and what it maps always passes
// IncidentInput.validate (FuzzImportEntry checks it): an odd message must
// never stop an import.
func planCAPImport(a *cap.Alert, now time.Time) capPlan {
	switch a.Status {
	case cap.StatusActual:
	case cap.StatusExercise:
		// Imported drills would sit next to real drafts; an organisation
		// in a drill opens its own exercise incident.
		return capPlan{skip: "status Exercise"}
	default: // Test, System, Draft
		return capPlan{skip: "status " + string(a.Status)}
	}
	switch a.MsgType {
	case cap.MsgTypeAlert, cap.MsgTypeUpdate:
	case cap.MsgTypeCancel:
		return capPlan{cancel: true}
	default: // Ack, Error
		return capPlan{skip: "msgType " + string(a.MsgType)}
	}
	if len(a.Info) == 0 {
		return capPlan{skip: "no info block"}
	}
	info := a.Info[0]
	for _, in := range a.Info {
		if lang := strings.ToLower(in.Language); lang == "it" || strings.HasPrefix(lang, "it-") {
			info = in
			break
		}
	}
	if !info.Expires.IsZero() && !info.Expires.After(now) {
		return capPlan{skip: "expired at " + cap.FormatTime(info.Expires)}
	}
	in := IncidentInput{
		Type:         capType(info),
		Colour:       capColour(info),
		Title:        capText(capOneLine(info.Headline), maxTitle),
		Description:  capText(info.Description, maxText),
		Instructions: capText(info.Instruction, maxText),
	}
	if in.Title == "" {
		in.Title = capText(capOneLine(info.Event), maxTitle)
	}
	if in.Title == "" {
		in.Title = "Allerta importata"
	}
	if web, err := url.Parse(info.Web); err == nil && (web.Scheme == "http" || web.Scheme == "https") && web.Host != "" {
		label := capText(capOneLine(info.SenderName), maxCAPLabel)
		if label == "" {
			label = "Maggiori informazioni"
		}
		in.Links = []Link{{Label: label, URL: web.String()}}
	}
	var descs []string
	for _, ar := range info.Area {
		if d := capOneLine(ar.AreaDesc); d != "" && !slices.Contains(descs, d) {
			descs = append(descs, d)
		}
	}
	in.AreaDesc = capText(strings.Join(descs, ", "), maxText)
	plan := capPlan{ref: a.Sender + "," + a.Identifier}
	in.Area, plan.geometry = capArea(info.Area)
	plan.input = in
	return plan
}

// capTypeWords name the natural hazards in the words of Italian bulletins,
// matched as prefixes inside the event, then the headline.
var capTypeWords = []struct {
	typ   Type
	words []string
}{
	{TypeWind, []string{"vento", "bora", "raffiche"}},
	{TypeSnow, []string{"neve", "ghiaccio"}},
	{TypeFlood, []string{"pioggia", "idrogeologic", "idraulic", "alluvion", "esondazion"}},
	{TypeHighTide, []string{"acqua alta", "marea"}},
	{TypeHeat, []string{"caldo", "calore", "temperature elevate"}},
}

// capType reads the incident type from the category and the words of the
// event: natural hazards (Met, Geo, Env) by their words, Health and
// Transport by category, anything else as altro.
func capType(info cap.Info) Type {
	if slices.Contains(info.Category, cap.CategoryMet) || slices.Contains(info.Category, cap.CategoryGeo) ||
		slices.Contains(info.Category, cap.CategoryEnv) {
		for _, text := range []string{info.Event, info.Headline} {
			text = strings.ToLower(capOneLine(text))
			for _, tw := range capTypeWords {
				for _, w := range tw.words {
					if strings.Contains(text, w) {
						return tw.typ
					}
				}
			}
		}
	}
	switch {
	case slices.Contains(info.Category, cap.CategoryHealth):
		return TypeHealth
	case slices.Contains(info.Category, cap.CategoryTransport):
		return TypeTraffic
	}
	return TypeOtherKind
}

// capColour is the colour an Italian feed states in a parameter (as
// Piazza's own CAP does), else the one of its severity; an unknown
// severity reads as yellow, so a person looks at it.
func capColour(info cap.Info) Colour {
	for _, p := range info.Parameter {
		switch strings.ToLower(p.ValueName) {
		case "colore", "colore_allerta", "livello_allerta":
			if c := cap.ColourOfSeverity(cap.SeverityOfColour(p.Value)); c != "" {
				return Colour(c)
			}
		}
	}
	if c := cap.ColourOfSeverity(info.Severity); c != "" {
		return Colour(c)
	}
	return Yellow
}

// capArea is the first polygon of the areas, else their first circle. A
// shape Piazza cannot draw is left out, with the reason: the area's
// description still says where.
func capArea(areas []cap.Area) (Area, string) {
	var (
		a    Area
		what string
		err  error
	)
	for _, ar := range areas {
		if len(ar.Polygon) > 0 {
			what = "polygon"
			a.Polygon, err = capRingOf(ar.Polygon[0])
			break
		}
	}
	if what == "" {
		for _, ar := range areas {
			if len(ar.Circle) > 0 {
				what = "circle"
				a.Circle, err = capCircleOf(ar.Circle[0])
				break
			}
		}
	}
	if what == "" {
		return Area{}, ""
	}
	if err == nil {
		if p := a.normalize(); p != nil {
			err = p
		}
	}
	if err != nil {
		return Area{}, what + ": " + err.Error()
	}
	return a, ""
}

// capRingOf reads a CAP polygon ("lat,lon lat,lon …"). A regional zone may
// have more vertices than an incident keeps: every n-th is kept then.
func capRingOf(s string) ([]Point, error) {
	pairs := strings.Fields(s)
	if len(pairs) > maxRingVertices {
		// The closing pair is left out and normalize closes the ring again.
		step := (len(pairs) - 1 + maxRingVertices - 2) / (maxRingVertices - 1)
		var kept []string
		for i := 0; i < len(pairs)-1; i += step {
			kept = append(kept, pairs[i])
		}
		pairs = kept
	}
	ring := make([]Point, 0, len(pairs))
	for _, pair := range pairs {
		p, err := capPointOf(pair)
		if err != nil {
			return nil, err
		}
		ring = append(ring, p)
	}
	return ring, nil
}

// capCircleOf reads a CAP circle ("lat,lon radiusKm").
func capCircleOf(s string) (*Circle, error) {
	fields := strings.Fields(s)
	if len(fields) != 2 {
		return nil, fmt.Errorf("%q is not \"lat,lon radius\"", s)
	}
	centre, err := capPointOf(fields[0])
	if err != nil {
		return nil, err
	}
	r, err := strconv.ParseFloat(fields[1], 64)
	if err != nil {
		return nil, fmt.Errorf("radius %q is not a number", fields[1])
	}
	return &Circle{Center: centre, RadiusKm: r}, nil
}

func capPointOf(s string) (Point, error) {
	latText, lonText, _ := strings.Cut(s, ",")
	lat, err1 := strconv.ParseFloat(latText, 64)
	lon, err2 := strconv.ParseFloat(lonText, 64)
	if err1 != nil || err2 != nil {
		return Point{}, fmt.Errorf("%q is not \"lat,lon\"", s)
	}
	p := Point{Lat: lat, Lon: lon}
	if prob := p.check(); prob != nil {
		return Point{}, prob
	}
	return p, nil
}

// capOneLine collapses runs of white space, new lines included.
func capOneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// capText trims s and shortens it to n runes.
func capText(s string, n int) string { return strings.TrimSpace(cutWords(strings.TrimSpace(s), n)) }
