// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage_test

import (
	"strings"
	"testing"
)

// FuzzClassify: any text a citizen can send is classified without a panic
// into codes of the taxonomy with confidences in [0, 1].
func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"", "buca in via Roma", "FUGA DI GAS!!!", "str***a", "cf RSSMRA80A01H501U",
		"IT60 X054 2811 1010 0000 0123 456", "+39 333 1234567", "www.x.xyz", "😡🤬🙏\u200d\ufe0f",
		"perche' e' cosi'?", "'", "po'", "a'b'c'", "\xff\xfe", strings.Repeat("a", 5000), "87 anni",
		"999999999999 anni", "k", "qu", "aiuola", "divano", "zz", "zzphone",
	} {
		f.Add(s)
	}
	m := base(f)
	f.Fuzz(func(t *testing.T, text string) {
		checkResult(t, m.Classify(text))
	})
}
