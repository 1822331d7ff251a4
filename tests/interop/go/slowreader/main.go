// Command slowreader is the Go side of tests/interop/go_slow_reader.sh:
// Go's standard net/http server (HTTP/2 over TLS with ALPN, standard
// library only) whose handler reads each request body 512 octets at a
// time. Go 1.19 returns window for every Read, so the uploading client
// sees a stream and a connection WINDOW_UPDATE of about 512 octets per
// read (RFC 9113 section 6.9) — the pattern a dribble defence must not
// mistake for an attack. Prints "listening on 127.0.0.1:PORT", then one
// line per request; each response body is the octet count read.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
)

func main() {
	cert := flag.String("cert", "", "PEM certificate")
	key := flag.String("key", "", "PEM private key")
	chunk := flag.Int("chunk", 512, "octets per body Read")
	flag.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, *chunk)
		total := 0
		for {
			n, err := r.Body.Read(buf)
			total += n
			if err == io.EOF {
				break
			}
			if err != nil {
				fmt.Printf("request %s error after %d: %v\n", r.URL.Path, total, err)
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		fmt.Printf("request %s %s %d bytes\n", r.Proto, r.URL.Path, total)
		fmt.Fprintf(w, "%d\n", total)
	})
	srv := &http.Server{Handler: h}
	fmt.Printf("listening on %s\n", ln.Addr().String())
	if err := srv.ServeTLS(ln, *cert, *key); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
