// Command delayproxy is the Go side of tests/interop/autotune_delay.sh
// (issue 18), standard library only, two modes:
//
//	delayproxy -target 127.0.0.1:PORT -delay 50ms
//
// forwards every TCP connection it accepts on 127.0.0.1 to the target,
// each chunk read in either direction written out `delay` later, in
// order: a long path on loopback (RTT = 2 x delay) whose bandwidth is
// loopback's. TCP backpressure still holds: a chunk is read only when
// fewer than -max-chunks wait.
//
//	delayproxy -serve -cert F -key F
//
// is Go's net/http server (HTTP/2 over TLS with ALPN) answering
// GET /bytes/N with N octets, the Go sender of the test.
//
// Both print "listening on 127.0.0.1:PORT" first.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

type chunk struct {
	due  time.Time
	data []byte
}

// pump copies src to dst, each chunk held until `delay` after it was read.
func pump(dst, src net.Conn, delay time.Duration, maxChunks int) {
	q := make(chan chunk, maxChunks)
	go func() {
		for {
			buf := make([]byte, 256*1024)
			n, err := src.Read(buf)
			if n > 0 {
				q <- chunk{time.Now().Add(delay), buf[:n]}
			}
			if err != nil {
				close(q)
				return
			}
		}
	}()
	for c := range q {
		if d := time.Until(c.due); d > 0 {
			time.Sleep(d)
		}
		if _, err := dst.Write(c.data); err != nil {
			break
		}
	}
	// Half-close so the other side sees the end after the delay too.
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	for range q {
	}
}

func proxy(ln net.Listener, target string, delay time.Duration, maxChunks int) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			t, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				return
			}
			done := make(chan struct{}, 2)
			go func() { pump(t, c, delay, maxChunks); done <- struct{}{} }()
			go func() { pump(c, t, delay, maxChunks); done <- struct{}{} }()
			<-done
			<-done
			c.Close()
			t.Close()
		}(c)
	}
}

var line = []byte(strings.Repeat("0123456789abcdef", 4096))

func bytesHandler(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/bytes/"), 10, 64)
	if err != nil || n < 0 {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("content-length", strconv.FormatInt(n, 10))
	for n > 0 {
		k := int64(len(line))
		if n < k {
			k = n
		}
		if _, err := w.Write(line[:k]); err != nil {
			return
		}
		n -= k
	}
}

func main() {
	target := flag.String("target", "", "host:port to forward to")
	delay := flag.Duration("delay", 50*time.Millisecond, "added each way")
	maxChunks := flag.Int("max-chunks", 4096, "chunks held per direction")
	serve := flag.Bool("serve", false, "be the HTTPS /bytes/N server")
	cert := flag.String("cert", "", "PEM certificate (-serve)")
	key := flag.String("key", "", "PEM private key (-serve)")
	flag.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr().String())
	if *serve {
		srv := &http.Server{Handler: http.HandlerFunc(bytesHandler)}
		err = srv.ServeTLS(ln, *cert, *key)
		if err != nil && err != io.EOF {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	proxy(ln, *target, *delay, *maxChunks)
}
