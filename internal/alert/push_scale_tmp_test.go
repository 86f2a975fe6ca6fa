package alert

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/webpush"
	"github.com/piazza-pa/piazza/internal/webpush/webpushtest"
)

func TestPushScaleTmp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		sink := webpushtest.NewSink()
		t.Cleanup(sink.Close)
		keys, _ := e.s.VAPIDKeys(e.ctx)
		var err error
		if e.s.Push, err = webpush.NewSender(sink.Client(), keys, "mailto:x@example.org"); err != nil {
			t.Fatal(err)
		}
		const n = 100000
		start := time.Now()
		now := e.s.now()
		for i := 0; i < n; i += 1000 {
			var b strings.Builder
			args := []any{e.org.ID, now}
			b.WriteString(`INSERT INTO alert_subscribers (id, org_id, kind, address, keys, created_at, updated_at) VALUES `)
			for j := i; j < i+1000; j++ {
				sub := sink.NewSubscription()
				if j > i {
					b.WriteString(",")
				}
				args = append(args, store.NewID(), sub.Endpoint, fmt.Sprintf(`{"p256dh":%q,"auth":%q}`, sub.P256dh, sub.Auth))
				k := len(args)
				fmt.Fprintf(&b, "($%d, $1, 'webpush', $%d, $%d, $2, $2)", k-2, k-1, k)
			}
			if _, err := db.Write.Exec(b.String(), args...); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("inserted %d in %s", n, time.Since(start))
		a, inc, d := e.broadcast(t, IncidentInput{})
		start = time.Now()
		if n, err := e.s.pushAudience(e.ctx, e.org.ID, inc); err != nil || n != 100000 {
			t.Fatal(n, err)
		}
		t.Logf("audience in %s", time.Since(start))
		start = time.Now()
		if err := e.s.pushFanout(e.ctx, e.org.ID, d, a, inc); err != nil {
			t.Fatal(err)
		}
		t.Logf("fan-out of %d in %s (requests %d)", n, time.Since(start), sink.Requests())
		done, total := e.progress(t, d.ID)
		t.Logf("progress %d/%d", done, total)
		start = time.Now()
		if err := e.s.pushFanout(e.ctx, e.org.ID, d, a, inc); err != nil {
			t.Fatal(err)
		}
		t.Logf("resume with nothing left in %s", time.Since(start))
	})
}
