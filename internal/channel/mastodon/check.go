// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/piazza-pa/piazza/internal/channel"
)

// account is the part of an Account entity the connector reads.
//
// Specs: https://docs.joinmastodon.org/entities/Account/
type account struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
	URL         string `json:"url"`
}

// instance is the part of the v2 Instance entity the connector reads.
// Every limit is a pointer: an instance (or a fork of Mastodon) that
// leaves one out gets Mastodon's default.
//
// Specs: https://docs.joinmastodon.org/entities/Instance/
type instance struct {
	Domain        string `json:"domain"`
	Version       string `json:"version"`
	Configuration struct {
		Statuses struct {
			MaxCharacters            *int `json:"max_characters"`
			MaxMediaAttachments      *int `json:"max_media_attachments"`
			CharactersReservedPerURL *int `json:"characters_reserved_per_url"`
		} `json:"statuses"`
		MediaAttachments struct {
			SupportedMimeTypes []string `json:"supported_mime_types"`
			ImageSizeLimit     *int64   `json:"image_size_limit"`
			ImageMatrixLimit   *int64   `json:"image_matrix_limit"`
			VideoSizeLimit     *int64   `json:"video_size_limit"`
			DescriptionLimit   *int     `json:"description_limit"`
		} `json:"media_attachments"`
	} `json:"configuration"`
}

// CheckCredentials verifies the access token and reads the account (its
// display name, @user@domain handle and profile page) and the instance's
// limits, returned in Identity.Settings for Limits to use: characters
// per status and per link, attachments per status, image and video size
// limits, accepted image and video types, alternative text length and
// image size in pixels, plus the account's id (for Find) and the
// instance's version.
//
// Specs: https://docs.joinmastodon.org/methods/accounts/#verify_credentials
func (c *Connector) CheckCredentials(ctx context.Context, acct channel.Account) (channel.Identity, error) {
	const op = opCheck
	tok, err := token(acct, op)
	if err != nil {
		return channel.Identity{}, err
	}
	a, err := c.verifyCredentials(ctx, acct, op, tok)
	if err != nil {
		return channel.Identity{}, nothingPublished(err)
	}
	in, err := c.instance(ctx, acct, op, tok)
	if err != nil {
		return channel.Identity{}, nothingPublished(err)
	}
	domain := in.Domain
	if domain == "" {
		root, _ := base(acct, op)
		if u, err := url.Parse(root); err == nil {
			domain = u.Hostname()
		}
	}
	handle := "@" + a.Acct
	if !strings.Contains(a.Acct, "@") && domain != "" {
		handle += "@" + domain
	}
	name := strings.TrimSpace(a.DisplayName)
	if name == "" {
		name = a.Username
	}
	return channel.Identity{Name: name, Handle: handle, URL: a.URL, Settings: in.settings(a.ID)}, nil
}

// settings are the instance's limits as Account.Settings keep them.
func (in instance) settings(accountID string) map[string]string {
	s := map[string]string{SettingAccountID: accountID}
	if in.Version != "" {
		s[SettingVersion] = in.Version
	}
	setInt := func(key string, v *int) {
		if v != nil && *v > 0 {
			s[key] = strconv.Itoa(*v)
		}
	}
	setInt64 := func(key string, v *int64) {
		if v != nil && *v > 0 {
			s[key] = strconv.FormatInt(*v, 10)
		}
	}
	st, ma := in.Configuration.Statuses, in.Configuration.MediaAttachments
	setInt(channel.SettingMaxChars, st.MaxCharacters)
	setInt(channel.SettingMaxMedia, st.MaxMediaAttachments)
	setInt(channel.SettingURLLength, st.CharactersReservedPerURL)
	setInt64(channel.SettingImageMaxBytes, ma.ImageSizeLimit)
	setInt64(SettingVideoMaxBytes, ma.VideoSizeLimit)
	setInt64(SettingImageMatrix, ma.ImageMatrixLimit)
	setInt(SettingAltTextMax, ma.DescriptionLimit)
	var images, videos []string
	for _, t := range ma.SupportedMimeTypes {
		switch t = strings.ToLower(strings.TrimSpace(t)); {
		case strings.HasPrefix(t, "image/") && !strings.Contains(t, ","):
			images = append(images, t)
		case strings.HasPrefix(t, "video/") && !strings.Contains(t, ","):
			videos = append(videos, t)
		}
	}
	if len(images) > 0 {
		s[SettingImageTypes] = strings.Join(images, ",")
	}
	if len(videos) > 0 {
		s[SettingVideoTypes] = strings.Join(videos, ",")
	}
	return s
}

// verifyCredentials reads the token's account.
//
// Specs: https://docs.joinmastodon.org/methods/accounts/#verify_credentials
func (c *Connector) verifyCredentials(ctx context.Context, acct channel.Account, op, tok string) (account, error) {
	var a account
	if _, err := c.call(ctx, acct, op, request{method: http.MethodGet, path: "/api/v1/accounts/verify_credentials", token: tok}, &a); err != nil {
		return account{}, err
	}
	if a.ID == "" {
		return account{}, errorf(channel.Retryable, op, "the instance answered without an account id")
	}
	if a.Acct == "" {
		a.Acct = a.Username
	}
	return a, nil
}

// instance reads the instance's description and limits.
//
// Specs: https://docs.joinmastodon.org/methods/instance/#v2
func (c *Connector) instance(ctx context.Context, acct channel.Account, op, tok string) (instance, error) {
	var in instance
	_, err := c.call(ctx, acct, op, request{method: http.MethodGet, path: "/api/v2/instance", token: tok}, &in)
	return in, err
}
