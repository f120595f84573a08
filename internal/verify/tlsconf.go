package verify

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// peerCert records the server's leaf certificate seen in a handshake, so
// that the core can warn about its expiry whichever side ran the handshake.
type peerCert struct {
	mu   sync.Mutex
	leaf *x509.Certificate
}

func (p *peerCert) get() *x509.Certificate {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.leaf
}

// tlsFiles keeps the CA pools and client key pairs read from the files
// profiles name, each checked against its file's size and modification
// time on every use. The watch daemon probes the same profiles every few
// seconds; reading and parsing a CA file each time is work the driver
// does once per configuration.
type tlsFiles struct {
	mu    sync.Mutex
	pools map[string]cachedPool
	pairs map[string]cachedPair
}

type fileStamp struct {
	size int64
	mod  time.Time
}

func stamp(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{fi.Size(), fi.ModTime()}, nil
}

type cachedPool struct {
	st   fileStamp
	pool *x509.CertPool
}

type cachedPair struct {
	cert, key fileStamp
	pair      tls.Certificate
}

// pool returns the certificates of the PEM file at path.
func (f *tlsFiles) pool(path string) (*x509.CertPool, error) {
	st, err := stamp(path)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	f.mu.Lock()
	c, ok := f.pools[path]
	f.mu.Unlock()
	if ok && c.st == st {
		return c.pool, nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("read CA file %s: no PEM certificate", path)
	}
	f.mu.Lock()
	if f.pools == nil {
		f.pools = map[string]cachedPool{}
	}
	f.pools[path] = cachedPool{st, roots}
	f.mu.Unlock()
	return roots, nil
}

// pair returns the client certificate and key.
func (f *tlsFiles) pair(certFile, keyFile string) (tls.Certificate, error) {
	cst, err := stamp(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("load client certificate: %w", err)
	}
	kst, err := stamp(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("load client certificate: %w", err)
	}
	k := certFile + "\x00" + keyFile
	f.mu.Lock()
	c, ok := f.pairs[k]
	f.mu.Unlock()
	if ok && c.cert == cst && c.key == kst {
		return c.pair, nil
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("load client certificate: %w", err)
	}
	f.mu.Lock()
	if f.pairs == nil {
		f.pairs = map[string]cachedPair{}
	}
	f.pairs[k] = cachedPair{cst, kst, pair}
	f.mu.Unlock()
	return pair, nil
}

// clientTLS builds the client TLS configuration for mode, as libpq reads
// it: require with a CA file behaves like verify-ca; verify-ca checks the
// chain but not the name; verify-full checks both. insecure is used only by
// the second attempt that tells tls_required_by_server apart, which needs
// to know whether the server accepts the credentials over TLS at all.
func (p *Prober) clientTLS(t Target, serverName string, insecure bool, seen *peerCert) (*tls.Config, error) {
	mode := t.TLS
	if mode == TLSRequire && t.CAFile != "" {
		mode = TLSVerifyCA
	}
	cfg := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	if t.TLSMin != 0 {
		cfg.MinVersion = t.TLSMin
	}
	if t.TLSMax != 0 {
		cfg.MaxVersion = t.TLSMax
	}
	if t.CertFile != "" {
		pair, err := p.files.pair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	var roots *x509.CertPool
	if t.CAFile != "" {
		var err error
		if roots, err = p.files.pool(t.CAFile); err != nil {
			return nil, err
		}
	}
	record := func(cs tls.ConnectionState) {
		if seen != nil && len(cs.PeerCertificates) > 0 {
			seen.mu.Lock()
			seen.leaf = cs.PeerCertificates[0]
			seen.mu.Unlock()
		}
	}
	switch {
	case insecure || mode == TLSRequire || mode == TLSPrefer || mode == TLSAllow:
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { record(cs); return nil }
	case mode == TLSVerifyCA:
		// Go verifies names together with chains; verify-ca wants the
		// chain only, so verification is done here.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			record(cs)
			if len(cs.PeerCertificates) == 0 {
				return errors.New("server sent no certificate")
			}
			opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(opts)
			return err
		}
	default: // verify-full
		cfg.RootCAs = roots
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { record(cs); return nil }
	}
	return cfg, nil
}

// expiryWarning says when the server certificate expires within window.
func expiryWarning(leaf *x509.Certificate, now time.Time, window time.Duration) string {
	if leaf == nil {
		return ""
	}
	left := leaf.NotAfter.Sub(now)
	if left > window {
		return ""
	}
	if left < 0 {
		return fmt.Sprintf("server certificate expired on %s", leaf.NotAfter.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return fmt.Sprintf("server certificate expires in %d days (%s)", int(left.Hours()/24), leaf.NotAfter.UTC().Format("2006-01-02 15:04 UTC"))
}
