// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap

import "strings"

// Italian alerts are graded by colour (allerta verde, gialla, arancione,
// rossa: the levels of the civil protection's bulletins). CAP has no colours,
// only severity, so Piazza maps them the way MeteoAlarm maps its awareness
// levels in CAP (green Minor, yellow Moderate, orange Severe, red Extreme): a
// European aggregator then ranks an "allerta arancione" like an orange
// MeteoAlarm warning. Green is Minor rather than Unknown because a message is
// published all the same, and Unknown is kept for when the colour is unknown.

// SeverityOfColour returns the CAP severity of an Italian alert colour
// ("verde", "gialla", "arancione", "rossa"; case and the masculine forms used
// with "codice" are accepted), or SeverityUnknown for anything else.
func SeverityOfColour(c string) Severity {
	switch strings.ToLower(strings.TrimSpace(c)) {
	case "verde":
		return SeverityMinor
	case "gialla", "giallo":
		return SeverityModerate
	case "arancione":
		return SeveritySevere
	case "rossa", "rosso":
		return SeverityExtreme
	}
	return SeverityUnknown
}

// ColourOfSeverity is the reverse of SeverityOfColour, in the feminine form
// of "allerta gialla"; it returns "" for SeverityUnknown and for values that
// are not CAP severities.
func ColourOfSeverity(s Severity) string {
	switch s {
	case SeverityMinor:
		return "verde"
	case SeverityModerate:
		return "gialla"
	case SeveritySevere:
		return "arancione"
	case SeverityExtreme:
		return "rossa"
	}
	return ""
}
