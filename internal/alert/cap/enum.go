// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap

import "slices"

// Status is the handling code of an alert.
type Status string

// The CAP 1.2 statuses.
const (
	StatusActual   Status = "Actual"
	StatusExercise Status = "Exercise"
	StatusSystem   Status = "System"
	StatusTest     Status = "Test"
	StatusDraft    Status = "Draft"
)

var statuses = []Status{StatusActual, StatusExercise, StatusSystem, StatusTest, StatusDraft}

// Valid reports whether s is a CAP 1.2 status.
func (s Status) Valid() bool { return slices.Contains(statuses, s) }

// MsgType is the nature of an alert message.
type MsgType string

// The CAP 1.2 message types.
const (
	MsgTypeAlert  MsgType = "Alert"
	MsgTypeUpdate MsgType = "Update"
	MsgTypeCancel MsgType = "Cancel"
	MsgTypeAck    MsgType = "Ack"
	MsgTypeError  MsgType = "Error"
)

var msgTypes = []MsgType{MsgTypeAlert, MsgTypeUpdate, MsgTypeCancel, MsgTypeAck, MsgTypeError}

// Valid reports whether m is a CAP 1.2 message type.
func (m MsgType) Valid() bool { return slices.Contains(msgTypes, m) }

// refersToEarlier reports whether a message of this type only makes sense
// with the messages it is about in <references>: an update or cancel of an
// earlier alert, an acknowledgement or a rejection of one.
func (m MsgType) refersToEarlier() bool {
	return m == MsgTypeUpdate || m == MsgTypeCancel || m == MsgTypeAck || m == MsgTypeError
}

// Scope is the intended distribution of an alert.
type Scope string

// The CAP 1.2 scopes.
const (
	ScopePublic     Scope = "Public"
	ScopeRestricted Scope = "Restricted"
	ScopePrivate    Scope = "Private"
)

var scopes = []Scope{ScopePublic, ScopeRestricted, ScopePrivate}

// Valid reports whether s is a CAP 1.2 scope.
func (s Scope) Valid() bool { return slices.Contains(scopes, s) }

// Category is the category of the subject event of an Info.
type Category string

// The CAP 1.2 categories.
const (
	CategoryGeo       Category = "Geo"       // geophysical, including landslide
	CategoryMet       Category = "Met"       // meteorological, including flood
	CategorySafety    Category = "Safety"    // general emergency and public safety
	CategorySecurity  Category = "Security"  // law enforcement, military, homeland and local/private security
	CategoryRescue    Category = "Rescue"    // rescue and recovery
	CategoryFire      Category = "Fire"      // fire suppression and rescue
	CategoryHealth    Category = "Health"    // medical and public health
	CategoryEnv       Category = "Env"       // pollution and other environmental
	CategoryTransport Category = "Transport" // public and private transportation
	CategoryInfra     Category = "Infra"     // utility, telecommunication, other non-transport infrastructure
	CategoryCBRNE     Category = "CBRNE"     // chemical, biological, radiological, nuclear or high-yield explosive
	CategoryOther     Category = "Other"
)

var categories = []Category{
	CategoryGeo, CategoryMet, CategorySafety, CategorySecurity, CategoryRescue, CategoryFire,
	CategoryHealth, CategoryEnv, CategoryTransport, CategoryInfra, CategoryCBRNE, CategoryOther,
}

// Valid reports whether c is a CAP 1.2 category.
func (c Category) Valid() bool { return slices.Contains(categories, c) }

// ResponseType is the action recommended to the audience.
type ResponseType string

// The CAP 1.2 response types.
const (
	ResponseTypeShelter  ResponseType = "Shelter"
	ResponseTypeEvacuate ResponseType = "Evacuate"
	ResponseTypePrepare  ResponseType = "Prepare"
	ResponseTypeExecute  ResponseType = "Execute"
	ResponseTypeAvoid    ResponseType = "Avoid" // new in 1.2
	ResponseTypeMonitor  ResponseType = "Monitor"
	ResponseTypeAssess   ResponseType = "Assess"
	ResponseTypeAllClear ResponseType = "AllClear" // new in 1.2
	ResponseTypeNone     ResponseType = "None"
)

var responseTypes = []ResponseType{
	ResponseTypeShelter, ResponseTypeEvacuate, ResponseTypePrepare, ResponseTypeExecute, ResponseTypeAvoid,
	ResponseTypeMonitor, ResponseTypeAssess, ResponseTypeAllClear, ResponseTypeNone,
}

// Valid reports whether r is a CAP 1.2 response type.
func (r ResponseType) Valid() bool { return slices.Contains(responseTypes, r) }

// Urgency is how soon the audience should act.
type Urgency string

// The CAP 1.2 urgencies.
const (
	UrgencyImmediate Urgency = "Immediate"
	UrgencyExpected  Urgency = "Expected"
	UrgencyFuture    Urgency = "Future"
	UrgencyPast      Urgency = "Past"
	UrgencyUnknown   Urgency = "Unknown"
)

var urgencies = []Urgency{UrgencyImmediate, UrgencyExpected, UrgencyFuture, UrgencyPast, UrgencyUnknown}

// Valid reports whether u is a CAP 1.2 urgency.
func (u Urgency) Valid() bool { return slices.Contains(urgencies, u) }

// Severity is how bad the event is.
type Severity string

// The CAP 1.2 severities.
const (
	SeverityExtreme  Severity = "Extreme"
	SeveritySevere   Severity = "Severe"
	SeverityModerate Severity = "Moderate"
	SeverityMinor    Severity = "Minor"
	SeverityUnknown  Severity = "Unknown"
)

var severities = []Severity{SeverityExtreme, SeveritySevere, SeverityModerate, SeverityMinor, SeverityUnknown}

// Valid reports whether s is a CAP 1.2 severity.
func (s Severity) Valid() bool { return slices.Contains(severities, s) }

// Certainty is how sure the sender is of the event.
type Certainty string

// The CAP 1.2 certainties.
const (
	CertaintyObserved Certainty = "Observed"
	CertaintyLikely   Certainty = "Likely"
	CertaintyPossible Certainty = "Possible"
	CertaintyUnlikely Certainty = "Unlikely"
	CertaintyUnknown  Certainty = "Unknown"
)

var certainties = []Certainty{CertaintyObserved, CertaintyLikely, CertaintyPossible, CertaintyUnlikely, CertaintyUnknown}

// Valid reports whether c is a CAP 1.2 certainty.
func (c Certainty) Valid() bool { return slices.Contains(certainties, c) }
