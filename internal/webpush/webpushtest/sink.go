// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package webpushtest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"time"
)

// NewSink starts a fake push service for load: it checks each request as
// NewServer does (verifying each distinct token once, as a real service
// caches them) and discards the body without decrypting. It answers
// Respond's answers too.
//
// It speaks HTTP/1.1 keep-alive itself rather than through net/http: in a
// benchmark it shares the CPU with the sender it measures, and net/http's
// server costs as much per request as the client does (a goroutine per
// request to watch the connection, deadline changes, header maps).
func NewSink() *Server {
	s := newServer(true)
	cert, leaf, err := selfSigned()
	if err != nil {
		panic("webpushtest: " + err.Error())
	}
	s.cert = leaf
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"http/1.1"},
		MinVersion:   tls.VersionTLS12,
	})
	if err != nil {
		panic("webpushtest: listen: " + err.Error())
	}
	s.ln = ln
	s.URL = "https://" + ln.Addr().String()
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed
			}
			s.dials.Add(1)
			s.conns.Store(c, nil)
			select {
			case <-s.stop: // Close may have swept the connections already
				_ = c.Close()
				s.conns.Delete(c)
				continue
			default:
			}
			s.wg.Go(func() {
				defer s.conns.Delete(c)
				defer c.Close()
				s.serveConn(c)
			})
		}
	})
	return s
}

// selfSigned makes the sink's certificate for 127.0.0.1.
func selfSigned() (tls.Certificate, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "webpushtest sink"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, leaf, nil
}

// errMalformed ends a connection whose request cannot be read.
var errMalformed = errors.New("malformed request")

// serveConn answers the requests of one keep-alive connection in turn.
// It reads what a push request needs (Content-Length, no chunked bodies)
// and the headers the service checks.
//
// Specs: https://www.rfc-editor.org/rfc/rfc9112
func (s *Server) serveConn(c net.Conn) {
	br := bufio.NewReaderSize(c, 8<<10)
	bw := bufio.NewWriterSize(c, 1<<10)
	h := http.Header{}
	for {
		method, target, keepAlive, n, err := readHead(br, h)
		if err != nil {
			if errors.Is(err, errMalformed) {
				rep := s.refuse(http.StatusBadRequest, err.Error())
				_ = writeReply(bw, rep, false)
			}
			return
		}
		if n > 0 && n <= 1<<20 {
			if _, err := br.Discard(n); err != nil {
				return
			}
		} else if n > 0 {
			keepAlive = false // not worth reading; the answer is 413
		}
		rep := s.handle(method, target, h, nil, n)
		if rep.hang {
			<-s.stop
			return
		}
		if writeReply(bw, rep, keepAlive) != nil || !keepAlive {
			return
		}
	}
}

// readHead reads a request line and headers into h (cleared first).
func readHead(br *bufio.Reader, h http.Header) (method, target string, keepAlive bool, n int, err error) {
	line, err := readLine(br)
	if err != nil {
		return "", "", false, 0, err
	}
	m, rest, ok1 := bytes.Cut(line, []byte(" "))
	t, proto, ok2 := bytes.Cut(rest, []byte(" "))
	if !ok1 || !ok2 || !bytes.HasPrefix(proto, []byte("HTTP/1.")) {
		return "", "", false, 0, fmt.Errorf("%w: request line %q", errMalformed, line)
	}
	method, target = string(m), string(t)
	keepAlive = string(proto) == "HTTP/1.1"
	clear(h)
	n = -1
	for {
		line, err := readLine(br)
		if err != nil {
			return "", "", false, 0, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return "", "", false, 0, fmt.Errorf("%w: header line %q", errMalformed, line)
		}
		value = bytes.TrimSpace(value)
		switch key := http.CanonicalHeaderKey(string(name)); key {
		case "Content-Length":
			if n, err = strconv.Atoi(string(value)); err != nil || n < 0 {
				return "", "", false, 0, fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
		case "Transfer-Encoding":
			return "", "", false, 0, fmt.Errorf("%w: Transfer-Encoding %q instead of a Content-Length", errMalformed, value)
		case "Connection":
			keepAlive = keepAlive && !bytes.EqualFold(value, []byte("close"))
		case "Authorization", "Content-Encoding", "Ttl", "Urgency", "Topic":
			h[key] = []string{string(value)}
		}
	}
	return method, target, keepAlive, max(n, 0), nil
}

// readLine returns a line without its CRLF; the slice is valid until the
// next read.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("%w: line longer than %d bytes", errMalformed, br.Size())
	}
	if err != nil {
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

func writeReply(bw *bufio.Writer, rep reply, keepAlive bool) error {
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\nContent-Length: %d\r\n", rep.status, http.StatusText(rep.status), len(rep.body))
	if rep.body != "" {
		_, _ = io.WriteString(bw, "Content-Type: application/json\r\n")
	}
	if rep.retryAfter != "" {
		_, _ = io.WriteString(bw, "Retry-After: "+rep.retryAfter+"\r\n")
	}
	if !keepAlive {
		_, _ = io.WriteString(bw, "Connection: close\r\n")
	}
	_, _ = io.WriteString(bw, "\r\n"+rep.body)
	return bw.Flush()
}
