// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/quality"
)

// The media library: images with their alternative text (mandatory before
// a post that uses them can be scheduled) and videos with captions. The
// file's type is read from its content, never from its name.

type libraryItem struct {
	editorial.Media
	URL   string
	Hints []string // alt text advice, translated
}

type libraryData struct {
	Items    []libraryItem
	CanWrite bool
}

func (s *Server) library(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.libraryPage(w, r, rc, http.StatusOK, nil)
}

func (s *Server) libraryPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs map[string]string) error {
	ms, err := s.Editorial.MediaList(r.Context(), rc.Org.ID, 200)
	if err != nil {
		return err
	}
	d := libraryData{CanWrite: rc.Grants.Can(org.PermPostWrite)}
	for _, m := range ms {
		it := libraryItem{Media: m}
		if s.MediaURL != nil {
			it.URL = s.MediaURL(rc.Org.ID, m.ID)
		}
		for _, code := range quality.AltTextHints(m.AltText) {
			it.Hints = append(it.Hints, s.t(rc, code))
		}
		d.Items = append(d.Items, it)
	}
	return s.render(w, r, rc, status, "plan_media", &page{Area: "plan", Title: s.t(rc, "media.title"), Data: d, Errors: errs})
}

// libraryUpload adds a file with its alternative text.
func (s *Server) libraryUpload(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return s.libraryPage(w, r, rc, http.StatusRequestEntityTooLarge, map[string]string{"file": s.t(rc, "media.too_big", editorial.MaxUpload>>20)})
		}
		return s.libraryPage(w, r, rc, http.StatusUnprocessableEntity, map[string]string{"file": s.t(rc, "media.empty")})
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, editorial.MaxUpload+1))
	if err != nil {
		return err
	}
	_, err = s.Editorial.Upload(r.Context(), actor(rc), rc.Org.ID, editorial.MediaInput{Filename: hdr.Filename,
		AltText: r.PostFormValue("alt_text"), Captions: r.PostFormValue("captions"), Data: data})
	if err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.libraryPage(w, r, rc, http.StatusUnprocessableEntity, errs)
		}
		return err
	}
	return redirect(w, r, "/plan/media?ok=flash.media_uploaded")
}

// libraryText changes a file's alternative text and captions.
func (s *Server) libraryText(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if _, err := s.Editorial.SetMediaText(r.Context(), actor(rc), rc.Org.ID, r.PathValue("id"), r.PostFormValue("alt_text"), r.PostFormValue("captions")); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.libraryPage(w, r, rc, http.StatusUnprocessableEntity, errs)
		}
		return err
	}
	return redirect(w, r, "/plan/media?ok=flash.media_saved")
}

// libraryDelete removes a file no post uses.
func (s *Server) libraryDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.Editorial.DeleteMedia(r.Context(), actor(rc), rc.Org.ID, r.PathValue("id")); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.libraryPage(w, r, rc, http.StatusUnprocessableEntity, errs)
		}
		return err
	}
	return redirect(w, r, "/plan/media?ok=flash.media_deleted")
}
