package web

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// capServer serves e's handler with limits on a real listener, as cmd/crowdbot does.
func capServer(t *testing.T, e *env, l Limits, proxies Proxies) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := HTTPServer(e.srv.Handler(), l)
	go func() { _ = srv.Serve(Listen(ln, l, proxies)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// dialFrom opens a connection to addr from a loopback source address (127.0.0.x),
// so one test plays several clients.
func dialFrom(t *testing.T, from, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", from, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// status sends a GET of path on c and reads the answer's status code; 0 when the
// connection ended without one.
func status(t *testing.T, c net.Conn, path string) int {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		return 0
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("GET %s: no answer", path)
		}
		return 0
	}
	_ = res.Body.Close()
	return res.StatusCode
}

// TestConnectionCaps: one client holding many stalled connections (a byte each)
// gets no more than its share, and the others are still served; when every place is
// taken, a newcomer is told to come back (503) rather than left hanging, and served
// once places free up.
func TestConnectionCaps(t *testing.T) {
	e := newEnv(t)
	l := DefaultLimits
	l.MaxConns, l.MaxConnsPerClient = 12, 5
	l.ReadHeaderTimeout = time.Minute // the stalled connections stay for the whole test
	addr := capServer(t, e, l, nil)

	var flood []net.Conn
	for range 40 {
		c := dialFrom(t, "127.0.0.1", addr)
		_, _ = c.Write([]byte("G"))
		flood = append(flood, c)
	}
	// the connections over the client's share were answered and closed
	refused := 0
	for _, c := range flood[5:] {
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatal("a connection over the limit was kept waiting")
		}
		if strings.HasPrefix(line, "HTTP/1.1 503") {
			refused++
		}
	}
	if refused != 35 {
		t.Fatalf("%d of 35 connections over the client's share were refused with 503", refused)
	}
	if got := status(t, dialFrom(t, "127.0.0.1", addr), "/healthz"); got != http.StatusServiceUnavailable {
		t.Fatalf("the flooding client's next connection: %d, want 503", got)
	}
	// another client is served
	if got := status(t, dialFrom(t, "127.0.0.2", addr), "/healthz"); got != http.StatusOK {
		t.Fatalf("healthz from another client during the flood: %d", got)
	}

	// every place taken: 5 of the flood, 1 above, and 6 more
	var held []net.Conn
	for _, from := range []string{"127.0.0.3", "127.0.0.3", "127.0.0.4", "127.0.0.4", "127.0.0.5", "127.0.0.5"} {
		c := dialFrom(t, from, addr)
		if got := status(t, c, "/healthz"); got != http.StatusOK {
			t.Fatalf("client %s within the limits: %d", from, got)
		}
		held = append(held, c)
	}
	if got := status(t, dialFrom(t, "127.0.0.9", addr), "/healthz"); got != http.StatusServiceUnavailable {
		t.Fatalf("a newcomer with every place taken: %d, want 503", got)
	}
	for _, c := range append(flood[:5], held...) {
		_ = c.Close()
	}
	// places free up as the server sees the closes
	for try := 0; ; try++ {
		got := status(t, dialFrom(t, "127.0.0.9", addr), "/healthz")
		if got == http.StatusOK {
			break
		}
		if try == 200 {
			t.Fatalf("after the flood ended: %d", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestProxiesShareNoClientLimit: a trusted reverse proxy carries many clients, so its
// connections count only towards the total.
func TestProxiesShareNoClientLimit(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Local = false })
	l := DefaultLimits
	l.MaxConns, l.MaxConnsPerClient = 0, 2
	proxies, err := ParseProxies([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	addr := capServer(t, e, l, proxies)
	for i := range 6 {
		if got := status(t, dialFrom(t, "127.0.0.1", addr), "/healthz"); got != http.StatusOK {
			t.Fatalf("connection %d through the proxy: %d", i, got)
		}
	}
	for i, want := range []int{200, 200, 503} {
		if got := status(t, dialFrom(t, "127.0.0.2", addr), "/healthz"); got != want {
			t.Fatalf("connection %d of a direct client: %d, want %d", i, got, want)
		}
	}
}

// TestSlowClientsAreCut: a request whose headers never end, a body that stalls and a
// kept-alive connection left idle are each closed by the server.
func TestSlowClientsAreCut(t *testing.T) {
	e := newEnv(t)
	l := DefaultLimits
	l.ReadHeaderTimeout, l.ReadTimeout, l.IdleTimeout = 100*time.Millisecond, 200*time.Millisecond, 200*time.Millisecond
	addr := capServer(t, e, l, nil)
	ends := func(name string, c net.Conn) {
		t.Helper()
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, err := io.Copy(io.Discard, c)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("%s: the server kept the connection", name)
		}
	}

	headers := dialFrom(t, "127.0.0.1", addr)
	_, _ = io.WriteString(headers, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
	ends("headers that never end", headers)

	body := dialFrom(t, "127.0.0.1", addr)
	_, _ = io.WriteString(body, "POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	ends("a stalled body", body)

	idle := dialFrom(t, "127.0.0.1", addr)
	if got := status(t, idle, "/healthz"); got != http.StatusOK {
		t.Fatalf("healthz: %d", got)
	}
	ends("an idle keep-alive", idle)

	// headers past the cap are refused
	big := dialFrom(t, "127.0.0.1", addr)
	_ = big.SetDeadline(time.Now().Add(20 * time.Second))
	_, _ = io.WriteString(big, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "+strings.Repeat("a", l.MaxHeaderBytes+4096)+"\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(big), nil)
	if err != nil || res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("headers over the cap: %v %v", res, err)
	}
}
