// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodontest

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// maxParams bounds a request's parameters (not an upload).
const maxParams = 1 << 20

// params are a request's parameters as Rails reads them, whatever the
// encoding: JSON, application/x-www-form-urlencoded or multipart, with
// arrays as JSON arrays or as repeated key[] fields.
type params struct {
	values  map[string][]string
	present map[string]bool
	attrs   []mediaAttr
}

// mediaAttr is one entry of media_attributes.
type mediaAttr struct {
	id, description string
}

// str is a scalar parameter and whether it was sent.
func (p params) str(key string) (string, bool) {
	v := p.values[key]
	if len(v) == 0 {
		return "", p.present[key]
	}
	return v[0], true
}

// list is an array parameter (key or key[]).
func (p params) list(key string) []string {
	return append(append([]string(nil), p.values[key]...), p.values[key+"[]"]...)
}

// has tells whether the key was sent, even empty or null.
func (p params) has(key string) bool { return p.present[key] || p.present[key+"[]"] }

// attrRe matches media_attributes[][id] and media_attributes[0][id].
var attrRe = regexp.MustCompile(`^media_attributes\[(\d*)\]\[(id|description)\]$`)

// parseParams reads the parameters of r.
func parseParams(r *http.Request) (params, error) {
	p := params{values: map[string][]string{}, present: map[string]bool{}}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(nil, r.Body, maxParams)
	switch ct {
	case "application/json":
		return p, p.readJSON(r)
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxParams); err != nil {
			return p, err
		}
	default:
		if err := r.ParseForm(); err != nil {
			return p, err
		}
	}
	form := r.Form
	if r.MultipartForm != nil {
		for k, v := range r.MultipartForm.Value {
			form[k] = append(form[k], v...)
		}
	}
	indexed := map[int]*mediaAttr{}
	var order []int
	for k, v := range form {
		if m := attrRe.FindStringSubmatch(k); m != nil {
			if m[1] == "" {
				// media_attributes[][id]=…: entries paired by position.
				for i, s := range v {
					for len(p.attrs) <= i {
						p.attrs = append(p.attrs, mediaAttr{})
					}
					setAttr(&p.attrs[i], m[2], s)
				}
				continue
			}
			i, _ := strconv.Atoi(m[1])
			if indexed[i] == nil {
				indexed[i] = &mediaAttr{}
				order = append(order, i)
			}
			if len(v) > 0 {
				setAttr(indexed[i], m[2], v[0])
			}
			continue
		}
		p.present[k] = true
		p.values[k] = v
	}
	sort.Ints(order)
	for _, i := range order {
		p.attrs = append(p.attrs, *indexed[i])
	}
	return p, nil
}

func setAttr(a *mediaAttr, field, v string) {
	if field == "id" {
		a.id = v
	} else {
		a.description = v
	}
}

// readJSON reads a JSON object of parameters.
func (p *params) readJSON(r *http.Request) error {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	for k, v := range raw {
		p.present[k] = true
		v = bytes.TrimSpace(v)
		switch {
		case k == "media_attributes":
			var list []map[string]any
			d := json.NewDecoder(bytes.NewReader(v))
			d.UseNumber()
			if err := d.Decode(&list); err != nil && string(v) != "null" {
				return errors.New("media_attributes is not a list")
			}
			for _, m := range list {
				p.attrs = append(p.attrs, mediaAttr{id: scalar(m["id"]), description: scalar(m["description"])})
			}
		case len(v) > 0 && v[0] == '[':
			var list []any
			d := json.NewDecoder(bytes.NewReader(v))
			d.UseNumber()
			if err := d.Decode(&list); err != nil {
				return err
			}
			for _, e := range list {
				p.values[k] = append(p.values[k], scalar(e))
			}
		case string(v) == "null":
		default:
			var x any
			d := json.NewDecoder(bytes.NewReader(v))
			d.UseNumber()
			if err := d.Decode(&x); err != nil {
				return err
			}
			p.values[k] = []string{scalar(x)}
		}
	}
	return nil
}

// scalar is a JSON value as Rails would see it in a parameter.
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return strings.TrimSpace(string(b))
	}
}
