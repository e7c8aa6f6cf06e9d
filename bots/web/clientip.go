package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the reverse proxies whose forwarding headers are believed. A request
// from any other peer is taken to come from that peer, whatever headers it carries.
type Proxies []netip.Prefix

// ParseProxies reads addresses ("10.0.0.7", "::1") and networks ("10.0.0.0/8",
// "fd00::/8") of trusted reverse proxies.
func ParseProxies(list []string) (Proxies, error) {
	var out Proxies
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a network", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Trusted reports whether addr is one of the proxies.
func (p Proxies) Trusted(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, pre := range p {
		if pre.Contains(addr) {
			return true
		}
	}
	return false
}

// PeerAddr is the address of the other end of the request's connection, or the zero
// Addr when RemoteAddr does not parse (a test request, a unix socket).
func PeerAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// ClientIP is the address of the client a request comes from. It is the peer of the
// connection, unless the peer is a trusted proxy: then X-Forwarded-For is read from
// its right end, skipping trusted proxies, and the first address not trusted is the
// client (addresses further left were written by the client itself and prove
// nothing). A header that does not parse leaves the last trusted hop as the client.
func (p Proxies) ClientIP(r *http.Request) netip.Addr {
	client := PeerAddr(r)
	if len(p) == 0 || !client.IsValid() || !p.Trusted(client) {
		return client
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return client
			}
			client = a.Unmap()
			if !p.Trusted(client) {
				return client
			}
		}
	}
	return client
}

// LimitKey groups addresses the way one household or one server holds them, for
// per-client limits: an IPv4 address alone, an IPv6 address by its /64 network (one
// machine is handed a whole /64, so counting single addresses would count nothing).
func LimitKey(a netip.Addr) string {
	a = a.Unmap()
	if !a.IsValid() {
		return "unknown"
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
