// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package instagram

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

func TestAPIError(t *testing.T) {
	throttled := http.Header{"X-Business-Use-Case-Usage": {`{"17841400000000001":[{"type":"instagram","estimated_time_to_regain_access":3}]}`}}
	tests := []struct {
		name   string
		status int
		header http.Header
		ge     *graphError
		kind   channel.Kind
		code   string
		retry  time.Duration
	}{
		{"expired token", 400, nil, &graphError{Message: "Error validating access token", Code: 190, Subcode: 463}, channel.Auth, "190/463", 0},
		{"restricted account", 400, nil, &graphError{Message: "The Instagram account is restricted.", Code: 25, Subcode: 2207050}, channel.Auth, "25/2207050", 0},
		{"missing permission", 403, nil, &graphError{Message: "(#10) Application does not have permission for this action", Code: 10}, channel.Auth, "10", 0},
		{"publishing limit", 400, nil, &graphError{Message: "Application request limit reached", Code: 9, Subcode: 2207042}, channel.RateLimited, "9/2207042", PublishLimitWait},
		{"spam restriction", 400, nil, &graphError{Message: "We restrict certain activity", Code: 4, Subcode: 2207051}, channel.RateLimited, "4/2207051", DefaultRateLimitWait},
		{"instagram use case", 400, throttled, &graphError{Message: "There have been too many calls", Code: 80002}, channel.RateLimited, "80002", 3 * time.Minute},
		{"server error", 400, nil, &graphError{Message: "Instagram server error.", Code: -1, Subcode: 2207001}, channel.Retryable, "-1/2207001", 0},
		{"download timeout", 400, nil, &graphError{Message: "It takes too long to download the media.", Code: -2, Subcode: 2207003}, channel.Retryable, "-2/2207003", 0},
		{"builder expired", 400, nil, &graphError{Message: "The media builder does not exist", Code: 24, Subcode: 2207008}, channel.Retryable, "24/2207008", 0},
		{"not ready", 400, nil, &graphError{Message: "Media ID is not available", Code: 9007, Subcode: 2207027}, channel.Retryable, "9007/2207027", 0},
		{"aspect ratio", 400, nil, &graphError{Message: "The aspect ratio is not supported.", Code: 36003, Subcode: 2207009}, channel.Permanent, "36003/2207009", 0},
		{"caption", 400, nil, &graphError{Message: "The caption is too long.", Code: 36004, Subcode: 2207010}, channel.Permanent, "36004/2207010", 0},
		{"fetch", 400, nil, &graphError{Message: "Only photo or video can be accepted as media type.", Code: 9004, Subcode: 2207052}, channel.Permanent, "9004/2207052", 0},
		{"carousel", 400, nil, &graphError{Message: "Carousel validation failed", Code: 100, Subcode: 2207028}, channel.Permanent, "100/2207028", 0},
		{"gateway", 504, nil, nil, channel.Retryable, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Header: tt.header}
			if resp.Header == nil {
				resp.Header = http.Header{}
			}
			e := apiError("publish", resp, tt.ge)
			if e.Kind != tt.kind || e.Code != tt.code || e.RetryAfter != tt.retry || e.Platform != channel.Instagram ||
				(tt.ge != nil && !strings.HasPrefix(e.Message, tt.ge.Message)) {
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
