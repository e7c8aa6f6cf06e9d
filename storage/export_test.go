package storage

// SetCodeGenerator replaces the campaign code generator, to force collisions.
func (db *DB) SetCodeGenerator(f func() string) { db.newCode = f }
