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
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/publish"
)

var postPath = regexp.MustCompile(`^/plan/posts/([0-9a-zA-Z-]+)\?ok=`)

// TestEditorWorkflow is the plan's daily path over HTTP: an editor writes
// a post with two variants (text escaped, counted the platform's way) and
// submits it; the editor may not approve it; a manager approves and
// schedules it; the sandbox platforms receive it. A variant over X's
// limit cannot be scheduled and the page says by how much; a stale
// version is refused.
func TestEditorWorkflow(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		accts, err := in.App.Publish.Accounts(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		byPlatform := map[channel.Platform]publish.Account{}
		for _, a := range accts {
			// The demo's own sandbox accounts (other tests add more to the
			// demo organisation on a shared PostgreSQL database).
			if a.Sandbox && a.Status == publish.AccountActive && (strings.Contains(a.Name, "omune") || strings.HasPrefix(a.Name, "X @")) {
				byPlatform[a.Platform] = a
			}
		}
		tg, md, xa := byPlatform[channel.Telegram], byPlatform[channel.Mastodon], byPlatform[channel.X]
		if tg.ID == "" || md.ID == "" || xa.ID == "" {
			t.Fatalf("the demo has no sandbox Telegram, Mastodon and X accounts: %+v", byPlatform)
		}

		editor := newClient(t, in.URL)
		editor.login("redazione@demo.piazza.test")
		if code, body := editor.get("/plan"); code != 200 || !strings.Contains(body, `id="posts"`) {
			t.Fatalf("plan list: %d", code)
		}
		if code, _ := editor.get("/plan/posts/new"); code != 200 {
			t.Fatalf("new post: %d", code)
		}
		marker := "test-" + time.Now().Format("150405.000000")
		code, body, loc := editor.post("/plan/posts", url.Values{
			"title": {"Isola ecologica " + marker}, "body": {"Nuovi orari <script>alert(1)</script> dell'isola ecologica."},
			"v_" + tg.ID: {"Telegram " + marker + ": nuovi orari dell'isola ecologica, dal lunedì al sabato 8-18."},
			"v_" + md.ID: {"Mastodon " + marker + ": nuovi orari dell'isola ecologica #RaccoltaDifferenziata"},
		})
		m := postPath.FindStringSubmatch(loc)
		if code != http.StatusSeeOther || m == nil {
			t.Fatalf("create: %d %s %.400s", code, loc, body)
		}
		id := m[1]
		code, body = editor.get("/plan/posts/" + id)
		if code != 200 || strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;script&gt;") {
			t.Fatalf("post page: %d; script escaped: %v", code, strings.Contains(body, "&lt;script&gt;"))
		}
		if !strings.Contains(body, `id="preview-`+tg.ID+`"`) || !strings.Contains(body, `id="preview-`+md.ID+`"`) {
			t.Fatal("the editor should preview both variants")
		}
		if strings.Count(body, `data-count="`) < 2 || !strings.Contains(body, "Gulpease") {
			t.Fatalf("the editor should show both counts and the readability")
		}
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)[1]

		// The live counter, counted as X counts (a link is 23).
		_, frag, _ := editor.post("/plan/check", url.Values{"account": {xa.ID}, "v_" + xa.ID: {"Orari https://www.comune.example.it/una/pagina/molto/lunga/davvero"}})
		if !strings.Contains(frag, `data-count="29"`) || !strings.Contains(frag, "280") {
			t.Fatalf("live count for X: %s", frag)
		}

		// A stale version is refused, with words.
		if code, body, _ := editor.post("/plan/posts/"+id, url.Values{"version": {"0"}, "title": {"x"}, "body": {"y"}}); code != http.StatusConflict || !strings.Contains(body, `id="form-error"`) {
			t.Fatalf("stale save: %d", code)
		}
		// The editor may submit but not approve.
		if code, _, _ := editor.post("/plan/posts/"+id+"/action", url.Values{"action": {"approve"}, "version": {version}}); code != http.StatusForbidden {
			t.Fatalf("editor approving: %d, want 403", code)
		}
		if code, body, _ := editor.post("/plan/posts/"+id+"/action", url.Values{"action": {"submit"}, "version": {version}}); code != http.StatusSeeOther {
			t.Fatalf("submit: %d %.300s", code, body)
		}

		manager := newClient(t, in.URL)
		manager.login("manager@demo.piazza.test")
		version = currentVersion(t, manager, id)
		if code, body, _ := manager.post("/plan/posts/"+id+"/action", url.Values{"action": {"approve"}, "version": {version}}); code != http.StatusSeeOther {
			t.Fatalf("approve: %d %.300s", code, body)
		}
		version = currentVersion(t, manager, id)
		if code, body, _ := manager.post("/plan/posts/"+id+"/action", url.Values{"action": {"schedule"}, "version": {version}}); code != http.StatusSeeOther {
			t.Fatalf("schedule: %d %.500s", code, body)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			pubs, err := in.App.Publish.Publications(ctx, o.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			done := len(pubs) == 2
			for _, p := range pubs {
				done = done && p.State == publish.StatePublished
			}
			if done {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not published in time: %+v", pubs)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if _, body := manager.get("/sandbox"); !strings.Contains(body, "Telegram "+marker) || !strings.Contains(body, "Mastodon "+marker) {
			t.Fatal("the sandbox page does not show what the platforms received")
		}
		if _, body := manager.get("/plan/posts/" + id); !strings.Contains(body, `id="approved-by"`) || !strings.Contains(body, "Marco Social Media Manager") || strings.Count(body, `data-state="published"`) != 2 {
			t.Fatal("the published post should show its approver and both publications")
		}

		// An unknown outcome is for a person: shown with its buttons, settled by hand.
		pubs, _ := in.App.Publish.Publications(ctx, o.ID, id)
		if _, err := in.App.DB.Write.ExecContext(ctx, `UPDATE publications SET state = 'unknown' WHERE id = $1`, pubs[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, body := manager.get("/plan/posts/" + id); !strings.Contains(body, `action="/plan/publications/`+pubs[0].ID+`/resolve"`) {
			t.Fatal("no way to settle an unknown outcome")
		}
		if code, _, _ := editor.post("/plan/publications/"+pubs[0].ID+"/resolve", url.Values{"published": {"1"}}); code != http.StatusForbidden {
			t.Fatalf("an editor settling: %d, want 403", code)
		}
		if code, _, _ := manager.post("/plan/publications/"+pubs[0].ID+"/resolve", url.Values{"published": {"1"}, "remote_url": {pubs[0].RemoteURL}}); code != http.StatusSeeOther {
			t.Fatalf("resolve: %d", code)
		}
		if pb, _ := in.App.Publish.Publication(ctx, o.ID, pubs[0].ID); pb.State != publish.StatePublished {
			t.Fatalf("after resolve: %s", pb.State)
		}

		// Rettifica: the Mastodon text corrected in place, with a note.
		_, body = manager.get("/plan/posts/" + id)
		fields := regexp.MustCompile(`name="c_([^"]+)"[^>]*>Mastodon `).FindStringSubmatch(body)
		if fields == nil {
			t.Fatalf("no rettifica form for the Mastodon variant")
		}
		if code, body, _ := manager.post("/plan/posts/"+id+"/correct", url.Values{"mode": {"correct"}, "note": {""},
			"c_" + fields[1]: {"Mastodon " + marker + ": orari corretti"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "nota") {
			t.Fatalf("a correction without a note: %d", code)
		}
		code, body, _ = manager.post("/plan/posts/"+id+"/correct", url.Values{"mode": {"correct"}, "note": {"Orario sbagliato"},
			"c_" + fields[1]: {"Mastodon " + marker + ": orari corretti"}})
		if code != 200 || !strings.Contains(body, `id="correction-results"`) || !strings.Contains(body, "corretto") {
			t.Fatalf("correct: %d %.300s", code, body)
		}
		if code, _, _ := editor.post("/plan/posts/"+id+"/correct", url.Values{"mode": {"retract"}, "note": {"x"}}); code != http.StatusForbidden {
			t.Fatalf("an editor retracting: %d, want 403", code)
		}
		code, body, _ = manager.post("/plan/posts/"+id+"/correct", url.Values{"mode": {"retract"}, "note": {"Annullato l'evento"}})
		if code != 200 || strings.Count(body, "eliminato") < 2 {
			t.Fatalf("retract: %d %.300s", code, body)
		}

		// Over X's limit: approved, but scheduling says by how much.
		code, _, loc = editor.post("/plan/posts", url.Values{"title": {"Troppo lungo " + marker}, "body": {"Testo."},
			"v_" + xa.ID: {strings.Repeat("a", 300)}})
		m = postPath.FindStringSubmatch(loc)
		if code != http.StatusSeeOther || m == nil {
			t.Fatalf("create long: %d %s", code, loc)
		}
		long := m[1]
		editor.get("/plan/posts/" + long)
		editor.post("/plan/posts/"+long+"/action", url.Values{"action": {"submit"}, "version": {currentVersion(t, editor, long)}})
		manager.post("/plan/posts/"+long+"/action", url.Values{"action": {"approve"}, "version": {currentVersion(t, manager, long)}})
		code, body, _ = manager.post("/plan/posts/"+long+"/action", url.Values{"action": {"schedule"}, "version": {currentVersion(t, manager, long)}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "280") || !strings.Contains(body, "20") {
			t.Fatalf("over-limit schedule: %d %.600s", code, body)
		}
	})
}

func currentVersion(t *testing.T, c *client, id string) string {
	t.Helper()
	_, body := c.get("/plan/posts/" + id)
	m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no version on the page of %s", id)
	}
	return m[1]
}

// TestLanguageEditions: the editor writes an English edition beside the
// Italian one for the same account; both are stored with their language.
func TestLanguageEditions(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o := mustOrg(t, in)
		accts, _ := in.App.Publish.Accounts(ctx, o.ID)
		var tg string
		for _, a := range accts {
			if a.Platform == channel.Telegram && a.Sandbox && a.Status == publish.AccountActive {
				tg = a.ID
			}
		}
		editor := newClient(t, in.URL)
		editor.login("redazione@demo.piazza.test")
		if _, body := editor.get("/plan/posts/new"); !strings.Contains(body, `id="v-`+tg+`__en"`) || !strings.Contains(body, `lang="en"`) {
			t.Fatal("no English edition in the editor")
		}
		_, _, loc := editor.post("/plan/posts", url.Values{"title": {"Bilingue"}, "body": {"Museo aperto."},
			"v_" + tg: {"Il museo è aperto fino alle 20."}, "v_" + tg + "__en": {"The museum is open until 8 pm."}})
		m := postPath.FindStringSubmatch(loc)
		if m == nil {
			t.Fatalf("create: %s", loc)
		}
		vs, err := in.App.Editorial.Variants(ctx, o.ID, m[1])
		if err != nil || len(vs) != 2 {
			t.Fatalf("variants: %+v %v", vs, err)
		}
		byLang := map[string]string{}
		for _, v := range vs {
			byLang[v.Language] = v.Text
		}
		if byLang["en"] != "The museum is open until 8 pm." || byLang[o.Languages[0]] != "Il museo è aperto fino alle 20." {
			t.Errorf("editions: %v", byLang)
		}
		if _, body := editor.get("/plan/posts/" + m[1]); !strings.Contains(body, "The museum is open until 8 pm.") {
			t.Error("the English edition is not shown again")
		}
	})
}
