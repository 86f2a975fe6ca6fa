// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package editorial_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/png"
	"slices"
	"testing"

	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// mp4Bytes is the start of an MP4 file: enough for the type by content.
var mp4Bytes = []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")

func (k *kit) upload(a editorial.Actor, name string, data []byte, alt string) editorial.Media {
	k.t.Helper()
	m, err := k.s.Upload(ctxOf(a), a, k.org.ID, editorial.MediaInput{Filename: name, AltText: alt, Data: data})
	if err != nil {
		k.t.Fatal(err)
	}
	return m
}

func TestUpload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		ctx := ctxOf(k.editor)
		data := pngBytes(t, 40, 30)
		m, err := k.s.Upload(ctx, k.editor, k.org.ID, editorial.MediaInput{Filename: "C:\\foto\\piazza\u0007.png", Data: data})
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if m.Kind != "image" || m.ContentType != "image/png" || m.Width != 40 || m.Height != 30 || m.Size != int64(len(data)) ||
			m.SHA256 != hex.EncodeToString(sum[:]) || m.Filename != "piazza.png" || m.CreatedBy != k.editor.PersonID {
			t.Errorf("uploaded %+v", m)
		}
		got, back, err := k.s.MediaData(context.Background(), k.org.ID, m.ID)
		if err != nil || !bytes.Equal(back, data) || got.ID != m.ID || got.Filename != m.Filename {
			t.Errorf("media data: %v %+v", err, got)
		}
		if _, err := k.s.Media(context.Background(), newKit(t, db).org.ID, m.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("media of another organisation: %v", err)
		}
		if es := k.entries("media.upload"); len(es) != 1 || es[0].ActorID != k.editor.PersonID {
			t.Errorf("upload audit %+v", es)
		}

		tests := []struct {
			name string
			in   editorial.MediaInput
			key  string
		}{
			{"empty", editorial.MediaInput{}, "media.empty"},
			{"text file", editorial.MediaInput{Filename: "a.png", Data: []byte("<svg onload=alert(1)>")}, "media.type_unsupported"},
			{"pdf", editorial.MediaInput{Data: []byte("%PDF-1.7\n")}, "media.type_unsupported"},
			{"too big", editorial.MediaInput{Data: append(slices.Clone(data), make([]byte, editorial.MaxUpload)...)}, "media.too_big"},
			{"corrupt image", editorial.MediaInput{Data: data[:20]}, "media.corrupt"},
			{"captions not WebVTT", editorial.MediaInput{Data: mp4Bytes, Captions: "1\n00:00:01,000 --> 00:00:02,000\nCiao"}, "media.captions_invalid"},
			{"alt too long", editorial.MediaInput{Data: data, AltText: string(bytes.Repeat([]byte("a"), 1501))}, "media.alt_too_long"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := k.s.Upload(ctx, k.editor, k.org.ID, tt.in)
				wantKey(t, err, tt.key)
			})
		}
		_, err = k.s.Upload(ctxOf(k.viewer), k.viewer, k.org.ID, editorial.MediaInput{Data: data})
		wantForbidden(t, err)

		video, err := k.s.Upload(ctx, k.editor, k.org.ID, editorial.MediaInput{Filename: "clip.mp4", Data: mp4Bytes,
			Captions: "WEBVTT\n\n00:00.000 --> 00:01.000\nBuongiorno"})
		if err != nil || video.Kind != "video" || video.ContentType != "video/mp4" || video.Width != 0 {
			t.Fatalf("video: %v %+v", err, video)
		}
		list, err := k.s.MediaList(context.Background(), k.org.ID, 0)
		if err != nil || len(list) != 2 || list[0].ID != video.ID || list[1].ID != m.ID {
			t.Errorf("media list %v %+v", err, list)
		}
		if list, _ := k.s.MediaList(context.Background(), k.org.ID, 1); len(list) != 1 {
			t.Errorf("limit: %d", len(list))
		}
	})
}

func TestAltText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		bare := k.upload(k.editor, "a.png", pngBytes(t, 2, 2), "")
		described := k.upload(k.editor, "b.png", pngBytes(t, 2, 2), "Il municipio")
		video := k.upload(k.editor, "c.mp4", mp4Bytes, "")
		ids := []string{described.ID, bare.ID, video.ID, store.NewID(), bare.ID}
		missing, err := k.s.MissingAltText(context.Background(), k.org.ID, ids)
		if err != nil || !slices.Equal(missing, []string{bare.ID}) {
			t.Fatalf("missing alt text %v %v", missing, err)
		}
		_, err = k.s.SetMediaText(ctxOf(k.viewer), k.viewer, k.org.ID, bare.ID, "x", "")
		wantForbidden(t, err)
		_, err = k.s.SetMediaText(ctxOf(k.editor), k.editor, k.org.ID, bare.ID, "x", "not captions")
		wantKey(t, err, "media.captions_invalid")
		if _, err := k.s.SetMediaText(ctxOf(k.editor), k.editor, k.org.ID, store.NewID(), "x", ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown media: %v", err)
		}
		m, err := k.s.SetMediaText(ctxOf(k.editor), k.editor, k.org.ID, bare.ID, "  La fontana in piazza  ", "")
		if err != nil || m.AltText != "La fontana in piazza" {
			t.Fatalf("set alt: %v %+v", err, m)
		}
		if missing, _ := k.s.MissingAltText(context.Background(), k.org.ID, ids); len(missing) != 0 {
			t.Errorf("still missing %v", missing)
		}
		if es := k.entries("media.text"); len(es) != 1 || es[0].Before != `{"alt":"","captions":0}` {
			t.Errorf("alt text audit %+v", es)
		}
	})
}

func TestDeleteMedia(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		used := k.upload(k.editor, "a.png", pngBytes(t, 2, 2), "x")
		free := k.upload(k.editor, "b.png", pngBytes(t, 2, 2), "x")
		p, err := k.s.CreatePost(ctxOf(k.editor), k.editor, k.org.ID, editorial.PostInput{Title: "Con foto", MediaIDs: []string{used.ID, free.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.s.SetVariants(ctxOf(k.editor), k.editor, k.org.ID, p.ID, p.Version, []editorial.VariantInput{
			{AccountID: k.telegram, Text: "Foto", MediaIDs: []string{free.ID, used.ID}}}); err != nil {
			t.Fatal(err)
		}
		wantKey(t, k.s.DeleteMedia(ctxOf(k.manager), k.manager, k.org.ID, used.ID), "media.in_use")
		// Dropped from the post, an image leaves its variants too.
		p = k.post(p.ID)
		if _, err := k.s.UpdatePost(ctxOf(k.editor), k.editor, k.org.ID, p.ID, p.Version, editorial.PostInput{Title: p.Title, MediaIDs: []string{used.ID}}); err != nil {
			t.Fatal(err)
		}
		vs, _ := k.s.Variants(context.Background(), k.org.ID, p.ID)
		if len(vs) != 1 || !slices.Equal(vs[0].MediaIDs, []string{used.ID}) {
			t.Fatalf("variant media after the post lost one: %+v", vs)
		}
		wantForbidden(t, k.s.DeleteMedia(ctxOf(k.guest), k.guest, k.org.ID, free.ID))
		if err := k.s.DeleteMedia(ctxOf(k.editor), k.editor, k.org.ID, free.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := k.s.Media(context.Background(), k.org.ID, free.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted media still there: %v", err)
		}
		if len(k.entries("media.delete")) != 1 {
			t.Error("delete not audited")
		}
	})
}
