package storage

import "context"

func (db *DB) Raw(ctx context.Context, dest any, sql string, args ...any) error {
	return db.read(ctx).Raw(sql, args...).Scan(dest).Error
}
