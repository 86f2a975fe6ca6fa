// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package valid carries validation errors from domains to the edges: each
// names the field and a translation key, so web shows it in the person's
// language and api returns it as JSON, without the domain knowing either.
package valid

import (
	"errors"
	"strings"
)

// Error is one invalid field.
type Error struct {
	Field string // form/JSON field name, e.g. "code"
	Key   string // i18n key, e.g. "admin.office.code.invalid"
	Args  []any  // arguments for the translated message
}

func (e *Error) Error() string { return e.Field + ": " + e.Key }

// Errors is a set of invalid fields, reported together.
type Errors []*Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return "invalid input: " + strings.Join(parts, ", ")
}

// Add records a problem with field.
func (es *Errors) Add(field, key string, args ...any) {
	*es = append(*es, &Error{Field: field, Key: key, Args: args})
}

// Err returns the set as an error, or nil when empty.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// As extracts the validation errors from err, if it carries any.
func As(err error) (Errors, bool) {
	var es Errors
	if errors.As(err, &es) {
		return es, true
	}
	var e *Error
	if errors.As(err, &e) {
		return Errors{e}, true
	}
	return nil, false
}

// New returns a single invalid field as an error.
func New(field, key string, args ...any) error {
	return Errors{{Field: field, Key: key, Args: args}}
}
