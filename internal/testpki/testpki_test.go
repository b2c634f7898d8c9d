package testpki

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
)

func TestIssuedCertificatesVerify(t *testing.T) {
	ca, err := NewCA("ca")
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewCA("other")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	for _, tc := range []struct {
		issue func(string) (Pair, error)
		usage x509.ExtKeyUsage
		host  string
		ok    bool
	}{
		{ca.Server, x509.ExtKeyUsageServerAuth, "localhost", true},
		{ca.Server, x509.ExtKeyUsageServerAuth, "127.0.0.1", true},
		{ca.Server, x509.ExtKeyUsageServerAuth, "example.com", false},
		{ca.Client, x509.ExtKeyUsageClientAuth, "", true},
		{ca.Client, x509.ExtKeyUsageServerAuth, "", false},
		{other.Client, x509.ExtKeyUsageClientAuth, "", false},
	} {
		p, err := tc.issue("x")
		if err != nil {
			t.Fatal(err)
		}
		c, err := tls.X509KeyPair(p.CertPEM, p.KeyPEM)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: tc.host, KeyUsages: []x509.ExtKeyUsage{tc.usage}})
		if (err == nil) != tc.ok {
			t.Errorf("%s for %q as %v: verify error %v, want ok=%v", c.Leaf.Issuer.CommonName, tc.host, tc.usage, err, tc.ok)
		}
	}
}
