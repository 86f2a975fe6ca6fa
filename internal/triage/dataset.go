// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

// The labelled messages every organisation's model starts from; see
// data/README.md for where they come from.
var (
	//go:embed data/desk-messages.jsonl
	deskMessages []byte
	//go:embed data/desk-handwritten.tsv
	deskHandwritten []byte
)

// BaseExamples returns the embedded labelled messages of desk-messages.jsonl,
// the set that cross-validation measures.
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

// HandwrittenExamples returns the embedded hand-written messages of
// desk-handwritten.tsv. They were written to test the model in voices far
// from the base set's; trained on, they teach it ways of describing danger
// and routing that 300 messages cannot hold.
func HandwrittenExamples() ([]Example, error) {
	ex, err := ParseTSV(deskHandwritten)
	if err != nil {
		return nil, fmt.Errorf("triage: hand-written examples: %w", err)
	}
	return ex, nil
}

// TrainingExamples returns what the base model trains on: the base examples
// followed by the hand-written ones.
func TrainingExamples() ([]Example, error) {
	base, err := BaseExamples()
	if err != nil {
		return nil, err
	}
	hw, err := HandwrittenExamples()
	if err != nil {
		return nil, err
	}
	return append(base, hw...), nil
}

// ParseTSV reads labelled messages, one a line: category, office, urgency,
// moderation and text, tab-separated; blank lines and lines starting with
// "#" are skipped.
func ParseTSV(data []byte) ([]Example, error) {
	var out []Example
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("triage: line %d: %d fields, want 5", i+1, len(f))
		}
		ex := Example{Text: f[4], Labels: Labels{Category: f[0], Office: f[1], Urgency: f[2], Moderation: f[3]}}
		if err := ex.Validate(); err != nil {
			return nil, fmt.Errorf("triage: line %d: %w", i+1, err)
		}
		out = append(out, ex)
	}
	return out, nil
}
