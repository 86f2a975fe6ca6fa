// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
)

// The labelled messages every organisation's model starts from; see
// data/README.md for where they come from.
//
//go:embed data/desk-messages.jsonl
var deskMessages []byte

// BaseExamples returns the embedded labelled messages.
func BaseExamples() ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(bytes.NewReader(deskMessages))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var m struct {
			Text       string `json:"text"`
			Category   string `json:"category"`
			Office     string `json:"office"`
			Urgency    string `json:"urgency"`
			Moderation string `json:"moderation"`
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("triage: base examples line %d: %w", line, err)
		}
		ex := Example{Text: m.Text, Labels: Labels{Category: m.Category, Office: m.Office, Urgency: m.Urgency, Moderation: m.Moderation}}
		if err := ex.Validate(); err != nil {
			return nil, fmt.Errorf("triage: base examples line %d: %w", line, err)
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("triage: base examples: %w", err)
	}
	return out, nil
}
