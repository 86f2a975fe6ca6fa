// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodontest

import (
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The citizens' side of the fake: statuses by other accounts that mention
// an account of the fake (AddMention), the notifications they cause, and
// GET /api/v1/notifications to read them. Statuses created through the
// API mention the accounts their text names (@user, @user@domain) and
// notify them the same way, so a reply reaches the citizen.

// Mention is a citizen's status that mentions an account of the fake.
type Mention struct {
	// From is the citizen's acct: "mario" on this instance, or
	// "mario@altro.example" on another one. DisplayName is their name.
	From, DisplayName string
	// To is the username of the account mentioned
	// (Options.AccountUsername when empty): the text starts with its
	// mention, as a citizen writes it.
	To string
	// Text is what follows the mention.
	Text string
	// InReplyTo is the id of the status answered, if any: it must exist.
	InReplyTo string
	// Visibility is public (when empty), unlisted, private or direct.
	Visibility string
	Language   string
	// Media are the citizen's attachments: image, video, gifv or audio.
	Media []MentionMedia
}

// MentionMedia is an attachment of a citizen's status.
type MentionMedia struct {
	Type, Description string
}

// StatusInfo is what a test reads of a status (Status).
type StatusInfo struct {
	ID, Acct, Text, Visibility, InReplyToID, Language string
	// Mentions are the accts the status mentions.
	Mentions []string
	Deleted  bool
}

// notification is one of an account's notifications.
type notification struct {
	id, typ string
	from    *account
	status  *status
}

// acct is the account's name as this instance shows it.
func (a *account) acct() string {
	if a.domain != "" {
		return a.username + "@" + a.domain
	}
	return a.username
}

// profileURL is the account's page: on this instance (at base) or its own.
func (a *account) profileURL(base string) string {
	if a.domain != "" {
		return "https://" + a.domain + "/@" + a.username
	}
	return base + "/@" + a.username
}

// actorURI is the account's ActivityPub id.
func (a *account) actorURI(base string) string {
	if a.domain != "" {
		return "https://" + a.domain + "/users/" + a.username
	}
	return base + "/users/" + a.username
}

// citizen returns the account of acct, made on first use (without a
// token: a citizen never calls the API here).
func (s *Server) citizen(acct, displayName string) (*account, error) {
	acct = strings.TrimPrefix(strings.TrimSpace(acct), "@")
	user, domain, _ := strings.Cut(acct, "@")
	if user == "" || !usernameRe.MatchString(user) {
		return nil, errors.New("mastodontest: invalid acct " + strconv.Quote(acct))
	}
	if strings.EqualFold(domain, s.opts.Domain) {
		domain = ""
	}
	key := strings.ToLower(user)
	if domain != "" {
		key += "@" + strings.ToLower(domain)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.byUsername[key]
	if a == nil {
		if displayName == "" {
			displayName = user
		}
		a = &account{id: s.nextID(), username: user, domain: strings.ToLower(domain), displayName: displayName,
			created: s.now().Truncate(24 * time.Hour), media: map[string]*media{}, idem: map[string]idempotent{}}
		s.accounts[a.id] = a
		s.byUsername[key] = a
	}
	return a, nil
}

var usernameRe = regexp.MustCompile(`^\w+$`)

// AddMention adds a citizen's status mentioning an account of the fake,
// and the notification of type mention it causes. It returns the
// status's id.
func (s *Server) AddMention(m Mention) (string, error) {
	from, err := s.citizen(m.From, m.DisplayName)
	if err != nil {
		return "", err
	}
	to := m.To
	if to == "" {
		to = s.opts.AccountUsername
	}
	s.mu.Lock()
	target := s.byUsername[strings.ToLower(to)]
	s.mu.Unlock()
	if target == nil {
		return "", errors.New("mastodontest: no account " + to)
	}
	vis := m.Visibility
	if vis == "" {
		vis = "public"
	}
	if !slices.Contains([]string{"public", "unlisted", "private", "direct"}, vis) {
		return "", errors.New("mastodontest: invalid visibility " + vis)
	}
	var parent *status
	if m.InReplyTo != "" {
		var ok bool
		if parent, ok = s.replyTarget(m.InReplyTo, from); !ok {
			return "", errors.New("mastodontest: no status " + m.InReplyTo + " to reply to")
		}
	}
	text := "@" + target.username + " " + m.Text
	st := &status{id: s.nextID(), text: text, language: m.Language, visibility: vis, account: from,
		created: s.now(), inReplyTo: parent, mentions: s.mentioned(text)}
	for _, md := range m.Media {
		ct := map[string]string{"image": "image/jpeg", "video": "video/mp4", "gifv": "video/mp4", "audio": "audio/mpeg"}[md.Type]
		st.media = append(st.media, &media{id: s.nextID(), kind: md.Type, contentType: ct, description: md.Description,
			processed: true, statusID: st.id})
	}
	from.mu.Lock()
	from.statuses = append(from.statuses, st)
	from.live++
	from.lastAt = st.created
	from.mu.Unlock()
	s.statuses.Store(st.id, st)
	s.notifyMentions(st)
	return st.id, nil
}

// Status returns what a status holds (the account's own or a citizen's).
func (s *Server) Status(id string) (StatusInfo, bool) {
	st := s.lookup(id)
	if st == nil {
		return StatusInfo{}, false
	}
	st.account.mu.Lock()
	defer st.account.mu.Unlock()
	info := StatusInfo{ID: st.id, Acct: st.account.acct(), Text: st.text, Visibility: st.visibility,
		Language: st.language, Deleted: st.deleted}
	if st.inReplyTo != nil {
		info.InReplyToID = st.inReplyTo.id
	}
	for _, m := range st.mentions {
		info.Mentions = append(info.Mentions, m.acct())
	}
	return info, true
}

// replyTarget finds the status of id for a reply by a: ok is false when
// it is gone or a may not see it. An empty id is no reply, and ok.
func (s *Server) replyTarget(id string, a *account) (*status, bool) {
	if id == "" {
		return nil, true
	}
	st := s.lookup(id)
	if st == nil {
		return nil, false
	}
	st.account.mu.Lock()
	defer st.account.mu.Unlock()
	if st.deleted {
		return nil, false
	}
	// Followers-only and direct statuses are seen by their author and by
	// those they mention (the fake keeps no followers).
	if st.visibility == "private" || st.visibility == "direct" {
		return st, st.account == a || slices.Contains(st.mentions, a)
	}
	return st, true
}

// mentionRe finds @user and @user@domain as Mastodon's Account::MENTION_RE
// does, in short: not inside a word, a path or an address.
var mentionRe = regexp.MustCompile(`(?:^|[^\w/@.])@(\w+)(?:@([\w.-]*\w))?`)

// mentioned are the accounts of the fake that text mentions, each once.
// Unknown ones stay plain text, as on Mastodon.
func (s *Server) mentioned(text string) []*account {
	var out []*account
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range mentionRe.FindAllStringSubmatch(text, -1) {
		key := strings.ToLower(m[1])
		if d := strings.ToLower(m[2]); d != "" && d != strings.ToLower(s.opts.Domain) {
			key += "@" + d
		}
		if a := s.byUsername[key]; a != nil && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// notifyMentions gives each account a status mentions (but its author) a
// notification of type mention.
func (s *Server) notifyMentions(st *status) {
	for _, a := range st.mentions {
		if a == st.account {
			continue
		}
		n := &notification{id: s.nextID(), typ: "mention", from: st.account, status: st}
		a.mu.Lock()
		a.notifications = append(a.notifications, n)
		a.mu.Unlock()
	}
}

// withMentions turns the mentions in a status's HTML into the links
// Mastodon renders: an h-card with the username alone.
func withMentions(content string, mentions []*account, base, localDomain string) string {
	for _, m := range mentions {
		link := `<span class="h-card" translate="no"><a href="` + html.EscapeString(m.profileURL(base)) +
			`" class="u-url mention">@<span>` + html.EscapeString(m.username) + `</span></a></span>`
		forms := []string{"@" + m.acct()}
		if m.domain == "" {
			forms = []string{"@" + m.username + "@" + localDomain, "@" + m.username}
		}
		for _, f := range forms {
			content = replaceWord(content, f, link)
		}
	}
	return content
}

// replaceWord replaces the occurrences of word (case-insensitively) that
// stand alone: after a tag, a space or the start, and not followed by a
// character that would make them longer.
func replaceWord(s, word, with string) string {
	var b strings.Builder
	lower, lw := strings.ToLower(s), strings.ToLower(word)
	for {
		i := strings.Index(lower, lw)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(word)
		before := i == 0 || strings.ContainsRune("> (\n", rune(s[i-1]))
		longer := end < len(s) && (isWord(s[end]) || s[end] == '@' || (s[end] == '.' && end+1 < len(s) && isWord(s[end+1])))
		after := !longer
		if before && after {
			b.WriteString(s[:i])
			b.WriteString(with)
		} else {
			b.WriteString(s[:end])
		}
		s, lower = s[end:], lower[end:]
	}
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// listNotifications serves the account's notifications, newest first,
// paged as Mastodon pages them: limit (40, at most 80), max_id (older
// than), since_id (newer than, the newest first), min_id (just newer
// than, the oldest of them first), types[] and exclude_types[], with the
// Link header of the next and previous pages. Notifications of deleted
// statuses are gone, as Mastodon removes them.
//
// Specs: https://docs.joinmastodon.org/methods/notifications/#get
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) {
	a, ok := s.auth(w, r, true, "read:notifications")
	if !ok {
		return
	}
	q := r.URL.Query()
	limit := 40
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		limit = min(n, 80)
	}
	types := append(q["types[]"], q["types"]...)
	exclude := append(q["exclude_types[]"], q["exclude_types"]...)
	// An id parameter counts when present, "0" included (Rails' present?).
	idNum := func(key string) (int64, bool) {
		v := q.Get(key)
		n, _ := strconv.ParseInt(v, 10, 64)
		return n, v != ""
	}
	maxID, hasMax := idNum("max_id")
	sinceID, hasSince := idNum("since_id")
	minID, hasMin := idNum("min_id")
	var picked []*notification
	a.mu.Lock()
	for i := len(a.notifications) - 1; i >= 0; i-- {
		n := a.notifications[i]
		id, _ := strconv.ParseInt(n.id, 10, 64)
		if (hasMax && id >= maxID) || (hasSince && id <= sinceID) || (hasMin && id <= minID) ||
			(len(types) > 0 && !slices.Contains(types, n.typ)) || slices.Contains(exclude, n.typ) {
			continue
		}
		picked = append(picked, n)
	}
	a.mu.Unlock()
	live := picked[:0]
	for _, n := range picked {
		n.status.account.mu.Lock()
		gone := n.status.deleted
		n.status.account.mu.Unlock()
		if !gone {
			live = append(live, n)
		}
	}
	picked = live
	if hasMin {
		picked = picked[max(len(picked)-limit, 0):]
	} else if len(picked) > limit {
		picked = picked[:limit]
	}
	out := make([]any, 0, len(picked))
	for _, n := range picked {
		out = append(out, map[string]any{"id": n.id, "type": n.typ, "created_at": stamp(n.status.created),
			"group_key": "ungrouped-" + n.id, "account": s.accountJSON(r, n.from), "status": s.statusJSON(r, n.status, false)})
	}
	if len(picked) > 0 {
		page := root(r) + "/api/v1/notifications?"
		keep := url.Values{}
		for _, k := range []string{"limit", "types[]", "exclude_types[]"} {
			if v, ok := q[k]; ok {
				keep[k] = v
			}
		}
		next, prev := url.Values{"max_id": {picked[len(picked)-1].id}}, url.Values{"min_id": {picked[0].id}}
		for k, v := range keep {
			next[k], prev[k] = v, v
		}
		w.Header().Set("Link", `<`+page+next.Encode()+`>; rel="next", <`+page+prev.Encode()+`>; rel="prev"`)
	}
	writeJSON(w, http.StatusOK, out)
}
