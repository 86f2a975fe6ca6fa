// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mail

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Settings is a parsed PIAZZA_SMTP_URL.
type Settings struct {
	Host     string // host name or IP address, without brackets
	Port     int
	Username string // empty: no AUTH
	Password string
	// ImplicitTLS is set by smtps://: TLS from the first byte. With smtp://
	// the sender upgrades with STARTTLS whenever the server offers it.
	ImplicitTLS bool
	// AllowInsecure (?insecure=true) lets smtp:// go on in clear text when
	// the server offers no STARTTLS. Loopback hosts are always allowed to,
	// so a local relay needs no flag; a password is still never sent in
	// clear to a remote host.
	AllowInsecure bool
}

// Default ports: 587 is message submission (RFC 6409), 465 submission over
// implicit TLS (RFC 8314).
const (
	defaultPort    = 587
	defaultTLSPort = 465
)

// redactedPassword stands in for the password wherever a URL is shown.
const redactedPassword = "xxxxx"

// ParseURL parses and validates an SMTP URL: smtp://user:pass@host:587 or
// smtps://user:pass@host:465, with the optional query ?insecure=true.
// Its errors never contain the password.
func ParseURL(s string) (*Settings, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("mail: empty SMTP URL")
	}
	if !strings.Contains(s, "://") {
		return nil, errors.New("mail: SMTP URL must start with smtp:// or smtps://")
	}
	u, err := parseRedacted(s)
	if err != nil {
		return nil, err
	}
	st := &Settings{}
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		st.Port = defaultPort
	case "smtps":
		st.Port, st.ImplicitTLS = defaultTLSPort, true
	default:
		return nil, fmt.Errorf("mail: unsupported SMTP URL scheme %q (want smtp or smtps)", u.Scheme)
	}
	st.Host = u.Hostname()
	if st.Host == "" {
		return nil, errors.New("mail: SMTP URL has no host (want smtp://host:port)")
	}
	if !validHost(st.Host) {
		return nil, fmt.Errorf("mail: invalid host %q in SMTP URL", st.Host)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("mail: invalid port %q in SMTP URL (want 1-65535)", p)
		}
		st.Port = n
	}
	if u.Path != "" && u.Path != "/" {
		return nil, errors.New("mail: SMTP URL must not have a path")
	}
	if u.Fragment != "" {
		return nil, errors.New("mail: SMTP URL must not have a fragment")
	}
	if u.User != nil {
		st.Username = u.User.Username()
		st.Password, _ = u.User.Password()
		switch {
		case st.Username == "":
			return nil, errors.New("mail: SMTP URL has a password but no user name")
		case st.Password == "":
			return nil, errors.New("mail: SMTP URL has a user name but no password")
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("mail: invalid query in SMTP URL: %w", err)
	}
	for k, v := range q {
		if k != "insecure" {
			return nil, fmt.Errorf("mail: unknown SMTP URL parameter %q (only insecure is known)", k)
		}
		if len(v) != 1 {
			return nil, errors.New("mail: SMTP URL parameter insecure given more than once")
		}
		st.AllowInsecure, err = strconv.ParseBool(v[0])
		if err != nil {
			return nil, fmt.Errorf("mail: SMTP URL parameter insecure=%q is not true or false", v[0])
		}
	}
	if st.AllowInsecure && st.ImplicitTLS {
		// Refused rather than ignored: someone may have meant "skip
		// certificate checks", which Piazza does not do.
		return nil, errors.New("mail: insecure=true has no meaning with smtps://")
	}
	return st, nil
}

// parseRedacted parses s without ever letting the password reach an error:
// net/url quotes the whole input in its errors. The user information is
// swapped for a placeholder first, so whatever is wrong elsewhere can be
// reported in full; only if the placeholder URL parses and s does not is
// the fault in the user information, which is then named but not shown.
func parseRedacted(s string) (*url.URL, error) {
	redacted := s
	i, j, ok := userinfoSpan(s)
	if ok {
		redacted = s[:i] + "user:" + redactedPassword + s[j:]
	} else if k := strings.Index(s, "://"); k >= 0 && strings.Contains(s[k:], "@") {
		// An "@" past the authority most likely follows a password with
		// an unescaped "/", "?" or "#": net/url would then report a piece
		// of the password as host or port.
		return nil, errors.New("mail: invalid SMTP URL: percent-encode any / ? # in the user name or password")
	}
	if _, err := url.Parse(redacted); err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("mail: invalid SMTP URL: %v", err)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("mail: invalid user name or password in SMTP URL (percent-encode special characters such as @ : / ? # %)")
	}
	return u, nil
}

// userinfoSpan finds the user information of a URL the way net/url does:
// after "scheme://", up to the last "@" before the first "/", "?" or "#".
func userinfoSpan(s string) (start, end int, ok bool) {
	i := strings.Index(s, "://")
	if i < 0 {
		return 0, 0, false
	}
	start = i + len("://")
	authority := s[start:]
	if k := strings.IndexAny(authority, "/?#"); k >= 0 {
		authority = authority[:k]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return 0, 0, false
	}
	return start, start + at, true
}

// validHost accepts IP addresses and DNS names (underscores included, as
// some internal relays have them); anything else could only fail to dial.
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// String gives the settings back as a URL with the password redacted, so a
// Settings value can be printed or logged safely.
func (s *Settings) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port))}
	if s.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.Username != "" {
		u.User = url.UserPassword(s.Username, redactedPassword)
	}
	if s.AllowInsecure {
		u.RawQuery = "insecure=true"
	}
	return u.String()
}

// plainAllowed says whether a session may go on without TLS.
func (s *Settings) plainAllowed() bool {
	return s.AllowInsecure || isLoopback(s.Host)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
