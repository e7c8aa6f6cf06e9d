package web

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// Limits bound what one connection, one client and all of them together may hold of
// the server, so that slow bodies, idle keep-alives and floods of half-open
// connections cannot make it unreachable.
type Limits struct {
	// ReadHeaderTimeout bounds the request line and headers, ReadTimeout the whole
	// request with its body, WriteTimeout the answer (from the end of the headers),
	// IdleTimeout how long a kept-alive connection waits for its next request.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request line and headers.
	MaxHeaderBytes int
	// MaxConns is how many connections the server holds at once; MaxConnsPerClient
	// how many of them one client (an address, an IPv6 /64) may hold. Trusted proxies
	// count only towards MaxConns. 0 means no limit.
	MaxConns, MaxConnsPerClient int
}

// DefaultLimits are the limits of a server on the open internet: enough for a slow
// phone on a poor network, short enough that idle or stalled connections go quickly.
// MaxConns is set from the process's open-file limit at start (see cmd/crowdbot).
var DefaultLimits = Limits{
	ReadHeaderTimeout: 10 * time.Second,
	ReadTimeout:       30 * time.Second,
	WriteTimeout:      60 * time.Second,
	IdleTimeout:       120 * time.Second,
	MaxHeaderBytes:    64 << 10,
	MaxConnsPerClient: 64,
}

// exportWriteTimeout is how long a CSV export may take to send, past WriteTimeout.
const exportWriteTimeout = 10 * time.Minute

// HTTPServer returns an http.Server for h with l's deadlines and header cap (the
// connection caps are the listener's: see Listen).
func HTTPServer(h http.Handler, l Limits) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}
}

// Listen wraps ln so that it holds at most l.MaxConns connections, and at most
// l.MaxConnsPerClient from one client other than a trusted proxy. A connection over
// a limit is answered at once with 503 and closed, so it costs a file descriptor
// for a moment only and the people within the limits are still served.
func Listen(ln net.Listener, l Limits, proxies Proxies) net.Listener {
	if l.MaxConns <= 0 && l.MaxConnsPerClient <= 0 {
		return ln
	}
	return &capListener{Listener: ln, limits: l, proxies: proxies, perClient: map[string]int{}}
}

type capListener struct {
	net.Listener
	limits  Limits
	proxies Proxies

	mu        sync.Mutex
	total     int
	perClient map[string]int
}

// refusal is what a connection over a limit gets: a complete HTTP answer, so a
// browser shows a page and a client knows to come back, rather than a reset.
var refusal = func() string {
	body := "Too many connections; try again in a moment.\n"
	return "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body
}()

func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key := ""
		if a := connAddr(c); !a.IsValid() || !l.proxies.Trusted(a) {
			key = LimitKey(a)
		}
		if l.admit(key) {
			return &capConn{Conn: c, l: l, key: key}, nil
		}
		go refuse(c)
	}
}

// admit takes a place for a connection of client key ("" for a trusted proxy).
func (l *capListener) admit(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limits.MaxConns > 0 && l.total >= l.limits.MaxConns {
		return false
	}
	if key != "" && l.limits.MaxConnsPerClient > 0 && l.perClient[key] >= l.limits.MaxConnsPerClient {
		return false
	}
	l.total++
	if key != "" {
		l.perClient[key]++
	}
	return true
}

func (l *capListener) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if key == "" {
		return
	}
	if l.perClient[key]--; l.perClient[key] <= 0 {
		delete(l.perClient, key)
	}
}

// refuse answers a connection over a limit and closes it, giving it a second at most.
func refuse(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(time.Second))
	_, _ = c.Write([]byte(refusal))
	if tc, ok := c.(*net.TCPConn); ok {
		// the request still unread would turn the close into a reset that may
		// overtake the answer
		_ = tc.CloseWrite()
		_, _ = c.Read(make([]byte, 4096))
	}
	_ = c.Close()
}

type capConn struct {
	net.Conn
	l    *capListener
	key  string
	once sync.Once
}

func (c *capConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.key) })
	return err
}

// connAddr is the peer address of a connection, or the zero Addr.
func connAddr(c net.Conn) netip.Addr {
	var ap netip.AddrPort
	switch a := c.RemoteAddr().(type) {
	case *net.TCPAddr:
		ap = a.AddrPort()
	default:
		var err error
		if ap, err = netip.ParseAddrPort(c.RemoteAddr().String()); err != nil {
			return netip.Addr{}
		}
	}
	return ap.Addr().Unmap()
}

// extendWrite gives a long answer (an export) more time than WriteTimeout.
func extendWrite(w http.ResponseWriter, d time.Duration) {
	// a writer without deadlines (a test's recorder) has none to extend
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
}
