// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package webpushtest is a fake Web Push service on loopback TLS for tests,
// demo mode and benchmarks. It follows the protocol as the real services
// enforce it: a vapid Authorization header whose ES256 token it verifies
// against k (aud its own origin, exp in the future and at most 24 hours
// ahead, a mailto: or https: sub), Content-Encoding aes128gcm, a TTL
// header, valid Urgency and Topic, and a body of at most 4096 bytes.
//
// A Server made by NewServer decrypts what it receives for the
// subscriptions it issued (NewSubscription holds the browser's private
// key), can be told to answer an endpoint with an error or to hang, and
// counts the distinct tokens it saw. NewSink makes one that checks the
// headers and discards the bodies, for load.
package webpushtest

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/piazza-pa/piazza/internal/webpush"
)

// Message is a push message the fake received and decrypted.
type Message struct {
	Endpoint string
	Payload  []byte
	TTL      int
	Urgency  string
	Topic    string
	// Subject and Key are the VAPID contact and public key it came with.
	Subject, Key string
}

// Answer replaces the fake's answer for one endpoint, after the protocol
// checks pass.
type Answer struct {
	Status     int
	RetryAfter string // Retry-After header, when not empty
	Body       string // sent as is; a JSON reason when empty
	// Hang holds the request without answering until the client gives up
	// or the server closes: the case where the outcome is unknown.
	Hang bool
}

// Server is a fake push service. Its methods are safe for concurrent use.
type Server struct {
	// URL is the service's origin, https://127.0.0.1:port; endpoints are
	// URL/push/{id}.
	URL string

	sink     bool
	cert     *x509.Certificate
	srv      *httptest.Server // NewServer
	ln       net.Listener     // NewSink
	conns    sync.Map         // NewSink: open connections, closed by Close
	wg       sync.WaitGroup   // NewSink: the accept loop and the connections
	stop     chan struct{}    // closed by Close, releases hanging requests
	stopOnce sync.Once
	seq      atomic.Int64
	requests atomic.Int64
	dials    atomic.Int64

	mu       sync.Mutex
	browsers map[string]browser // by endpoint id
	answers  map[string]Answer  // by endpoint id
	received []Message
	tokens   map[string]token // verified JWTs, by their text
	problems []string
}

// browser is the private half of a subscription the fake issued.
type browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

// token is a verified VAPID JWT.
type token struct {
	key string // the k it was verified with
	exp time.Time
	sub string
}

func newServer(sink bool) *Server {
	return &Server{
		sink:     sink,
		stop:     make(chan struct{}),
		browsers: map[string]browser{},
		answers:  map[string]Answer{},
		tokens:   map[string]token{},
	}
}

// NewServer starts a fake push service that decrypts what it receives.
func NewServer() *Server {
	s := newServer(false)
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	// Clients that drop connections (the hang case, a cancelled fan-out)
	// make the server log handshake and read errors: noise in test output.
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.dials.Add(1)
		}
	}
	s.srv.StartTLS()
	s.URL = s.srv.URL
	s.cert = s.srv.Certificate()
	return s
}

// Close releases hanging requests and stops the server.
func (s *Server) Close() {
	s.stopOnce.Do(func() { close(s.stop) })
	if s.srv != nil {
		s.srv.Close()
		return
	}
	_ = s.ln.Close()
	s.conns.Range(func(c, _ any) bool {
		_ = c.(net.Conn).Close()
		return true
	})
	s.wg.Wait()
}

// Client returns an HTTP client that trusts this server's certificate.
func (s *Server) Client() *http.Client { return Client(s) }

// Client returns an HTTP client that trusts the certificates of all the
// servers, for tests that post to several push services.
func Client(servers ...*Server) *http.Client {
	pool := x509.NewCertPool()
	for _, s := range servers {
		pool.AddCert(s.cert)
	}
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}
}

// NewSubscription returns a new browser's subscription on this service:
// a fresh key pair and auth secret, as PushSubscription.toJSON gives them.
// A Server made by NewServer keeps the private key to decrypt the
// messages; a sink keeps nothing.
func (s *Server) NewSubscription() webpush.Subscription {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic("webpushtest: " + err.Error()) // crypto/rand does not fail
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	id := "sub" + strconv.FormatInt(s.seq.Add(1), 10)
	if !s.sink {
		s.mu.Lock()
		s.browsers[id] = browser{key: key, auth: auth}
		s.mu.Unlock()
	}
	return webpush.Subscription{
		Endpoint: s.URL + "/push/" + id,
		P256dh:   base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()),
		Auth:     base64.RawURLEncoding.EncodeToString(auth),
	}
}

// Respond makes the service answer endpoint with a instead of accepting.
func (s *Server) Respond(endpoint string, a Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[s.id(endpoint)] = a
}

// Forget removes a subscription, which then answers 410 as one the browser
// withdrew.
func (s *Server) Forget(endpoint string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.browsers, s.id(endpoint))
}

func (s *Server) id(endpoint string) string {
	return strings.TrimPrefix(endpoint, s.URL+"/push/")
}

// Received returns the messages accepted and decrypted so far, in order.
func (s *Server) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.received...)
}

// Tokens is how many distinct valid VAPID tokens the service has seen: one
// per signature the sender made.
func (s *Server) Tokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokens)
}

// Requests is how many requests arrived, valid or not.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Connections is how many connections clients opened: with keep-alive, no
// more than the sender's concurrent requests.
func (s *Server) Connections() int64 { return s.dials.Load() }

// Problems lists the protocol violations the service refused, for a test
// to show when an answer was not the expected one.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

// reply is the service's answer to one request.
type reply struct {
	status     int
	retryAfter string
	location   string
	body       string // JSON unless the test's Answer said otherwise
	hang       bool
}

// serveHTTP is NewServer's handler.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, webpush.MaxBody+1))
	if err != nil {
		return // the client went away
	}
	rep := s.handle(r.Method, r.URL.Path, r.Header, body, len(body))
	if rep.hang {
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
		panic(http.ErrAbortHandler) // drop the connection without an answer
	}
	if rep.retryAfter != "" {
		w.Header().Set("Retry-After", rep.retryAfter)
	}
	if rep.location != "" {
		w.Header().Set("Location", rep.location)
	}
	if strings.HasPrefix(rep.body, "{") {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(rep.status)
	_, _ = io.WriteString(w, rep.body)
}

// handle checks a push request and decides the answer: body is the
// request's body (nil for a sink, which only counts its n bytes).
//
// Specs: https://www.rfc-editor.org/rfc/rfc8030#section-5, https://www.rfc-editor.org/rfc/rfc8292#section-3
func (s *Server) handle(method, path string, h http.Header, body []byte, n int) reply {
	s.requests.Add(1)
	id, ok := strings.CutPrefix(path, "/push/")
	switch {
	case !ok || id == "":
		return s.refuse(http.StatusNotFound, "no such endpoint "+path)
	case method != http.MethodPost:
		return s.refuse(http.StatusMethodNotAllowed, "push messages are POSTed")
	case n > webpush.MaxBody:
		return s.refuse(http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", webpush.MaxBody))
	}
	tok, key, status, problem := s.authorize(h.Get("Authorization"))
	if problem != "" {
		return s.refuse(status, problem)
	}
	msg := Message{Endpoint: s.URL + path, Subject: tok.sub, Key: key}
	if problem := checkHeaders(h, &msg); problem != "" {
		return s.refuse(http.StatusBadRequest, problem)
	}
	if ce := h.Get("Content-Encoding"); ce != "aes128gcm" {
		return s.refuse(http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Encoding %q, want aes128gcm", ce))
	}

	s.mu.Lock()
	answer, answered := s.answers[id]
	b, known := s.browsers[id]
	s.mu.Unlock()
	switch {
	case answered && answer.Hang:
		return reply{hang: true}
	case answered:
		if answer.Body == "" {
			answer.Body = fmt.Sprintf(`{"reason":%q}`, http.StatusText(answer.Status))
		}
		return reply{status: answer.Status, retryAfter: answer.RetryAfter, body: answer.Body}
	case s.sink:
		return reply{status: http.StatusCreated}
	case !known:
		return reply{status: http.StatusGone, body: `{"reason":"subscription expired or unsubscribed"}`}
	}
	var err error
	if msg.Payload, err = decrypt(b.key, b.auth, body); err != nil {
		return s.refuse(http.StatusBadRequest, "payload: "+err.Error())
	}
	s.mu.Lock()
	s.received = append(s.received, msg)
	seq := len(s.received)
	s.mu.Unlock()
	return reply{status: http.StatusCreated, location: s.URL + "/message/" + strconv.Itoa(seq)}
}

// refuse records a protocol violation and answers it with a JSON reason.
func (s *Server) refuse(status int, problem string) reply {
	s.mu.Lock()
	s.problems = append(s.problems, problem)
	s.mu.Unlock()
	body, _ := json.Marshal(map[string]string{"reason": problem})
	return reply{status: status, body: string(body)}
}

// checkHeaders reads TTL, Urgency and Topic into msg, or says what is
// wrong with them.
func checkHeaders(h http.Header, msg *Message) string {
	ttl := h.Get("TTL")
	if ttl == "" {
		return "missing TTL header"
	}
	var err error
	if msg.TTL, err = strconv.Atoi(ttl); err != nil || msg.TTL < 0 {
		return fmt.Sprintf("TTL %q is not a number of seconds", ttl)
	}
	switch msg.Urgency = h.Get("Urgency"); msg.Urgency {
	case "", "very-low", "low", "normal", "high":
	default:
		return fmt.Sprintf("Urgency %q is not very-low, low, normal or high", msg.Urgency)
	}
	msg.Topic = h.Get("Topic")
	if len(msg.Topic) > 32 {
		return "Topic longer than 32 characters"
	}
	if strings.Trim(msg.Topic, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return fmt.Sprintf("Topic %q is not in the base64url alphabet", msg.Topic)
	}
	return ""
}

// authorize checks the vapid Authorization header. A token is verified
// the first time it is seen and then looked up, as push services do; its
// expiry is checked on every request.
//
// Specs: https://www.rfc-editor.org/rfc/rfc8292#section-3.1
func (s *Server) authorize(header string) (t token, key string, status int, problem string) {
	scheme, params, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "vapid") {
		return token{}, "", http.StatusUnauthorized, fmt.Sprintf("Authorization %q is not of the vapid scheme", scheme)
	}
	var jwt string
	for p := range strings.SplitSeq(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(name) {
		case "t":
			jwt = value
		case "k":
			key = value
		}
	}
	if jwt == "" || key == "" {
		return token{}, "", http.StatusUnauthorized, "vapid Authorization without t= and k="
	}
	s.mu.Lock()
	t, seen := s.tokens[jwt]
	s.mu.Unlock()
	if !seen || t.key != key {
		var problem string
		if t, problem = s.verify(jwt, key); problem != "" {
			return token{}, "", http.StatusUnauthorized, problem
		}
		s.mu.Lock()
		s.tokens[jwt] = t
		s.mu.Unlock()
	}
	now := time.Now()
	switch {
	case !t.exp.After(now):
		return token{}, "", http.StatusUnauthorized, "token expired"
	case t.exp.Sub(now) > 24*time.Hour:
		return token{}, "", http.StatusUnauthorized, "token exp more than 24 hours ahead"
	}
	return t, key, 0, ""
}

// verify checks a JWT's ES256 signature against the public key k and its
// claims against this service.
func (s *Server) verify(jwt, k string) (token, string) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return token{}, "token is not a JWS compact serialisation"
	}
	var head struct{ Typ, Alg string }
	if err := decodeJSON(parts[0], &head); err != nil || head.Alg != "ES256" || head.Typ != "" && head.Typ != "JWT" {
		return token{}, fmt.Sprintf("token header %s: want typ JWT and alg ES256", parts[0])
	}
	var claims struct {
		Aud string
		Exp int64
		Sub string
	}
	if err := decodeJSON(parts[1], &claims); err != nil {
		return token{}, "token claims: " + err.Error()
	}
	if claims.Aud != s.URL {
		return token{}, fmt.Sprintf("token aud %q, want the origin %q", claims.Aud, s.URL)
	}
	if !strings.HasPrefix(claims.Sub, "mailto:") && !strings.HasPrefix(claims.Sub, "https:") {
		return token{}, fmt.Sprintf("token sub %q is not a mailto: or https: URI", claims.Sub)
	}
	raw, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil {
		return token{}, "k is not base64url"
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return token{}, "k is not an uncompressed P-256 point"
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return token{}, "token signature is not 64 bytes of base64url"
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return token{}, "token signature does not verify with k"
	}
	return token{key: k, exp: time.Unix(claims.Exp, 0), sub: claims.Sub}, ""
}

func decodeJSON(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
