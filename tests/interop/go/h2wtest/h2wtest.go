// Package h2wtest holds what the Go interop clients share: the check
// line format the shell scripts count, the /bytes pattern of h2w-server
// and the TLS client setup (the test certificate as the only trust root,
// h2 offered by ALPN). go_build in tests/interop/lib.sh copies it into the
// GOPATH it builds with, so the programs import it as "h2wtest" without
// modules or downloads.
package h2wtest

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
)

// Pattern is the 64-octet line h2w-server's /bytes/N repeats.
const Pattern = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+\n"

var failures int32

// Check prints one "ok" or "FAIL" line (the scripts count them) and
// remembers a failure for Failed.
func Check(cond bool, format string, args ...interface{}) {
	msg := fmt.Sprintf(format, args...)
	if cond {
		fmt.Println("ok   " + msg)
		return
	}
	atomic.AddInt32(&failures, 1)
	fmt.Println("FAIL " + msg)
}

// Failed says whether any Check failed.
func Failed() bool {
	return atomic.LoadInt32(&failures) != 0
}

// LoadRoots makes a pool holding only the PEM certificate in file.
func LoadRoots(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", file)
	}
	return roots, nil
}

// Transport trusts roots alone, from TLS 1.2 up to maxVersion (0: the
// newest Go knows).
func Transport(roots *x509.CertPool, maxVersion uint16) *http.Transport {
	cfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12, MaxVersion: maxVersion}
	// A custom TLS config turns HTTP/2 off unless asked for: ALPN then
	// offers h2 and http/1.1, and the server must pick h2.
	return &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true}
}
