package core

import (
	"context"
	"errors"
	"fmt"
)

// Code classifies an error so every front end can react to it the same way.
type Code string

// Error codes. A user sees the translated Key of an *Error with one of these codes;
// any other error is internal.
const (
	EINVALID   Code = "invalid"   // the input breaks a rule
	ENOTFOUND  Code = "not_found" // the thing named does not exist
	ECONFLICT  Code = "conflict"  // the change clashes with the current state
	EFORBIDDEN Code = "forbidden" // the member may not do this
	ECLOSED    Code = "closed"    // the campaign or phase is not accepting this
	ELIMIT     Code = "limit"     // a limit was reached (sold out, slow down, full)
	EDUPLICATE Code = "duplicate" // the same platform update was already handled
	// EUNAVAILABLE: the request ran out of time or the database could not be reached
	// or did not answer; what it asked may or may not have been done
	EUNAVAILABLE Code = "unavailable"
	EINTERNAL    Code = "internal" // anything else; never shown to a user as is
)

// Error is a domain error: a code for programs and a message key, with arguments,
// for people. The key names a message in the catalogs.
type Error struct {
	Code Code
	Key  string
	Args map[string]any
}

// Error implements the error interface.
func (e *Error) Error() string {
	if len(e.Args) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Key)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Key, e.Args)
}

// Errorf returns an *Error with the given code, key and arguments. Args are given as
// alternating names and values: Errorf(EINVALID, "error.too_long", "max", 1000).
func Errorf(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: Args(args...)}
}

// Args turns alternating names and values into a map; a trailing name without a
// value is dropped.
func Args(kv ...any) map[string]any {
	if len(kv) < 2 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		name, ok := kv[i].(string)
		if !ok {
			continue
		}
		m[name] = kv[i+1]
	}
	return m
}

// ErrorCode returns the code of the first *Error in err's chain, EUNAVAILABLE for a
// deadline that passed, EINTERNAL for any other error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return EUNAVAILABLE
	}
	return EINTERNAL
}

// AsError returns the *Error in err's chain, or nil when there is none.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
