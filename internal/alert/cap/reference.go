// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap

import (
	"fmt"
	"strings"
	"time"
)

// Ref names an earlier message, as CAP writes it in <references>.
type Ref struct {
	Sender     string
	Identifier string
	Sent       time.Time
}

// String writes r as "sender,identifier,sent".
func (r Ref) String() string {
	return r.Sender + "," + r.Identifier + "," + FormatTime(r.Sent)
}

// Reference is the entry naming a in the <references> of a later message:
// "sender,identifier,sent". An update or cancel lists the entries of the
// messages it follows, separated by a space.
func Reference(a *Alert) string {
	return Ref{Sender: a.Sender, Identifier: a.Identifier, Sent: a.Sent}.String()
}

// ParseReferences reads the entries of a <references> element, so an
// imported update or cancel can be matched with the alert it follows.
func ParseReferences(s string) ([]Ref, error) {
	var refs []Ref
	for _, entry := range strings.Fields(s) {
		parts := strings.Split(entry, ",")
		if len(parts) != 3 {
			return nil, fmt.Errorf("cap: reference %q: want sender,identifier,sent", entry)
		}
		if msg := tokenProblem(parts[0]); msg != "" {
			return nil, fmt.Errorf("cap: reference %q: sender %s", entry, msg)
		}
		if msg := tokenProblem(parts[1]); msg != "" {
			return nil, fmt.Errorf("cap: reference %q: identifier %s", entry, msg)
		}
		sent, err := ParseTime(parts[2])
		if err != nil {
			return nil, fmt.Errorf("cap: reference %q: %w", entry, err)
		}
		refs = append(refs, Ref{Sender: parts[0], Identifier: parts[1], Sent: sent})
	}
	return refs, nil
}
