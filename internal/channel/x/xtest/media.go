// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package xtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel/x"
)

// keepHead is how much of an upload the fake keeps, to recognise it.
const keepHead = 64 << 10

// mediaCategories and mediaTypes are the values X's media upload takes.
var (
	mediaCategories = []string{"amplify_video", "tweet_gif", "tweet_image", "tweet_video", "dm_gif", "dm_image",
		"dm_video", "subtitles"}
	mediaTypes = []string{"video/mp4", "video/webm", "video/mp2t", "video/quicktime", "text/srt", "text/vtt",
		"image/jpeg", "image/gif", "image/bmp", "image/png", "image/webp", "image/pjpeg", "image/tiff",
		"model/gltf-binary", "model/vnd.usdz+zip"}
	oneShotTypes = []string{"image/jpeg", "image/bmp", "image/png", "image/webp", "image/pjpeg", "image/tiff"}
)

// maxBytes is the largest upload of a media category.
func maxBytes(category string) int {
	switch category {
	case "tweet_image", "dm_image":
		return x.MaxImageBytes
	case "tweet_gif", "dm_gif":
		return x.MaxGIFBytes
	case "amplify_video":
		return 1 << 30
	case "subtitles":
		return 1 << 20
	}
	return x.MaxVideoBytes
}

// sniff recognises an upload by its first bytes.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return "image/gif"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return "image/webp"
	case bytes.HasPrefix(head, []byte("BM")):
		return "image/bmp"
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return "image/tiff"
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		if string(head[8:12]) == "qt  " {
			return "video/quicktime"
		}
		return "video/mp4"
	case bytes.HasPrefix(head, []byte("\x1a\x45\xdf\xa3")):
		return "video/webm"
	}
	return ""
}

// sameType reports whether a declared media type fits the sniffed one.
func sameType(declared, sniffed string) bool {
	if declared == "image/pjpeg" {
		declared = "image/jpeg"
	}
	return declared == sniffed
}

// upload reads the file of an upload request: multipart with a "media"
// part, or JSON with "media" in base64. It returns the other fields, the
// head of the file and its size.
func upload(r *http.Request, limit int) (url.Values, []byte, int, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return formFile(r, int64(limit), keepHead)
	}
	var body map[string]json.RawMessage
	r.Body = http.MaxBytesReader(nil, r.Body, int64(limit)*4/3+maxJSON)
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return nil, nil, 0, fmt.Errorf("the request body is not valid JSON")
	}
	fields := url.Values{}
	var data []byte
	for k, raw := range body {
		var v string
		if json.Unmarshal(raw, &v) != nil {
			var n json.Number
			if json.Unmarshal(raw, &n) != nil {
				continue
			}
			v = n.String()
		}
		if k == "media" {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return nil, nil, 0, fmt.Errorf("$.media: is not valid base64")
			}
			data = b
			continue
		}
		fields.Set(k, v)
	}
	if data == nil {
		return nil, nil, 0, fmt.Errorf("$.media: is missing but it is required")
	}
	return fields, data[:min(len(data), keepHead)], len(data), nil
}

// mediaData is the answer of the upload calls.
func (s *Server) mediaData(m *medium) map[string]any {
	d := map[string]any{"id": m.id, "media_key": mediaKey(m), "size": m.total,
		"expires_after_secs": int(max(m.expires.Sub(s.now()).Seconds(), 0))}
	if m.w > 0 {
		d["image"] = map[string]any{"image_type": m.ctype, "w": m.w, "h": m.h}
	}
	return d
}

// uploadOneShot serves the one-shot POST /2/media/upload of an image.
//
// Specs: https://docs.x.com/x-api/media/media-upload
func (s *Server) uploadOneShot(w http.ResponseWriter, r *http.Request) {
	u, ok := s.bearer(w, r)
	if !ok {
		return
	}
	s.limit(w, u.ID, "media/upload", 500, false)
	fields, head, size, err := upload(r, x.MaxImageBytes)
	if err != nil {
		invalid(w, err.Error(), nil)
		return
	}
	category, declared := fields.Get("media_category"), fields.Get("media_type")
	sniffed := sniff(head)
	switch {
	case category == "":
		invalid(w, "$.media_category: is missing but it is required", nil)
	case category != "tweet_image" && category != "dm_image":
		invalid(w, fmt.Sprintf("$.media_category: value [%s] is not one of [tweet_image, dm_image, subtitles]; the sandbox takes images only", category),
			map[string][]string{"media_category": {category}})
	case declared != "" && !slices.Contains(oneShotTypes, declared):
		invalid(w, fmt.Sprintf("$.media_type: value [%s] is not one of [%s]", declared, strings.Join(oneShotTypes, ", ")),
			map[string][]string{"media_type": {declared}})
	case size == 0:
		invalid(w, "$.media: the file is empty", nil)
	case size > x.MaxImageBytes:
		invalid(w, fmt.Sprintf("File size exceeds %d bytes.", x.MaxImageBytes), nil)
	case sniffed == "image/gif":
		invalid(w, "GIF images are uploaded with the chunked upload (media_category tweet_gif).", nil)
	case !slices.Contains(oneShotTypes, sniffed):
		invalid(w, "media type unrecognized.", nil)
	case declared != "" && !sameType(declared, sniffed):
		invalid(w, fmt.Sprintf("The media_type %s does not match the file, which is %s.", declared, sniffed), nil)
	default:
		s.mu.Lock()
		m := &medium{id: s.nextID(), user: u.ID, ctype: sniffed, category: "tweet_image", total: size,
			segments: map[int]int{0: size}, state: "succeeded", expires: s.now().Add(MediaTTL)}
		m.w, m.h = imageSize(head, bytes.NewReader(nil))
		s.media[m.id] = m
		d := s.mediaData(m)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"data": d})
	}
}

// uploadInit serves POST /2/media/upload/initialize.
//
// Specs: https://docs.x.com/x-api/media/media-upload
func (s *Server) uploadInit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.bearer(w, r)
	if !ok {
		return
	}
	s.limit(w, u.ID, "media/upload", 500, false)
	var body map[string]json.RawMessage
	if err := decodeJSON(r, &body); err != nil {
		invalid(w, err.Error(), nil)
		return
	}
	var req struct {
		MediaType     string `json:"media_type"`
		TotalBytes    int    `json:"total_bytes"`
		MediaCategory string `json:"media_category"`
	}
	for k := range body {
		if !slices.Contains([]string{"media_type", "total_bytes", "media_category", "additional_owners", "shared"}, k) {
			invalid(w, fmt.Sprintf("$.%s: is not defined in the schema and the schema does not allow additional properties", k), nil)
			return
		}
	}
	raw, _ := json.Marshal(body)
	if json.Unmarshal(raw, &req) != nil {
		invalid(w, "$.total_bytes: integer expected", nil)
		return
	}
	category := req.MediaCategory
	if category == "" {
		switch {
		case strings.HasPrefix(req.MediaType, "video/"):
			category = "tweet_video"
		case req.MediaType == "image/gif":
			category = "tweet_gif"
		default:
			category = "tweet_image"
		}
	}
	family := strings.SplitN(req.MediaType, "/", 2)[0]
	fits := map[string]bool{
		"tweet_video": family == "video", "amplify_video": family == "video", "dm_video": family == "video",
		"tweet_gif": req.MediaType == "image/gif", "dm_gif": req.MediaType == "image/gif",
		"tweet_image": family == "image", "dm_image": family == "image", "subtitles": family == "text",
	}[category]
	switch {
	case !slices.Contains(mediaTypes, req.MediaType):
		invalid(w, fmt.Sprintf("$.media_type: value [%s] is not one of [%s]", req.MediaType, strings.Join(mediaTypes, ", ")),
			map[string][]string{"media_type": {req.MediaType}})
	case !slices.Contains(mediaCategories, category):
		invalid(w, fmt.Sprintf("$.media_category: value [%s] is not one of [%s]", category, strings.Join(mediaCategories, ", ")),
			map[string][]string{"media_category": {category}})
	case !fits:
		invalid(w, fmt.Sprintf("The media_type %s does not fit the media_category %s.", req.MediaType, category), nil)
	case req.TotalBytes <= 0:
		invalid(w, "$.total_bytes: must be at least 1", nil)
	case req.TotalBytes > maxBytes(category):
		invalid(w, fmt.Sprintf("File size exceeds %d bytes.", maxBytes(category)), nil)
	default:
		s.mu.Lock()
		m := &medium{id: s.nextID(), user: u.ID, ctype: req.MediaType, category: category, total: req.TotalBytes,
			segments: map[int]int{}, state: "initialized", expires: s.now().Add(MediaTTL)}
		s.media[m.id] = m
		d := map[string]any{"id": m.id, "media_key": mediaKey(m), "expires_after_secs": int(MediaTTL.Seconds())}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"data": d})
	}
}

// mediumOf returns the user's upload named in the path, or answers 400.
func (s *Server) mediumOf(w http.ResponseWriter, u *User, id string) *medium {
	s.mu.Lock()
	m := s.media[id]
	s.mu.Unlock()
	if m == nil || m.user != u.ID {
		invalid(w, fmt.Sprintf("The `id` query parameter value [%s] is not a media id of yours", id),
			map[string][]string{"id": {id}})
		return nil
	}
	return m
}

// uploadAppend serves POST /2/media/upload/{id}/append.
//
// Specs: https://docs.x.com/x-api/media/media-upload
func (s *Server) uploadAppend(w http.ResponseWriter, r *http.Request) {
	u, ok := s.bearer(w, r)
	if !ok {
		return
	}
	s.limit(w, u.ID, "media/upload", 500, false)
	m := s.mediumOf(w, u, r.PathValue("id"))
	if m == nil {
		return
	}
	fields, head, size, err := upload(r, MaxChunk)
	if err != nil {
		invalid(w, err.Error(), nil)
		return
	}
	seg, err := strconv.Atoi(fields.Get("segment_index"))
	switch {
	case err != nil || seg < 0 || seg > 999:
		invalid(w, fmt.Sprintf("$.segment_index: value [%s] is not between 0 and 999", fields.Get("segment_index")),
			map[string][]string{"segment_index": {fields.Get("segment_index")}})
		return
	case size > MaxChunk:
		invalid(w, fmt.Sprintf("A segment may not exceed %d bytes.", MaxChunk), nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := size
	for i, n := range m.segments {
		if i != seg {
			sum += n
		}
	}
	switch {
	case m.state != "initialized":
		invalid(w, "The upload is already finalized.", nil)
	case sum > m.total:
		invalid(w, "Segments exceed the total file size.", nil)
	default:
		m.segments[seg] = size
		if seg == 0 {
			m.head = bytes.Clone(head)
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"expires_at": m.expires.Unix()}})
	}
}

// uploadFinalize serves POST /2/media/upload/{id}/finalize: an image is
// ready at once, a video or GIF starts processing.
//
// Specs: https://docs.x.com/x-api/media/media-upload
func (s *Server) uploadFinalize(w http.ResponseWriter, r *http.Request) {
	u, ok := s.bearer(w, r)
	if !ok {
		return
	}
	s.limit(w, u.ID, "media/upload", 500, false)
	m := s.mediumOf(w, u, r.PathValue("id"))
	if m == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := 0
	for i := range len(m.segments) {
		n, ok := m.segments[i]
		if !ok {
			sum = -1
			break
		}
		sum += n
	}
	if m.state != "initialized" {
		invalid(w, "The upload is already finalized.", nil)
		return
	}
	if sum != m.total {
		invalid(w, "Segments do not add up to provided total file size.", nil)
		return
	}
	sniffed := sniff(m.head)
	d := s.mediaData(m)
	if m.category == "tweet_image" || m.category == "dm_image" {
		if !strings.HasPrefix(sniffed, "image/") || !sameType(m.ctype, sniffed) {
			m.state = "failed"
			invalid(w, "media type unrecognized.", nil)
			return
		}
		m.state = "succeeded"
		m.w, m.h = imageSize(m.head, bytes.NewReader(nil))
		writeJSON(w, http.StatusOK, map[string]any{"data": s.mediaData(m)})
		return
	}
	m.state = "pending"
	d["processing_info"] = map[string]any{"state": "pending", "check_after_secs": 1}
	writeJSON(w, http.StatusOK, map[string]any{"data": d})
}

// uploadStatus serves GET /2/media/upload?command=STATUS: each call moves
// a video or GIF one step, from pending to in_progress to succeeded (or
// failed, when the file is not what its media_type said).
//
// Specs: https://docs.x.com/x-api/media/media-upload-status
func (s *Server) uploadStatus(w http.ResponseWriter, r *http.Request) {
	u, ok := s.bearer(w, r)
	if !ok {
		return
	}
	s.limit(w, u.ID, "media/status", 1000, false)
	q := r.URL.Query()
	if c := q.Get("command"); c != "" && c != "STATUS" {
		invalid(w, fmt.Sprintf("The `command` query parameter value [%s] is not one of [STATUS]", c),
			map[string][]string{"command": {c}})
		return
	}
	id := q.Get("media_id")
	s.mu.Lock()
	m := s.media[id]
	s.mu.Unlock()
	if m == nil || m.user != u.ID {
		invalid(w, fmt.Sprintf("The `media_id` query parameter value [%s] is not a media id of yours", id),
			map[string][]string{"media_id": {id}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.mediaData(m)
	var info map[string]any
	switch m.state {
	case "initialized":
		invalid(w, "The upload is not finalized.", nil)
		return
	case "pending":
		if sniff(m.head) == "" || !sameType(m.ctype, sniff(m.head)) {
			m.state = "failed"
			info = map[string]any{"state": "failed", "progress_percent": 0, "error": map[string]any{"code": 1,
				"name": "InvalidMedia", "message": "Invalid or Unsupported media, Reason: UnsupportedMedia."}}
			break
		}
		m.state = "in_progress"
		info = map[string]any{"state": "in_progress", "check_after_secs": 1, "progress_percent": 50}
	case "in_progress":
		m.state = "succeeded"
		info = map[string]any{"state": "succeeded", "progress_percent": 100}
	case "failed":
		info = map[string]any{"state": "failed", "progress_percent": 0, "error": map[string]any{"code": 1,
			"name": "InvalidMedia", "message": "Invalid or Unsupported media, Reason: UnsupportedMedia."}}
	default:
		if m.category != "tweet_image" && m.category != "dm_image" {
			info = map[string]any{"state": "succeeded", "progress_percent": 100}
		}
	}
	if info != nil {
		d["processing_info"] = info
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": d})
}

// metadataFields are the documented fields of the metadata.
var metadataFields = []string{"allow_download_status", "alt_text", "audience_policy", "content_expiration",
	"domain_restrictions", "found_media_origin", "geo_restrictions", "management_info", "preview_image",
	"sensitive_media_warning", "shared_info", "sticker_info", "upload_source"}

// mediaMetadata serves POST /2/media/metadata: alternative text of at
// most 1000 characters.
//
// Specs: https://docs.x.com/x-api/media/media-metadata-create
func (s *Server) mediaMetadata(w http.ResponseWriter, r *http.Request) {
	u, ok := s.bearer(w, r)
	if !ok {
		return
	}
	s.limit(w, u.ID, "media/metadata", 500, false)
	var req struct {
		ID       string                     `json:"id"`
		Metadata map[string]json.RawMessage `json:"metadata"`
	}
	if err := decodeJSON(r, &req); err != nil {
		invalid(w, err.Error(), nil)
		return
	}
	for k := range req.Metadata {
		if !slices.Contains(metadataFields, k) {
			invalid(w, fmt.Sprintf("$.metadata.%s: is not defined in the schema and the schema does not allow additional properties", k), nil)
			return
		}
	}
	var alt struct {
		Text *string `json:"text"`
	}
	if raw, ok := req.Metadata["alt_text"]; ok && (json.Unmarshal(raw, &alt) != nil || alt.Text == nil) {
		invalid(w, "$.metadata.alt_text.text: is missing but it is required", nil)
		return
	}
	if alt.Text != nil && utf8.RuneCountInString(*alt.Text) > x.MaxAltText {
		invalid(w, fmt.Sprintf("$.metadata.alt_text.text: must be at most %d characters", x.MaxAltText),
			map[string][]string{"metadata.alt_text.text": {*alt.Text}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.media[req.ID]
	if m == nil || m.user != u.ID || !s.now().Before(m.expires) {
		invalid(w, fmt.Sprintf("The media id [%s] is not a media id of yours", req.ID), map[string][]string{"id": {req.ID}})
		return
	}
	meta := map[string]any{}
	if alt.Text != nil {
		m.alt = *alt.Text
		meta["alt_text"] = map[string]string{"text": m.alt}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": m.id, "associated_metadata": meta}})
}
