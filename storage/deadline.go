package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"

	"crowdbot/core"
)

// Deadlines a Postgres DSN gets unless it names its own: how long opening a
// connection may take, and how long one statement may run. Requests end sooner (the
// Router's deadline); these bound the work that has none, and a server that stops
// answering.
const (
	DefaultConnectTimeout   = 5 * time.Second
	DefaultStatementTimeout = 15 * time.Second
)

// batchTimeout bounds one batch of group commit (see batcher).
const batchTimeout = DefaultStatementTimeout

// withDeadlines returns dsn with connect_timeout and statement_timeout set when it
// has neither.
func withDeadlines(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	q := u.Query()
	if !q.Has("connect_timeout") {
		q.Set("connect_timeout", fmt.Sprint(int(DefaultConnectTimeout/time.Second)))
	}
	if !q.Has("statement_timeout") {
		q.Set("statement_timeout", fmt.Sprint(DefaultStatementTimeout.Milliseconds()))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// pgDialector is gorm's Postgres dialector with one more translation: a database
// that cannot be reached, a statement cancelled by its timeout and a connection
// lost mid-way become core's EUNAVAILABLE, so every front end answers "not now" and
// not "something broke". The original error stays in the chain.
type pgDialector struct{ *postgres.Dialector }

func (d pgDialector) Translate(err error) error {
	return asUnavailable(d.Dialector.Translate(err))
}

// asUnavailable marks err as core's EUNAVAILABLE when it says the database is out of
// reach or out of time (see unavailable), keeping it in the chain.
func asUnavailable(err error) error {
	if err != nil && core.AsError(err) == nil && unavailable(err) {
		return fmt.Errorf("%w: %w", core.Errorf(core.EUNAVAILABLE, "error.unavailable"), err)
	}
	return err
}

// unavailable reports whether err says the database is out of reach or out of time,
// rather than that the request was wrong.
func unavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || pgconn.Timeout(err) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57014", // query_canceled: statement_timeout
			"55P03",                   // lock_not_available: lock_timeout
			"53300",                   // too_many_connections
			"57P01", "57P02", "57P03": // shutting down, crashed, starting
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08") // connection exceptions
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr)
}
