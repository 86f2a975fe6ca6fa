// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package channel_test

import (
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/instagram"
	"github.com/piazza-pa/piazza/internal/channel/x"
)

// TestCheckUsesTheConnectorsValidate: scheduling goes through Check, so a
// connector's own rules (X counting the link it appends) are not skipped.
func TestCheckUsesTheConnectorsValidate(t *testing.T) {
	for _, c := range []channel.Connector{x.New(nil), instagram.New(nil)} {
		if _, ok := c.(channel.Validator); !ok {
			t.Errorf("%s has its own Validate but is not a channel.Validator", c.Platform())
		}
	}
	// 270 weighted characters of text plus a link X appends (a space and 23): 294.
	p := channel.Post{Text: strings.Repeat("a", 270), Link: &channel.LinkCard{URL: "https://www.comune.example.it/avviso"}}
	conn := x.New(nil)
	if got := channel.ValidateWith(conn, channel.Account{}, p); len(got) != 0 {
		t.Fatalf("the generic check alone should see no problem here: %+v", got)
	}
	got := channel.Check(conn, channel.Account{}, p)
	if len(got) != 1 || got[0].Code != channel.ProblemTooLong || got[0].Limit != 280 || got[0].Actual <= 280 {
		t.Fatalf("Check = %+v, want the appended link counted over 280", got)
	}
}
