// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package facebook

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

func TestUsageWait(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"none", http.Header{}, 0},
		{"business use case", http.Header{"X-Business-Use-Case-Usage": {
			`{"102030405060708":[{"type":"pages","call_count":100,"total_cputime":25,"total_time":25,"estimated_time_to_regain_access":5}]}`}},
			5 * time.Minute},
		{"longest of several", http.Header{"X-Business-Use-Case-Usage": {
			`{"1":[{"type":"pages","estimated_time_to_regain_access":2},{"type":"instagram","estimated_time_to_regain_access":7}],"2":[]}`}},
			7 * time.Minute},
		{"flat app usage", http.Header{"X-App-Usage": {`{"call_count":100,"total_time":10,"estimated_time_to_regain_access":3}`}}, 3 * time.Minute},
		{"no estimate", http.Header{"X-App-Usage": {`{"call_count":100,"total_time":10,"total_cputime":10}`}}, 0},
		{"retry-after", http.Header{"Retry-After": {"30"}}, 30 * time.Second},
		{"retry-after longer", http.Header{"Retry-After": {"600"}, "X-App-Usage": {`{"estimated_time_to_regain_access":1}`}}, 10 * time.Minute},
		{"garbage", http.Header{"X-Business-Use-Case-Usage": {`{"1":[{"estimated_time_to_regain_access":"soon"}]`}}, 0},
		{"negative", http.Header{"X-App-Usage": {`{"estimated_time_to_regain_access":-4}`}}, 0},
		{"bounded", http.Header{"X-App-Usage": {`{"estimated_time_to_regain_access":1e300}`}}, 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := usageWait(tt.header, now); got != tt.want {
				t.Errorf("usageWait = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAPIError(t *testing.T) {
	throttled := http.Header{"X-Business-Use-Case-Usage": {`{"1":[{"type":"pages","estimated_time_to_regain_access":2}]}`}}
	tests := []struct {
		name   string
		status int
		header http.Header
		ge     *graphError
		kind   channel.Kind
		code   string
		retry  time.Duration
		msg    string
	}{
		{"expired token", 400, nil, &graphError{Message: "Error validating access token", Code: 190, Subcode: 463},
			channel.Auth, "190/463", 0, "Error validating access token"},
		{"no token", 400, nil, &graphError{Message: "An access token is required", Code: 104}, channel.Auth, "104", 0, "An access token is required"},
		{"permission", 403, nil, &graphError{Message: "(#200) Requires pages_manage_posts", Code: 200}, channel.Auth, "200", 0, "(#200) Requires pages_manage_posts"},
		{"permission 10", 400, nil, &graphError{Message: "(#10) Permission denied", Code: 10}, channel.Auth, "10", 0, "(#10) Permission denied"},
		{"app limit", 403, nil, &graphError{Message: "(#4) Application request limit reached", Code: 4}, channel.RateLimited, "4", DefaultRateLimitWait, "(#4) Application request limit reached"},
		{"user limit", 400, nil, &graphError{Message: "(#17) User request limit reached", Code: 17}, channel.RateLimited, "17", DefaultRateLimitWait, "(#17) User request limit reached"},
		{"page limit", 400, throttled, &graphError{Message: "(#32) Page request limit reached", Code: 32}, channel.RateLimited, "32", 2 * time.Minute, "(#32) Page request limit reached"},
		{"endpoint limit", 400, nil, &graphError{Message: "(#613) Calls to this api have exceeded the rate limit.", Code: 613}, channel.RateLimited, "613", DefaultRateLimitWait, "(#613)"},
		{"pages use case", 400, throttled, &graphError{Message: "There have been too many calls to this Page account.", Code: 80001}, channel.RateLimited, "80001", 2 * time.Minute, "There have been too many calls"},
		{"unknown", 500, nil, &graphError{Message: "An unknown error has occurred.", Code: 1}, channel.Retryable, "1", 0, "An unknown error has occurred."},
		{"service", 400, nil, &graphError{Message: "An unexpected error has occurred.", Code: 2, IsTransient: true}, channel.Retryable, "2", 0, "An unexpected error"},
		{"transient", 400, nil, &graphError{Message: "Please retry", Code: 9999, IsTransient: true}, channel.Retryable, "9999", 0, "Please retry"},
		{"blocked", 400, nil, &graphError{Message: "It looks like you were misusing this feature", Code: 368, Subcode: 1390008}, channel.Permanent, "368/1390008", 0, "It looks like"},
		{"duplicate", 400, nil, &graphError{Message: "(#506) Duplicate status message", Code: 506}, channel.Permanent, "506", 0, "(#506) Duplicate status message"},
		{"invalid", 400, nil, &graphError{Message: "(#100) Invalid parameter", Code: 100, UserTitle: "Link non valido", UserMsg: "Il link non è valido."},
			channel.Permanent, "100", 0, "(#100) Invalid parameter: Il link non è valido."},
		{"server without body", 502, nil, nil, channel.Retryable, "", 0, "Bad Gateway"},
		{"unauthorized without body", 401, nil, nil, channel.Auth, "", 0, "Unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Header: tt.header}
			if resp.Header == nil {
				resp.Header = http.Header{}
			}
			e := apiError("publish", resp, tt.ge)
			if e.Kind != tt.kind || e.Code != tt.code || e.RetryAfter != tt.retry || !strings.HasPrefix(e.Message, tt.msg) ||
				e.Status != tt.status || e.Platform != channel.Facebook {
				t.Errorf("error %#v", e)
			}
		})
	}
}

func FuzzUsageWait(f *testing.F) {
	for _, s := range []string{"", "{}", `{"1":[{"estimated_time_to_regain_access":5}]}`, `{"estimated_time_to_regain_access":3.5}`,
		`{"1":[{"estimated_time_to_regain_access":1e400}]}`, `[1,2]`, `{"1":[null]}`} {
		f.Add(s, "")
		f.Add(s, "120")
	}
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, usage, retryAfter string) {
		h := http.Header{"X-Business-Use-Case-Usage": {usage}, "X-App-Usage": {usage}, "Retry-After": {retryAfter}}
		if w := usageWait(h, now); w < 0 || w > maxUsageWait {
			t.Fatalf("usageWait(%q, %q) = %v", usage, retryAfter, w)
		}
	})
}
