// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/piazza-pa/piazza/internal/channel"
)

// op names of the inbound side.
const (
	opPoll  = "poll"
	opReply = "reply"
)

// Polling bounds. Mastodon's notifications endpoint gives at most 80 per
// page (40 by default); a poll reads at most MaxPollMentions so that a
// flood of mentions is taken in steps, the rest on the next poll.
const (
	pollPage        = 40
	MaxPollMentions = 400
)

// notification is the part of a Notification entity Poll reads.
//
// Specs: https://docs.joinmastodon.org/entities/Notification/
type notification struct {
	ID     string        `json:"id"`
	Type   string        `json:"type"`
	Status *inboundState `json:"status"`
}

// inboundState is the part of a citizen's Status entity Poll reads.
//
// Specs: https://docs.joinmastodon.org/entities/Status/
type inboundState struct {
	ID                 string          `json:"id"`
	CreatedAt          string          `json:"created_at"`
	InReplyToID        *string         `json:"in_reply_to_id"`
	InReplyToAccountID *string         `json:"in_reply_to_account_id"`
	Visibility         string          `json:"visibility"`
	Language           *string         `json:"language"`
	Content            string          `json:"content"`
	Account            account         `json:"account"`
	MediaAttachments   []inboundMedia  `json:"media_attachments"`
	Mentions           []statusMention `json:"mentions"`
}

// inboundMedia is the part of a MediaAttachment a citizen sent that the
// desk keeps: the reference, not the bytes.
type inboundMedia struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	URL         *string `json:"url"`
	RemoteURL   *string `json:"remote_url"`
	Description *string `json:"description"`
}

// statusMention is Status.mentions[].
//
// Specs: https://docs.joinmastodon.org/entities/Status/#Mention
type statusMention struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	URL      string `json:"url"`
	Acct     string `json:"acct"`
}

// self is the account being polled, as far as Poll knows it: its id on the
// instance (SettingAccountID) and its username, which is its acct for the
// instance's own API.
type self struct{ id, username string }

// selfOf reads who the account is from what the account already holds,
// without an API call: the id stored by CheckCredentials and the username
// of the @user@domain handle.
func selfOf(acct channel.Account) self {
	user := strings.TrimPrefix(strings.TrimSpace(acct.Handle), "@")
	user, _, _ = strings.Cut(user, "@")
	return self{id: strings.TrimSpace(acct.Settings[SettingAccountID]), username: user}
}

// is tells whether a mention is of the account. Without an id or a
// username (ParseNotifications), the only mention of a status that
// notified the account is the account itself.
func (me self) is(m statusMention, all []statusMention) bool {
	switch {
	case me.id != "":
		return m.ID == me.id
	case me.username != "":
		return strings.EqualFold(m.Acct, me.username)
	}
	return len(all) == 1
}

// ParseNotifications reads a page of GET /api/v1/notifications and
// returns its mentions, in the order of the page (newest first); other
// notification types are left out. It is what Poll uses, without knowing
// the account: the leading mention dropped from the text is the status's
// only mention, and PostID is in_reply_to_id whatever it answers.
//
// Specs: https://docs.joinmastodon.org/methods/notifications/#get
func ParseNotifications(body []byte) ([]channel.Inbound, error) {
	var page []notification
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, err
	}
	return mentions(page, self{}), nil
}

// mentions maps the mention notifications of a page.
func mentions(page []notification, me self) []channel.Inbound {
	var out []channel.Inbound
	for _, n := range page {
		if in, ok := toInbound(n, me); ok {
			out = append(out, in)
		}
	}
	return out
}

// toInbound maps one mention. Mastodon gives no thread root in a status,
// so Thread is the status answered (in_reply_to_id), or the status itself
// when it starts a conversation. Only "direct" statuses are private:
// followers-only ones are still a public conversation for the desk.
func toInbound(n notification, me self) (channel.Inbound, bool) {
	st := n.Status
	if n.Type != "mention" || st == nil || st.ID == "" {
		return channel.Inbound{}, false
	}
	a := st.Account
	if a.Acct == "" {
		a.Acct = a.Username
	}
	in := channel.Inbound{RemoteID: st.ID, Thread: st.ID, Visibility: channel.Public, AuthorID: a.ID,
		AuthorName: strings.TrimSpace(a.DisplayName),
		Raw:        map[string]string{"acct": a.Acct, "visibility": st.Visibility}}
	if a.Acct != "" {
		in.AuthorHandle = "@" + a.Acct
	}
	if in.AuthorName == "" {
		in.AuthorName = a.Username
	}
	if st.Visibility == "direct" {
		in.Visibility = channel.Private
	}
	if st.InReplyToID != nil && *st.InReplyToID != "" {
		in.InReplyTo, in.Thread = *st.InReplyToID, *st.InReplyToID
		// A reply to one of the account's statuses is a comment under it;
		// without the account's id every reply is taken to be one.
		if me.id == "" || (st.InReplyToAccountID != nil && *st.InReplyToAccountID == me.id) {
			in.PostID = *st.InReplyToID
		}
	}
	if st.Language != nil {
		in.Lang = *st.Language
	}
	in.At = parseTime(st.CreatedAt, in.At)
	ours := map[string]bool{}
	for _, m := range st.Mentions {
		if m.URL != "" && me.is(m, st.Mentions) {
			ours[m.URL] = true
		}
	}
	in.Text = PlainText(st.Content, func(href string) bool { return ours[href] })
	for _, m := range st.MediaAttachments {
		at := channel.Attachment{Kind: attachmentKind(m.Type), RemoteID: m.ID}
		switch {
		case m.URL != nil && *m.URL != "":
			at.URL = *m.URL
		case m.RemoteURL != nil:
			at.URL = *m.RemoteURL
		}
		if m.Description != nil {
			at.Name = *m.Description
		}
		in.Attachments = append(in.Attachments, at)
	}
	return in, true
}

// attachmentKind names a MediaAttachment type the contract's way; a GIF
// is a silent video on Mastodon.
func attachmentKind(t string) string {
	switch t {
	case "image":
		return "photo"
	case "video", "gifv":
		return "video"
	case "audio":
		return "audio"
	}
	return "document"
}

// attrRe reads the href and class attributes of a tag.
var attrRe = regexp.MustCompile(`(?i)\b(href|class)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)

// PlainText turns a status's HTML content (Mastodon's sanitised subset:
// p, br, a, span) into plain text: paragraphs become blank lines, <br>
// line breaks, entities are decoded, and every tag is dropped with its
// text kept, so a shortened link shows in full. drop, when not nil, says
// which mention links (by href) to leave out when they open the text: the
// "@comune" a citizen writes to reach the account.
func PlainText(content string, drop func(href string) bool) string {
	var b strings.Builder
	lead := true      // nothing but mentions written yet
	skipping := false // inside a dropped mention link
	inMention := false
	text := func(s string) {
		if skipping {
			return
		}
		s = html.UnescapeString(s)
		if lead && !inMention && strings.TrimSpace(s) != "" {
			lead = false
		}
		if lead && b.Len() == 0 {
			// No leading blanks left by a dropped mention.
			s = strings.TrimLeft(s, " \t\u00a0")
		}
		b.WriteString(s)
	}
	for content != "" {
		lt := strings.IndexByte(content, '<')
		if lt < 0 {
			text(content)
			break
		}
		text(content[:lt])
		gt := strings.IndexByte(content[lt:], '>')
		if gt < 0 {
			text(content[lt:])
			break
		}
		tag := content[lt+1 : lt+gt]
		content = content[lt+gt+1:]
		closing := strings.HasPrefix(tag, "/")
		name := strings.ToLower(strings.TrimLeft(tag, "/"))
		if i := strings.IndexAny(name, " \t\r\n/"); i >= 0 {
			name = name[:i]
		}
		switch {
		case name == "br" && !skipping:
			b.WriteString("\n")
		case name == "p" && !closing && b.Len() > 0:
			b.WriteString("\n\n")
		case name == "a" && closing:
			skipping, inMention = false, false
		case name == "a":
			var href, class string
			for _, m := range attrRe.FindAllStringSubmatch(tag, -1) {
				v := html.UnescapeString(m[2] + m[3] + m[4])
				if strings.EqualFold(m[1], "href") {
					href = v
				} else {
					class = v
				}
			}
			classes := strings.Fields(class)
			inMention = slices.Contains(classes, "mention") && !slices.Contains(classes, "hashtag")
			skipping = inMention && lead && drop != nil && drop(href)
		}
	}
	return strings.TrimSpace(b.String())
}

// Poll returns the mentions of the account that arrived after cursor,
// oldest first, and the cursor for the next poll: the id of the newest
// notification read. Direct messages reach the account as mentions too.
//
// The first poll (empty cursor) imports nothing: it takes the newest
// mention's notification id as the cursor ("0" when there is none), so
// that the mentions of before Piazza do not flood the desk.
//
// Later polls page forward from the cursor with min_id, which Mastodon
// answers with the notifications just after it: a poll that stops at
// MaxPollMentions leaves the rest, newer, for the next one, and nothing
// is skipped. (Paging back from the newest with max_id down to since_id
// could not stop early without losing the older ones.)
//
// Specs: https://docs.joinmastodon.org/methods/notifications/#get
func (c *Connector) Poll(ctx context.Context, acct channel.Account, cursor string) ([]channel.Inbound, string, error) {
	const op = opPoll
	tok, err := token(acct, op)
	if err != nil {
		return nil, cursor, err
	}
	cursor = strings.TrimSpace(cursor)
	if cursor == "" {
		page, err := c.notifications(ctx, acct, op, tok, url.Values{"limit": {"1"}})
		if err != nil {
			return nil, "", err
		}
		next := "0"
		for _, n := range page {
			if n.ID != "" && idLess(next, n.ID) {
				next = n.ID
			}
		}
		return nil, next, nil
	}
	me := selfOf(acct)
	var out []channel.Inbound
	next := cursor
	seen := map[string]bool{}
	for len(out) < MaxPollMentions {
		page, err := c.notifications(ctx, acct, op, tok, url.Values{"limit": {strconv.Itoa(pollPage)}, "min_id": {next}})
		if err != nil {
			if len(out) > 0 {
				// Keep what was read: the next poll goes on from there.
				break
			}
			return nil, cursor, err
		}
		// A page is newest first; the desk wants the oldest first.
		slices.SortFunc(page, func(a, b notification) int { return compareIDs(a.ID, b.ID) })
		advanced := false
		for _, n := range page {
			if n.ID == "" || !idLess(next, n.ID) || len(out) >= MaxPollMentions {
				continue
			}
			next, advanced = n.ID, true
			if in, ok := toInbound(n, me); ok && !seen[in.RemoteID] {
				seen[in.RemoteID] = true
				out = append(out, in)
			}
		}
		if !advanced || len(page) < pollPage {
			break
		}
	}
	return out, next, nil
}

// notifications reads one page of the account's mention notifications.
func (c *Connector) notifications(ctx context.Context, acct channel.Account, op, tok string, q url.Values) ([]notification, error) {
	q["types[]"] = []string{"mention"}
	var page []notification
	_, err := c.call(ctx, acct, op, request{method: http.MethodGet, path: "/api/v1/notifications", query: q, token: tok}, &page)
	return page, nothingPublished(err)
}

// compareIDs orders Mastodon's ids: numbers as strings (snowflakes), or
// fixed-length sortable strings on some other servers; the longer is the
// newer.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func idLess(a, b string) bool { return compareIDs(a, b) < 0 }

// replyParams are the parameters of POST /api/v1/statuses for a reply.
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#create
type replyParams struct {
	Status      string `json:"status"`
	InReplyToID string `json:"in_reply_to_id"`
	Visibility  string `json:"visibility"`
	Language    string `json:"language,omitempty"`
}

// Reply answers a citizen's status with a status of the account in reply
// to it, starting with "@acct" so that the citizen is notified (Mastodon
// addresses replies by mention). The header Idempotency-Key: Reply.Key
// makes a retry within the hour return the reply already created.
//
// A direct status, or a reply asked to be private ("Sposta in privato"),
// is answered with a direct one, seen only by the citizen. A public one
// is answered "unlisted": public in the thread and on the profile, but
// kept out of the public timelines, so the comune's answers to single
// citizens do not flood the feed of its followers. The language is the
// one the citizen wrote in, as the instance reported it.
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#create
func (c *Connector) Reply(ctx context.Context, acct channel.Account, r channel.Reply) (channel.Published, error) {
	const op = opReply
	tok, err := token(acct, op)
	if err != nil {
		return channel.Published{}, err
	}
	to := strings.TrimSpace(r.To.RemoteID)
	if to == "" {
		return channel.Published{}, errorf(channel.Permanent, op, "no status to reply to")
	}
	text := strings.TrimSpace(Text(r.Text))
	if text == "" {
		return channel.Published{}, errorf(channel.Permanent, op, "the reply has no text")
	}
	who := strings.TrimSpace(r.To.Raw["acct"])
	if who == "" {
		who = strings.TrimSpace(r.To.AuthorHandle)
	}
	if who = strings.TrimPrefix(who, "@"); who != "" && !strings.HasPrefix(strings.ToLower(text), "@"+strings.ToLower(who)) {
		text = "@" + who + " " + text
	}
	visibility := "unlisted"
	if r.Private || r.To.Visibility == channel.Private || r.To.Raw["visibility"] == "direct" {
		visibility = "direct"
	}
	l := limitsOf(acct)
	if n := Count(text, l.urlLength); n > l.maxChars {
		return channel.Published{}, errorf(channel.Permanent, op,
			"with the mention of %s the reply counts %d characters, over this instance's limit of %d", "@"+who, n, l.maxChars)
	}
	var st status
	_, err = c.call(ctx, acct, op, request{method: http.MethodPost, path: "/api/v1/statuses", token: tok,
		idempotencyKey: r.Key,
		json:           replyParams{Status: text, InReplyToID: to, Visibility: visibility, Language: language(r.To.Lang)}}, &st)
	if err != nil {
		return channel.Published{}, err
	}
	return c.published(st, false), nil
}

// The connector reads mentions and answers them.
var (
	_ channel.Poller  = (*Connector)(nil)
	_ channel.Replier = (*Connector)(nil)
)
