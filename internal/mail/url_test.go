// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mail

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in   string
		want Settings
	}{
		{"smtp://user:pass@mail.example.org:587", Settings{Host: "mail.example.org", Port: 587, Username: "user", Password: "pass"}},
		{"smtp://mail.example.org", Settings{Host: "mail.example.org", Port: 587}},
		{"smtps://user:pass@mail.example.org", Settings{Host: "mail.example.org", Port: 465, Username: "user", Password: "pass", ImplicitTLS: true}},
		{"SMTPS://u:p@mail.example.org:2465/", Settings{Host: "mail.example.org", Port: 2465, Username: "u", Password: "p", ImplicitTLS: true}},
		{"smtp://relay.lan:25?insecure=true", Settings{Host: "relay.lan", Port: 25, AllowInsecure: true}},
		{"smtp://relay.lan:25?insecure=false", Settings{Host: "relay.lan", Port: 25}},
		{"smtp://127.0.0.1:2525", Settings{Host: "127.0.0.1", Port: 2525}},
		{"smtp://[::1]:2525", Settings{Host: "::1", Port: 2525}},
		{"  smtp://mail_relay.internal  ", Settings{Host: "mail_relay.internal", Port: 587}},
		// Special characters in credentials, percent-encoded.
		{"smtp://noreply%40comune.example.it:p%40ss%2Fw%3Ard@mail.example.org", Settings{Host: "mail.example.org", Port: 587, Username: "noreply@comune.example.it", Password: "p@ss/w:rd"}},
		// An unescaped "@" in the password still splits at the last one, as net/url does.
		{"smtp://user:p@ss@mail.example.org", Settings{Host: "mail.example.org", Port: 587, Username: "user", Password: "p@ss"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseURL(tt.in)
			if err != nil {
				t.Fatalf("ParseURL: %v", err)
			}
			if *got != tt.want {
				t.Errorf("ParseURL = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	const secret = "S3cr3tPassw0rd"
	tests := []struct {
		in      string
		wantErr string
	}{
		{"", "empty SMTP URL"},
		{"http://user:" + secret + "@mail.example.org", `unsupported SMTP URL scheme "http"`},
		{"mail.example.org:587", "must start with smtp:// or smtps://"},
		{"//user:" + secret + "@mail.example.org", "must start with"},
		{"://user:" + secret + "@mail.example.org", "missing protocol scheme"},
		{"smtp://user:" + secret + "@", "no host"},
		{"smtp://user:" + secret + "@:587", "no host"},
		{"smtp:user:" + secret + "@mail.example.org", "must start with"},
		{"smtp://user:" + secret + "@mail.example.org:smtp", `invalid port ":smtp"`},
		{"smtp://user:" + secret + "@mail.example.org:0", `invalid port "0"`},
		{"smtp://user:" + secret + "@mail.example.org:99999", `invalid port "99999"`},
		{"smtp://user:" + secret + "@mail example.org", "invalid SMTP URL"},
		{"smtp://user:" + secret + "@mail!example.org", `invalid host "mail!example.org"`},
		{"smtp://user:" + secret + "@mail.example.org/inbox", "must not have a path"},
		{"smtp://user:" + secret + "@mail.example.org#x", "must not have a fragment"},
		{"smtp://user:" + secret + "@mail.example.org?insecure=yes please", "insecure="},
		{"smtp://user:" + secret + "@mail.example.org?tls=off", `unknown SMTP URL parameter "tls"`},
		{"smtp://user:" + secret + "@mail.example.org?insecure=true&insecure=false", "more than once"},
		{"smtps://user:" + secret + "@mail.example.org?insecure=true", "no meaning with smtps"},
		{"smtp://user@mail.example.org", "no password"},
		{"smtp://:" + secret + "@mail.example.org", "no user name"},
		// Characters net/url refuses in user information.
		{"smtp://user:" + secret + " x@mail.example.org", "invalid user name or password"},
		{"smtp://user:" + secret + "%zz@mail.example.org", "invalid user name or password"},
		// A "/" in the password moves the apparent host into it.
		{"smtp://user:" + secret + "/x@mail.example.org", "percent-encode"},
		{"smtp://user:" + secret + "?x@mail.example.org", "percent-encode"},
		{"smtp://user:" + secret + "#x@mail.example.org", "percent-encode"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseURL(tt.in)
			if err == nil {
				t.Fatal("ParseURL succeeded, want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error %q does not contain %q", msg, tt.wantErr)
			}
			if !strings.HasPrefix(msg, "mail: ") {
				t.Errorf("error %q lacks the package prefix", msg)
			}
			if strings.Contains(msg, "S3cr3t") {
				t.Errorf("error %q shows the password", msg)
			}
		})
	}
}

func TestSettingsStringRedactsPassword(t *testing.T) {
	for in, want := range map[string]string{
		"smtp://user:S3cr3t@mail.example.org":    "smtp://user:xxxxx@mail.example.org:587",
		"smtps://u%40x:S3cr3t@[::1]":             "smtps://u%40x:xxxxx@[::1]:465",
		"smtp://relay.lan:25?insecure=true":      "smtp://relay.lan:25?insecure=true",
		"smtp://user:S3cr3t@mail.example.org:25": "smtp://user:xxxxx@mail.example.org:25",
	} {
		st, err := ParseURL(in)
		if err != nil {
			t.Fatalf("ParseURL(%q): %v", in, err)
		}
		if got := st.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
		// What String prints parses back to the same settings.
		back, err := ParseURL(st.String())
		if err != nil {
			t.Fatalf("ParseURL(String()): %v", err)
		}
		back.Password = st.Password
		if *back != *st {
			t.Errorf("round trip = %+v, want %+v", *back, *st)
		}
	}
}

func TestPlainAllowed(t *testing.T) {
	for in, want := range map[string]bool{
		"smtp://localhost":                      true,
		"smtp://LocalHost:25":                   true,
		"smtp://127.0.0.1":                      true,
		"smtp://127.0.0.2":                      true,
		"smtp://[::1]":                          true,
		"smtp://mail.example.org":               false,
		"smtp://10.0.0.5":                       false,
		"smtp://mail.example.org?insecure=true": true,
	} {
		st, err := ParseURL(in)
		if err != nil {
			t.Fatalf("ParseURL(%q): %v", in, err)
		}
		if got := st.plainAllowed(); got != want {
			t.Errorf("%s: plainAllowed = %v, want %v", in, got, want)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"smtp://user:pass@mail.example.org:587",
		"smtps://user:pass@mail.example.org:465",
		"smtp://127.0.0.1:2525?insecure=true",
		"smtp://[::1]:25",
		"smtp://u%40x:p%2F@h",
		"smtp://user:pa/ss@host",
		"http://user:password@host",
		"smtp:opaque",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		st, err := ParseURL(in)
		if err != nil {
			// The password, as typed, must not come back in the error. Only
			// a password that is long and appears once in the input can be
			// told apart from the rest of the error text.
			if i, j, ok := userinfoSpan(in); ok {
				if _, pw, ok := strings.Cut(in[i:j], ":"); ok && len(pw) >= 8 && strings.Count(in, pw) == 1 &&
					strings.Contains(err.Error(), pw) && !inTemplate(in, pw) {
					t.Fatalf("error %q shows the password %q", err, pw)
				}
			}
			return
		}
		if st.Host == "" || st.Port < 1 || st.Port > 65535 {
			t.Fatalf("ParseURL(%q) = %+v: invalid settings accepted", in, *st)
		}
		if (st.Username == "") != (st.Password == "") {
			t.Fatalf("ParseURL(%q) = %+v: half credentials accepted", in, *st)
		}
		// Judge the redacted form with the user name and host taken out: the
		// password may be equal to either of them.
		rest := strings.NewReplacer(st.Username, "", st.Host, "").Replace(st.String())
		if st.Password != "" && len(st.Password) >= 8 && strings.Contains(rest, st.Password) {
			t.Fatalf("String() = %q shows the password", st.String())
		}
	})
}

// inTemplate reports whether pw shows in the error for the same URL with
// another password: then it is a word of the message ("password"), not the
// secret. The other password keeps each character's class (hex letters,
// other letters, digits, the rest unchanged), so the URL fails for the same
// reason: " passwor" is a word of "invalid user name or password" only if the
// error for " qbttxps" still says it.
func inTemplate(in, pw string) bool {
	_, err := ParseURL(strings.Replace(in, pw, shiftClasses(pw), 1))
	return err != nil && strings.Contains(err.Error(), pw)
}

// shiftClasses replaces every letter and digit by the next one of its class,
// wrapping around: a-f, g-z, A-F, G-Z and 0-9.
func shiftClasses(s string) string {
	shift := func(r, lo, hi rune) rune { return lo + (r-lo+1)%(hi-lo+1) }
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'f':
			return shift(r, 'a', 'f')
		case r >= 'g' && r <= 'z':
			return shift(r, 'g', 'z')
		case r >= 'A' && r <= 'F':
			return shift(r, 'A', 'F')
		case r >= 'G' && r <= 'Z':
			return shift(r, 'G', 'Z')
		case r >= '0' && r <= '9':
			return shift(r, '0', '9')
		}
		return r
	}, s)
}
