// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package facebook_test

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/facebook"
	"github.com/piazza-pa/piazza/internal/channel/facebook/facebooktest"
	"github.com/piazza-pa/piazza/internal/channel/instagram/instagramtest"
)

const appSecret = "0123456789abcdef0123456789abcdef"

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"object":"page","entry":[]}`)
	good := facebooktest.Sign(body, appSecret)
	hexPart := strings.TrimPrefix(good, "sha256=")
	tests := []struct {
		name   string
		body   []byte
		header string
		secret string
		want   bool
	}{
		{"good", body, good, appSecret, true},
		{"upper-case hex", body, "sha256=" + strings.ToUpper(hexPart), appSecret, true},
		{"surrounding spaces", body, " " + good + " ", appSecret, true},
		{"forged body", []byte(`{"object":"page","entry":[{}]}`), good, appSecret, false},
		{"other secret", body, good, "another-secret", false},
		{"empty secret", body, facebooktest.Sign(body, ""), "", false},
		{"missing header", body, "", appSecret, false},
		{"no prefix", body, hexPart, appSecret, false},
		{"sha1", body, "sha1=" + hexPart[:40], appSecret, false},
		{"sha1 prefix on a sha256", body, "sha1=" + hexPart, appSecret, false},
		{"short", body, good[:len(good)-2], appSecret, false},
		{"not hex", body, "sha256=" + strings.Repeat("zz", 32), appSecret, false},
		{"empty value", body, "sha256=", appSecret, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := facebook.VerifySignature(tt.body, tt.header, tt.secret); got != tt.want {
				t.Errorf("VerifySignature = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVerifyChallenge(t *testing.T) {
	q := func(mode, token, challenge string) url.Values {
		return url.Values{"hub.mode": {mode}, "hub.verify_token": {token}, "hub.challenge": {challenge}}
	}
	tests := []struct {
		name  string
		q     url.Values
		token string
		want  string
		ok    bool
	}{
		{"good", q("subscribe", "piazza-verify", "1158201444"), "piazza-verify", "1158201444", true},
		{"wrong token", q("subscribe", "guess", "1158201444"), "piazza-verify", "", false},
		{"token prefix", q("subscribe", "piazza", "1158201444"), "piazza-verify", "", false},
		{"wrong mode", q("unsubscribe", "piazza-verify", "1158201444"), "piazza-verify", "", false},
		{"no mode", url.Values{"hub.verify_token": {"piazza-verify"}, "hub.challenge": {"1"}}, "piazza-verify", "", false},
		{"no token configured", q("subscribe", "", "1158201444"), "", "", false},
		{"no challenge", q("subscribe", "piazza-verify", ""), "piazza-verify", "", false},
		{"markup challenge", q("subscribe", "piazza-verify", "<script>alert(1)</script>"), "piazza-verify", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := facebook.VerifyChallenge(tt.q, tt.token)
			if got != tt.want || ok != tt.ok {
				t.Errorf("VerifyChallenge = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// The payloads below have the shapes of Meta's documentation and of what
// a Page and an Instagram account receive.
const (
	fbPage = "102030405060708"
	igUser = "17841400000000001"
)

var (
	created = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	msTime  = time.Date(2026, 11, 23, 9, 31, 2, 478_000_000, time.UTC)
)

const feedComment = `{"object":"page","entry":[{"id":"102030405060708","time":1795426200,"changes":[{"field":"feed","value":{
	"from":{"id":"6543210987654321","name":"Maria Rossi"},
	"post":{"status_type":"mobile_status_update","is_published":true,"updated_time":"2026-11-23T09:30:00+0000",
		"permalink_url":"https://www.facebook.com/102030405060708/posts/1001","promotion_status":"inactive","id":"102030405060708_1001"},
	"message":"Quando riapre la biblioteca?","post_id":"102030405060708_1001","comment_id":"1001_2002",
	"created_time":1795426200,"item":"comment","parent_id":"102030405060708_1001","verb":"add"}}]}]}`

const feedReply = `{"object":"page","entry":[{"id":"102030405060708","time":1795426200,"changes":[{"field":"feed","value":{
	"from":{"id":"7777","name":"Luca Bianchi"},"message":"Anche io vorrei saperlo","post_id":"102030405060708_1001",
	"comment_id":"1001_2003","created_time":"2026-11-23T09:30:00+0000","item":"comment","parent_id":"1001_2002",
	"verb":"add","photo":"https://scontent.xx.fbcdn.net/v/photo.jpg"}}]}]}`

const feedOwn = `{"object":"page","entry":[{"id":"102030405060708","time":1795426200,"changes":[{"field":"feed","value":{
	"from":{"id":"102030405060708","name":"Comune di Vallebella"},"message":"Riapre lunedì",
	"post_id":"102030405060708_1001","comment_id":"1001_2004","created_time":1795426200,"item":"comment",
	"parent_id":"1001_2002","verb":"add"}}]}]}`

const feedEdit = `{"object":"page","entry":[{"id":"102030405060708","time":1795426200,"changes":[{"field":"feed","value":{
	"from":{"id":"6543210987654321","name":"Maria Rossi"},"message":"Quando riapre?","post_id":"102030405060708_1001",
	"comment_id":"1001_2002","created_time":1795426200,"item":"comment","parent_id":"102030405060708_1001","verb":"edited"}}]}]}`

const feedReaction = `{"object":"page","entry":[{"id":"102030405060708","time":1795426200,"changes":[{"field":"feed","value":{
	"from":{"id":"6543210987654321","name":"Maria Rossi"},"post_id":"102030405060708_1001","created_time":1795426200,
	"item":"reaction","parent_id":"102030405060708_1001","reaction_type":"like","verb":"add"}}]}]}`

const messenger = `{"object":"page","entry":[{"id":"102030405060708","time":1795426262478,"messaging":[{
	"sender":{"id":"24242424242424242"},"recipient":{"id":"102030405060708"},"timestamp":1795426262478,
	"message":{"mid":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P",
		"text":"Buongiorno, vorrei segnalare una buca","reply_to":{"mid":"m_earlier"},
		"attachments":[{"type":"image","payload":{"url":"https://scontent.xx.fbcdn.net/v/buca.jpg"}},
			{"type":"file","payload":{"url":"https://cdn.fbsbx.com/v/modulo.pdf"}}]}}]}]}`

const messengerEcho = `{"object":"page","entry":[{"id":"102030405060708","time":1795426262478,"messaging":[{
	"sender":{"id":"102030405060708"},"recipient":{"id":"24242424242424242"},"timestamp":1795426262478,
	"message":{"mid":"m_echo","text":"Grazie della segnalazione","is_echo":true,"app_id":1517776481860111}}]}]}`

const messengerDelivery = `{"object":"page","entry":[{"id":"102030405060708","time":1795426262478,"messaging":[{
	"sender":{"id":"24242424242424242"},"recipient":{"id":"102030405060708"},"timestamp":1795426262478,
	"delivery":{"mids":["m_echo"],"watermark":1795426262478}},{
	"sender":{"id":"24242424242424242"},"recipient":{"id":"102030405060708"},"timestamp":1795426262478,
	"read":{"watermark":1795426262478}}]}]}`

const igComment = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1795426200,"changes":[{"field":"comments","value":{
	"from":{"id":"1789000000000042","username":"maria.rossi"},"media":{"id":"17900000000000123","media_product_type":"FEED"},
	"id":"17865799348089039","text":"Che bella piazza!"}}]}]}`

const igReply = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1795426200,"changes":[{"field":"comments","value":{
	"from":{"id":"1789000000000043","username":"luca_b"},"media":{"id":"17900000000000123","media_product_type":"REELS"},
	"id":"17865799348089040","parent_id":"17865799348089039","text":"Vero"}}]}]}`

const igOwn = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1795426200,"changes":[{"field":"comments","value":{
	"from":{"id":"17841400000000001","username":"comune.vallebella"},"media":{"id":"17900000000000123"},
	"id":"17865799348089041","parent_id":"17865799348089039","text":"Grazie!"}}]}]}`

const igDM = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1795426262478,"messaging":[{
	"sender":{"id":"1789000000000042"},"recipient":{"id":"17841400000000001"},"timestamp":1795426262478,
	"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAw","text":"Orari dell'anagrafe?"}}]}]}`

const igEcho = `{"object":"instagram","entry":[{"id":"17841400000000001","time":1795426262478,"messaging":[{
	"sender":{"id":"17841400000000001"},"recipient":{"id":"1789000000000042"},"timestamp":1795426262478,
	"message":{"mid":"aWdfZAG1echo","text":"Dalle 9 alle 12","is_echo":true}}]}]}`

func TestParseWebhook(t *testing.T) {
	comment := channel.Inbound{RemoteID: "1001_2002", Thread: "1001_2002", Visibility: channel.Public,
		AuthorID: "6543210987654321", AuthorName: "Maria Rossi", Text: "Quando riapre la biblioteca?",
		InReplyTo: "102030405060708_1001", PostID: "102030405060708_1001", At: created}
	tests := []struct {
		name string
		body string
		want []facebook.Event
	}{
		{"page comment", feedComment, []facebook.Event{{Platform: channel.Facebook, AccountID: fbPage, Msg: comment}}},
		{"page comment reply", feedReply, []facebook.Event{{Platform: channel.Facebook, AccountID: fbPage, Msg: channel.Inbound{
			RemoteID: "1001_2003", Thread: "1001_2002", Visibility: channel.Public, AuthorID: "7777", AuthorName: "Luca Bianchi",
			Text: "Anche io vorrei saperlo", InReplyTo: "1001_2002", PostID: "102030405060708_1001", At: created,
			Attachments: []channel.Attachment{{Kind: "photo", URL: "https://scontent.xx.fbcdn.net/v/photo.jpg"}}}}}},
		{"page's own comment", feedOwn, nil},
		{"comment edited", feedEdit, nil},
		{"reaction", feedReaction, nil},
		{"messenger", messenger, []facebook.Event{{Platform: channel.Facebook, AccountID: fbPage, Msg: channel.Inbound{
			RemoteID: "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P",
			Thread:   "24242424242424242", Visibility: channel.Private, AuthorID: "24242424242424242",
			Text: "Buongiorno, vorrei segnalare una buca", InReplyTo: "m_earlier", At: msTime,
			Attachments: []channel.Attachment{{Kind: "photo", URL: "https://scontent.xx.fbcdn.net/v/buca.jpg"},
				{Kind: "document", URL: "https://cdn.fbsbx.com/v/modulo.pdf"}},
			Raw: map[string]string{"psid": "24242424242424242"}}}}},
		{"messenger echo", messengerEcho, nil},
		{"delivery and read", messengerDelivery, nil},
		{"instagram comment", igComment, []facebook.Event{{Platform: channel.Instagram, AccountID: igUser, Msg: channel.Inbound{
			RemoteID: "17865799348089039", Thread: "17865799348089039", Visibility: channel.Public,
			AuthorID: "1789000000000042", AuthorHandle: "maria.rossi", Text: "Che bella piazza!",
			InReplyTo: "17900000000000123", PostID: "17900000000000123", At: created}}}},
		{"instagram reply", igReply, []facebook.Event{{Platform: channel.Instagram, AccountID: igUser, Msg: channel.Inbound{
			RemoteID: "17865799348089040", Thread: "17865799348089039", Visibility: channel.Public,
			AuthorID: "1789000000000043", AuthorHandle: "luca_b", Text: "Vero",
			InReplyTo: "17865799348089039", PostID: "17900000000000123", At: created}}}},
		{"instagram own comment", igOwn, nil},
		{"instagram dm", igDM, []facebook.Event{{Platform: channel.Instagram, AccountID: igUser, Msg: channel.Inbound{
			RemoteID: "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAw", Thread: "1789000000000042",
			Visibility: channel.Private, AuthorID: "1789000000000042", Text: "Orari dell'anagrafe?", At: msTime,
			Raw: map[string]string{"igsid": "1789000000000042"}}}}},
		{"instagram echo", igEcho, nil},
		{"unknown object", `{"object":"user","entry":[{"id":"1","time":1,"changes":[{"field":"feed","value":{}}]}]}`, nil},
		{"unknown field", `{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"ratings","value":{"item":"comment"}}]}]}`, nil},
		{"instagram field on a page", `{"object":"page","entry":[{"id":"1","changes":[{"field":"comments","value":{"id":"5","text":"x"}}]}]}`, nil},
		{"odd shapes skipped alone", `{"object":"page","entry":[7,{"id":"102030405060708","changes":"x","messaging":[1]},` +
			strings.TrimSuffix(strings.TrimPrefix(feedComment, `{"object":"page","entry":[`), `]}`) + `]}`,
			[]facebook.Event{{Platform: channel.Facebook, AccountID: fbPage, Msg: comment}}},
		{"empty", `{}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := facebook.ParseWebhook([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseWebhookBatch(t *testing.T) {
	body := `{"object":"page","entry":[` + entries(feedComment) + `,` + entries(messenger) + `,` + entries(feedOwn) + `]}`
	got, err := facebook.ParseWebhook([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Msg.RemoteID != "1001_2002" || got[1].Msg.Visibility != channel.Private {
		t.Errorf("got %+v", got)
	}
}

// entries is the entry list of a payload.
func entries(payload string) string {
	_, rest, _ := strings.Cut(payload, `"entry":[`)
	return strings.TrimSuffix(rest, `]}`)
}

func TestParseWebhookMalformed(t *testing.T) {
	for _, body := range []string{``, `{`, `{"object":"page","entry":[}`, `[]`, `"page"`,
		`{"object":"page","entry":{"id":"1"}}`, `{"object":3}`, feedComment[:len(feedComment)-1]} {
		got, err := facebook.ParseWebhook([]byte(body))
		if err == nil || got != nil || !errors.Is(err, facebook.ErrMalformed) {
			t.Errorf("%q: %v, %v", body, got, err)
		}
	}
}

// The fakes' payloads are what ParseWebhook reads.
func TestParseWebhookFromFakes(t *testing.T) {
	now := created
	e := newEnv(t, facebooktest.Options{Now: func() time.Time { return now }}, 2*time.Second)
	fb := e.fake
	pub, err := e.conn.Publish(t.Context(), e.acct, channel.Post{Text: "Biblioteca chiusa"})
	if err != nil {
		t.Fatal(err)
	}
	maria := facebooktest.Citizen{ID: "6543210987654321", Name: "Maria Rossi"}
	c, body, err := fb.AddComment(pub.RemoteID, maria, "Quando riapre?")
	if err != nil {
		t.Fatal(err)
	}
	if !facebook.VerifySignature(body, facebooktest.Sign(body, appSecret), appSecret) {
		t.Error("the fake's signature does not verify")
	}
	got := parseOne(t, body)
	want := channel.Inbound{RemoteID: c.ID, Thread: c.ID, Visibility: channel.Public, AuthorID: maria.ID,
		AuthorName: maria.Name, Text: "Quando riapre?", InReplyTo: pub.RemoteID, PostID: pub.RemoteID, At: now}
	if got.Platform != channel.Facebook || got.AccountID != page || !reflect.DeepEqual(got.Msg, want) {
		t.Errorf("comment: %+v", got)
	}
	r, body, err := fb.AddReply(c.ID, facebooktest.Citizen{ID: "7777", Name: "Luca"}, "Anch'io")
	if err != nil {
		t.Fatal(err)
	}
	if got := parseOne(t, body); got.Msg.RemoteID != r.ID || got.Msg.Thread != c.ID || got.Msg.InReplyTo != c.ID {
		t.Errorf("reply: %+v", got)
	}
	_, body, err = fb.AddMessage(page, maria, "Ciao")
	if err != nil {
		t.Fatal(err)
	}
	if got := parseOne(t, body); got.Msg.Thread != maria.ID || got.Msg.Raw["psid"] != maria.ID || !got.Msg.At.Equal(now) {
		t.Errorf("message: %+v", got)
	}
	if _, _, err := fb.AddComment("1_2", maria, "x"); err == nil {
		t.Error("a comment under no post")
	}

	ig := instagramtest.New(instagramtest.Options{Now: func() time.Time { return now }})
	if _, _, err := ig.AddComment("123", instagramtest.Citizen{ID: "1", Username: "a"}, "x"); err == nil {
		t.Error("a comment under no media")
	}
	_, body, err = ig.AddMessage(instagramtest.DefaultIGUserID, instagramtest.Citizen{ID: "1789000000000042", Username: "maria.rossi"}, "Orari?")
	if err != nil {
		t.Fatal(err)
	}
	if got := parseOne(t, body); got.Platform != channel.Instagram || got.AccountID != instagramtest.DefaultIGUserID ||
		got.Msg.Raw["igsid"] != "1789000000000042" || got.Msg.Text != "Orari?" {
		t.Errorf("instagram message: %+v", got)
	}
}

func parseOne(t *testing.T, body []byte) facebook.Event {
	t.Helper()
	evs, err := facebook.ParseWebhook(body)
	if err != nil || len(evs) != 1 {
		t.Fatalf("ParseWebhook(%s) = %+v, %v", body, evs, err)
	}
	return evs[0]
}
