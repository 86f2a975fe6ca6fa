// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/app/apptest"
)

// upload posts a multipart form with one file, as the browser does.
func (c *client) upload(path string, fields map[string]string, filename string, data []byte) (int, string, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", c.csrf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// TestMediaLibrary: an image uploaded with its alternative text is listed
// with a signed link that serves it; a file that is not an image is refused
// in words whatever its name says; a viewer may look but not upload.
func TestMediaLibrary(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		img := image.NewRGBA(image.Rect(0, 0, 40, 30))
		for x := range 40 {
			img.Set(x, x%30, color.RGBA{0, 102, 204, 255})
		}
		var pngData bytes.Buffer
		if err := png.Encode(&pngData, img); err != nil {
			t.Fatal(err)
		}
		editor := newClient(t, in.URL)
		editor.login("redazione@demo.piazza.test")
		if code, _ := editor.get("/plan/media"); code != 200 {
			t.Fatalf("library: %d", code)
		}
		code, body, loc := editor.upload("/plan/media", map[string]string{"alt_text": "Il ponte sul fiume illuminato di blu"}, "ponte.png", pngData.Bytes())
		if code != http.StatusSeeOther || !strings.Contains(loc, "flash.media_uploaded") {
			t.Fatalf("upload: %d %s %.300s", code, loc, body)
		}
		_, body = editor.get("/plan/media")
		if !strings.Contains(body, "Il ponte sul fiume illuminato di blu") || !strings.Contains(body, "ponte.png") {
			t.Fatal("the uploaded image is not listed")
		}
		src := strings.SplitN(strings.SplitN(body, `ponte sul fiume`, 2)[0], `<img src="`, 2)
		if len(src) < 2 {
			t.Fatal("no image link in the library")
		}
		link := strings.ReplaceAll(src[len(src)-1][:strings.Index(src[len(src)-1], `"`)], "&amp;", "&")
		resp, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, pngData.Bytes()) {
			t.Fatalf("signed link: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}

		editor.get("/plan/media")
		code, body, _ = editor.upload("/plan/media", map[string]string{"alt_text": "finta"}, "foto.png", []byte("<html>non sono una foto</html>"))
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="upload-error"`) {
			t.Fatalf("wrong type: %d", code)
		}

		viewer := newClient(t, in.URL)
		viewer.login("sindaco@demo.piazza.test")
		viewer.get("/plan/media")
		if code, _, _ := viewer.upload("/plan/media", nil, "x.png", pngData.Bytes()); code != http.StatusForbidden {
			t.Fatalf("viewer upload: %d, want 403", code)
		}
	})
}
