// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/mail/mailtest"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// TestPasswordResetByEmail follows the mail: ask for a link, receive it,
// choose a new password, log in with it; the link works once.
func TestPasswordResetByEmail(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		email := storetest.Unique("dimentica") + "@ente.example"
		if _, err := in.App.Auth.CreatePerson(ctx, nil, auth.PersonInput{Email: email, Name: "Smemorato", Password: "vecchia-password-123"}); err != nil {
			t.Fatal(err)
		}
		c := newClient(t, in.URL)
		c.get("/password/forgot")
		// The answer is the same for a stranger and for a real account.
		_, stranger, _ := c.post("/password/forgot", url.Values{"email": {"nessuno@ente.example"}})
		c.get("/password/forgot")
		code, known, _ := c.post("/password/forgot", url.Values{"email": {email}})
		if code != http.StatusOK || stranger != known {
			t.Fatalf("forgot answers differ (status %d)", code)
		}
		// On PostgreSQL the demo organisation is shared by the package's
		// tests: its notifications (urgent desk messages) may arrive too.
		// The reset mail is the one to this person, and only one.
		var msgs []mailtest.Received
		deadline := time.Now().Add(10 * time.Second)
		for len(msgs) == 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			for _, m := range in.Mail.Messages() {
				if len(m.To) > 0 && m.To[0] == email {
					msgs = append(msgs, m)
				}
			}
		}
		if len(msgs) != 1 {
			t.Fatalf("%d reset mails to %s", len(msgs), email)
		}
		link := regexp.MustCompile(`https?://\S+/password/reset\?token=\S+`).FindString(msgs[0].Text())
		if link == "" || !strings.HasPrefix(link, in.URL) {
			t.Fatalf("no reset link in %q", msgs[0].Text())
		}
		path := strings.TrimPrefix(link, in.URL)
		c.get(path)
		token := regexp.MustCompile(`token=(\S+)`).FindStringSubmatch(link)[1]
		token, _ = url.QueryUnescape(token)
		if code, _, _ := c.post("/password/reset", url.Values{"token": {token}, "password": {"corta"}}); code != http.StatusUnprocessableEntity {
			t.Fatalf("short password: %d", code)
		}
		code, _, loc := c.post("/password/reset", url.Values{"token": {token}, "password": {"nuova-password-2026"}})
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Fatalf("reset: %d %s", code, loc)
		}
		c.get("/password/reset")
		if code, _, _ := c.post("/password/reset", url.Values{"token": {token}, "password": {"ancora-un-altra-2026"}}); code != http.StatusBadRequest {
			t.Fatalf("reused link: %d", code)
		}
		if _, err := in.App.Auth.Authenticate(ctx, email, "nuova-password-2026", "127.0.0.9"); err != nil {
			t.Fatalf("login with the new password: %v", err)
		}
	})
}
