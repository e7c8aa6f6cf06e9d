package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// burstConn sends the burst's requests on one kept-alive connection of its own, with
// the request written from a reused buffer and the answer read without decoding its
// JSON: the load client shares the machine with the bot and Postgres, and each
// microsecond it spends is one they do not get. What an answer must hold to count is
// checked on its bytes (a 200 with at least one reply).
type burstConn struct {
	addr, host string
	conn       net.Conn
	r          *bufio.Reader
	req, body  []byte
}

func newBurstConn(base string) (*burstConn, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("%s: the load client speaks plain http to a local try-out", base)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return &burstConn{addr: addr, host: u.Host}, nil
}

// errNoReply is an answer of 200 that holds no reply.
var errNoReply = errors.New("no reply")

// press sends one request as member and reads its answer.
func (b *burstConn) press(ctx context.Context, member, text, action string) error {
	if b.conn == nil {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", b.addr)
		if err != nil {
			return err
		}
		b.conn, b.r = c, bufio.NewReaderSize(c, 16<<10)
	}
	b.body = append(b.body[:0], `{"member":`...)
	b.body = strconv.AppendQuote(b.body, member)
	b.body = append(b.body, `,"text":`...)
	b.body = strconv.AppendQuote(b.body, text)
	b.body = append(b.body, `,"action":`...)
	b.body = strconv.AppendQuote(b.body, action)
	b.body = append(b.body, '}')
	b.req = append(b.req[:0], "POST /api/chat HTTP/1.1\r\nHost: "...)
	b.req = append(b.req, b.host...)
	b.req = append(b.req, "\r\nContent-Type: application/json\r\nContent-Length: "...)
	b.req = strconv.AppendInt(b.req, int64(len(b.body)), 10)
	b.req = append(b.req, "\r\n\r\n"...)
	b.req = append(b.req, b.body...)
	if dl, ok := ctx.Deadline(); ok {
		_ = b.conn.SetDeadline(dl)
	} else {
		_ = b.conn.SetDeadline(time.Now().Add(30 * time.Second))
	}
	if _, err := b.conn.Write(b.req); err != nil {
		b.close()
		return err
	}
	res, err := http.ReadResponse(b.r, nil)
	if err != nil {
		b.close()
		return err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.Close {
		b.close()
	}
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%d: %s", res.StatusCode, bytes.TrimSpace(body))
	}
	if !bytes.Contains(body, []byte(`"replies":[{`)) {
		return errNoReply
	}
	return nil
}

func (b *burstConn) close() {
	if b.conn != nil {
		b.conn.Close()
		b.conn = nil
	}
}
