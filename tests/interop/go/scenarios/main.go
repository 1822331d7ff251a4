// Command scenarios is the Go side of tests/interop/go_scenarios.sh: Go's
// standard net/http client (HTTP/2 over TLS with ALPN, standard library
// only) against h2w-server in the scenarios real clients exercise: a big
// download checked against the /bytes pattern, a big upload echoed back,
// request trailers (RFC 9113 section 8.1), a cancel mid-body followed by
// another request, and many streams at once. One "ok"/"FAIL" line per
// check; exit 1 if any failed. (Go's client does not accept server push.)
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"

	"h2wtest"
)

var check = h2wtest.Check

const pattern = h2wtest.Pattern

// patternReader checks a /bytes body as it streams by.
type patternReader struct {
	n  int64
	ok bool
}

func (p *patternReader) Write(b []byte) (int, error) {
	for i, c := range b {
		if c != pattern[(p.n+int64(i))%64] {
			p.ok = false
		}
	}
	p.n += int64(len(b))
	return len(b), nil
}

func get(c *http.Client, url string) (int64, bool, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	p := &patternReader{ok: true}
	_, err = io.Copy(p, resp.Body)
	return p.n, p.ok && resp.ProtoMajor == 2 && resp.StatusCode == 200, err
}

func main() {
	base := flag.String("base", "", "https://127.0.0.1:PORT")
	ca := flag.String("ca", "", "PEM certificate to trust")
	flag.Parse()
	roots, err := h2wtest.LoadRoots(*ca)
	if err != nil {
		fmt.Println("FAIL read CA:", err)
		os.Exit(1)
	}
	c := &http.Client{Transport: h2wtest.Transport(roots, 0)}

	const big = 20000000
	n, ok, err := get(c, fmt.Sprintf("%s/bytes/%d", *base, big))
	check(err == nil && ok && n == big, "big download: %d of %d octets (%v)", n, big, err)

	up := make([]byte, 8<<20)
	rand.Read(up)
	resp, err := c.Post(*base+"/echo", "application/octet-stream", bytes.NewReader(up))
	if err == nil {
		h := sha256.New()
		m, _ := io.Copy(h, resp.Body)
		resp.Body.Close()
		want := sha256.Sum256(up)
		check(resp.ProtoMajor == 2 && bytes.Equal(h.Sum(nil), want[:]),
			"big upload echoed: %d of %d octets", m, len(up))
	} else {
		check(false, "big upload: %v", err)
	}

	// A body of unknown length with trailers: DATA, then a HEADERS frame
	// with END_STREAM carrying the trailer fields.
	small := make([]byte, 100000)
	rand.Read(small)
	sum := sha256.Sum256(small)
	req, _ := http.NewRequest("POST", *base+"/echo", io.MultiReader(bytes.NewReader(small)))
	req.ContentLength = -1
	req.Trailer = http.Header{"X-Checksum": {fmt.Sprintf("%x", sum)}}
	resp, err = c.Do(req)
	if err == nil {
		data, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		check(rerr == nil && resp.ProtoMajor == 2 && bytes.Equal(data, small),
			"upload with request trailers echoed: %d octets", len(data))
	} else {
		check(false, "upload with trailers: %v", err)
	}

	// Cancel a 100 MB download after 1 MiB (RST_STREAM CANCEL), then the
	// connection must still serve requests.
	ctx, cancel := context.WithCancel(context.Background())
	req, _ = http.NewRequestWithContext(ctx, "GET", *base+"/bytes/100000000", nil)
	resp, err = c.Do(req)
	var got int64
	if err == nil {
		got, _ = io.CopyN(io.Discard, resp.Body, 1<<20)
		cancel()
		_, rerr := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		check(got == 1<<20 && rerr != nil, "cancel mid-body after %d octets (%v)", got, rerr)
	} else {
		cancel()
		check(false, "cancel mid-body: %v", err)
	}
	n, ok, err = get(c, *base+"/bytes/1000")
	check(err == nil && ok && n == 1000, "a request after the cancel: %d octets (%v)", n, err)

	var wg sync.WaitGroup
	var good int32
	for i := 0; i < 300; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			n, ok, err := get(c, fmt.Sprintf("%s/bytes/%d", *base, 1000+i))
			if err == nil && ok && n == int64(1000+i) {
				atomic.AddInt32(&good, 1)
			}
		}(i)
	}
	wg.Wait()
	check(good == 300, "300 streams at once: %d complete", good)

	if h2wtest.Failed() {
		os.Exit(1)
	}
}
