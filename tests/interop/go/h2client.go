// Command h2client is the Go side of tests/interop/go_client.sh: Go's
// standard net/http client (no module beyond the standard library) against
// h2w-server over TLS. The test certificate is its only trust root; h2 must
// be chosen by ALPN (RFC 9113 section 3.2). It prints one "ok" or "FAIL"
// line per check and exits 1 if any check failed.
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"h2wtest"
)

var check = h2wtest.Check

const pattern = h2wtest.Pattern

// tester holds one client and counts the connections it opens.
type tester struct {
	base   string
	client *http.Client
	dials  int32
}

func newTester(base string, roots *x509.CertPool, maxVersion uint16) *tester {
	tr := h2wtest.Transport(roots, maxVersion)
	return &tester{base: base, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// do runs one request and returns the response with its whole body.
func (t *tester) do(method, path string, body io.Reader) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, t.base+path, body)
	if err != nil {
		return nil, nil, err
	}
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		if !info.Reused {
			atomic.AddInt32(&t.dials, 1)
		}
	}}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

// overH2 says whether resp came over HTTP/2 negotiated by ALPN.
func overH2(resp *http.Response) bool {
	return resp.ProtoMajor == 2 && resp.TLS != nil && resp.TLS.NegotiatedProtocol == "h2"
}

func expectedBytes(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = pattern[i%len(pattern)]
	}
	return out
}

func (t *tester) root() {
	resp, data, err := t.do("GET", "/", nil)
	if err != nil {
		check(false, "GET /: %v", err)
		return
	}
	check(resp.StatusCode == 200 && overH2(resp) && strings.HasPrefix(string(data), "Hello from h2w-server"),
		"GET / -> %d over %s (ALPN %q), %d octets", resp.StatusCode, resp.Proto, resp.TLS.NegotiatedProtocol, len(data))
	check(resp.TLS.Version >= tls.VersionTLS12, "TLS version 0x%04x >= TLS 1.2, suite %s",
		resp.TLS.Version, tls.CipherSuiteName(resp.TLS.CipherSuite))
}

// concurrentBytes fetches /bytes/N for several N at once on the same
// connection and checks every body octet for octet.
func (t *tester) concurrentBytes() {
	sizes := []int{0, 1, 64, 65, 4096, 100000, 1048577}
	var wg sync.WaitGroup
	for _, n := range sizes {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			resp, data, err := t.do("GET", "/bytes/"+strconv.Itoa(n), nil)
			if err != nil {
				check(false, "GET /bytes/%d: %v", n, err)
				return
			}
			check(resp.StatusCode == 200 && overH2(resp) && bytes.Equal(data, expectedBytes(n)) &&
				resp.ContentLength == int64(n),
				"GET /bytes/%d -> %d, %d octets, content-length %d", n, resp.StatusCode, len(data), resp.ContentLength)
		}(n)
	}
	wg.Wait()
}

// post sends body to /echo and expects it back octet for octet. With
// hideLength Go cannot see the size, so the body goes without
// content-length and its end is END_STREAM alone.
func (t *tester) post(name string, body []byte, hideLength bool) {
	var r io.Reader = bytes.NewReader(body)
	if hideLength {
		r = io.MultiReader(r) // not a *bytes.Reader: Go cannot know the length
	}
	resp, data, err := t.do("POST", "/echo", r)
	if err != nil {
		check(false, "POST /echo %s: %v", name, err)
		return
	}
	check(resp.StatusCode == 200 && overH2(resp) && bytes.Equal(data, body),
		"POST /echo %s: %d octets sent, %d back, identical=%v", name, len(body), len(data), bytes.Equal(data, body))
}

func (t *tester) posts() {
	big := make([]byte, 1<<20+3)
	if _, err := rand.Read(big); err != nil {
		check(false, "random body: %v", err)
		return
	}
	t.post("1 MiB + 3 random octets with content-length", big, false)
	t.post("300000 octets without content-length", big[:300000], true)
	t.post("empty body", []byte{}, false)
}

func (t *tester) notFound() {
	resp, _, err := t.do("GET", "/no/such/path", nil)
	if err != nil {
		check(false, "GET /no/such/path: %v", err)
		return
	}
	check(resp.StatusCode == 404 && overH2(resp), "GET /no/such/path -> %d", resp.StatusCode)
}

func main() {
	base := flag.String("base", "", "https://127.0.0.1:PORT of h2w-server")
	caFile := flag.String("ca", "", "the test certificate (PEM), the only trust root")
	flag.Parse()
	roots, err := h2wtest.LoadRoots(*caFile)
	if err != nil {
		fmt.Println("FAIL cannot load the test certificate:", err)
		os.Exit(1)
	}

	t := newTester(*base, roots, 0)
	t.root()
	t.concurrentBytes()
	t.posts()
	t.notFound()
	check(atomic.LoadInt32(&t.dials) == 1, "every request on one connection (%d opened)", t.dials)

	// TLS 1.2 only: the server must pick an AEAD ECDHE suite (RFC 9113
	// section 9.2.2).
	t12 := newTester(*base, roots, tls.VersionTLS12)
	resp, _, err := t12.do("GET", "/bytes/10", nil)
	if err != nil {
		check(false, "TLS 1.2 GET: %v", err)
	} else {
		suite := tls.CipherSuiteName(resp.TLS.CipherSuite)
		check(overH2(resp) && resp.TLS.Version == tls.VersionTLS12 && strings.HasPrefix(suite, "TLS_ECDHE_") &&
			(strings.Contains(suite, "_GCM_") || strings.Contains(suite, "CHACHA20")),
			"TLS 1.2: h2 with %s", suite)
	}
	if h2wtest.Failed() {
		os.Exit(1)
	}
}
