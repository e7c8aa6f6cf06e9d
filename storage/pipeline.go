package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// A batch of group commit on Postgres is a transaction of a few statements that many
// members wait for, and whose hot rows (a poll's options, a fundraiser) the next
// batch waits for until it commits. Sent one statement a round trip, every round
// trip between taking those rows and the commit would be time the next batch spends
// queued, on a machine whose cores the bot and Postgres share. A pipeline sends the
// statements that need no answer in between at once (pgx's batches over the
// extended protocol), so that the server goes from the lock to the commit without
// waiting for the bot.
type pipeline struct {
	ctx  context.Context
	conn *sql.Conn
	// q is gorm on the same connection, inside the pipeline's transaction, for the
	// rare statement a batch must decide on between two sends (a fundraiser's
	// crossings); it never opens a transaction of its own
	q *gorm.DB
}

// pipelined runs f with a pipeline on one connection of the pool. f opens its
// transaction with begin and ends it with commitBatch; when f fails, or returns with the
// transaction still open, it is rolled back, and a connection that cannot say so is
// closed rather than returned to the pool.
func (db *DB) pipelined(ctx context.Context, f func(p *pipeline) error) error {
	return db.gorm.WithContext(ctx).Connection(func(q *gorm.DB) error {
		conn, ok := q.Statement.ConnPool.(*sql.Conn)
		if !ok {
			return fmt.Errorf("pipeline: connection %T", q.Statement.ConnPool)
		}
		p := &pipeline{ctx: ctx, conn: conn, q: q.Session(&gorm.Session{SkipDefaultTransaction: true})}
		err := f(p)
		open, rerr := p.rollback()
		switch {
		case err != nil:
			return err
		case rerr != nil:
			return rerr
		case open:
			return errors.New("pipeline: the transaction was left open")
		}
		return nil
	})
}

// begin is the batch that opens the pipeline's transaction: send it with the first
// statements.
func begin() *pgx.Batch {
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	return b
}

// commitBatch queues the transaction's commit at the end of b.
func commitBatch(b *pgx.Batch) *pgx.Batch {
	b.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error {
		if ct.String() != "COMMIT" {
			return errors.New("pipeline: the transaction was rolled back")
		}
		return nil
	})
	return b
}

// send sends b's statements at once and runs their callbacks in order, stopping at
// the first error (the server skips what follows a failed statement).
func (p *pipeline) send(b *pgx.Batch) error {
	return p.conn.Raw(func(dc any) error {
		c, err := pgxConn(dc)
		if err != nil {
			return err
		}
		return c.SendBatch(p.ctx, b).Close()
	})
}

// rollback ends a transaction f left open or failed, and says whether there was one.
func (p *pipeline) rollback() (open bool, err error) {
	err = p.conn.Raw(func(dc any) error {
		c, err := pgxConn(dc)
		if err != nil || c.IsClosed() || c.PgConn().TxStatus() == 'I' {
			return err
		}
		open = true
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := c.Exec(ctx, "ROLLBACK"); err != nil {
			return fmt.Errorf("pipeline rollback: %w: %w", driver.ErrBadConn, err) // close it
		}
		return nil
	})
	return open, err
}

func pgxConn(dc any) (*pgx.Conn, error) {
	c, ok := dc.(*stdlib.Conn)
	if !ok {
		return nil, fmt.Errorf("pipeline: driver connection %T", dc)
	}
	return c.Conn(), nil
}
