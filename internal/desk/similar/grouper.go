// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package similar

import (
	"container/heap"
	"sync"
	"time"
)

// DefaultThreshold is the Similarity above which a message joins a group,
// measured on testdata/storm.tsv (see TestCorpusQuality).
const DefaultThreshold = 0.34

const (
	// LSH banding: 32 bands of 2 rows find pairs with Jaccard 0.3 with
	// probability 0.95 and 0.2 with 0.73; the place index covers the rest.
	bands   = NumHashes / rows
	rows    = 2
	maxReps = 3 // representatives per group: the first and two different wordings
	// repNovelty: a member this close to a representative adds nothing.
	repNovelty = 0.8
	maxPlaces  = 8
	// bucketCap bounds the work of one lookup when a band is shared by
	// thousands of groups (a common wording); the oldest entries go first.
	bucketCap = 256
	// defaultMaxGroups bounds memory even with an endless window.
	defaultMaxGroups = 100_000
)

// Grouper assigns messages to near-duplicate groups. It is safe for
// concurrent use: signatures are computed outside the lock.
type Grouper struct {
	threshold float64
	window    time.Duration
	maxGroups int

	mu      sync.Mutex
	now     time.Time // latest message time seen: the clock that closes groups
	gen     uint64    // lookup generation, to visit each candidate once
	groups  map[string]*group
	buckets map[uint64][]*group
	byLast  groupHeap
}

type group struct {
	id     string
	scope  string
	last   time.Time
	reps   []profile
	places []uint32 // union of the members' places
	keys   []uint64 // buckets this group is filed in
	heapIx int
	seen   uint64
}

// NewGrouper returns a Grouper joining messages whose Similarity to a
// group's representative reaches threshold (DefaultThreshold is measured);
// a group closes window after its last member. A window <= 0 never closes
// groups by time; the open-group cap still bounds memory.
func NewGrouper(threshold float64, window time.Duration) *Grouper {
	return &Grouper{
		threshold: threshold,
		window:    window,
		maxGroups: defaultMaxGroups,
		groups:    make(map[string]*group),
		buckets:   make(map[uint64][]*group),
	}
}

// Assign puts the message in the most similar open group of the same scope,
// or starts a group whose id is the message id.
func (g *Grouper) Assign(id string, text string, at time.Time, scope string) (groupID string, isNew bool) {
	s := Signature(text)
	sh := fnv64(scope)
	query := queryKeys(&s, sh)

	g.mu.Lock()
	defer g.mu.Unlock()
	g.advance(at)
	if best := g.best(&s, query, at, scope); best != nil {
		g.add(best, &s, sh, at)
		return best.id, false
	}
	if grp := g.groups[id]; grp != nil {
		// A repeated id (retried delivery) stays where it went first.
		g.add(grp, &s, sh, at)
		return grp.id, false
	}
	g.add(g.newGroup(id, scope, at), &s, sh, at)
	g.enforceCap()
	return id, true
}

// Restore replays a stored message into its known group after a restart,
// creating the group if needed. Messages already outside the window are
// ignored, as their group would be closed.
func (g *Grouper) Restore(groupID string, text string, at time.Time, scope string) {
	s := Signature(text)
	sh := fnv64(scope)

	g.mu.Lock()
	defer g.mu.Unlock()
	g.advance(at)
	if g.expired(at) {
		return
	}
	grp := g.groups[groupID]
	if grp == nil {
		grp = g.newGroup(groupID, scope, at)
	}
	g.add(grp, &s, sh, at)
	g.enforceCap()
}

// Len is the number of open groups.
func (g *Grouper) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.groups)
}

func (g *Grouper) expired(t time.Time) bool {
	return g.window > 0 && t.Before(g.now.Add(-g.window))
}

// advance moves the clock and closes groups idle for longer than window.
func (g *Grouper) advance(at time.Time) {
	if at.After(g.now) {
		g.now = at
	}
	for len(g.byLast) > 0 && g.expired(g.byLast[0].last) {
		g.evict(g.byLast[0])
	}
}

func (g *Grouper) enforceCap() {
	for len(g.groups) > g.maxGroups {
		g.evict(g.byLast[0])
	}
}

func (g *Grouper) newGroup(id, scope string, at time.Time) *group {
	grp := &group{id: id, scope: scope, last: at}
	g.groups[id] = grp
	heap.Push(&g.byLast, grp)
	return grp
}

// best scores the groups sharing a bucket with the message and returns the
// most similar one at or above threshold.
func (g *Grouper) best(s *Sig, query []uint64, at time.Time, scope string) *group {
	if s.Empty() {
		return nil
	}
	g.gen++
	var best *group
	bestSim := g.threshold
	for _, k := range query {
		for _, grp := range g.buckets[k] {
			if grp.seen == g.gen {
				continue
			}
			grp.seen = g.gen
			if grp.scope != scope || g.window > 0 && absDur(at.Sub(grp.last)) > g.window {
				continue
			}
			if len(s.places) > 0 && len(grp.places) > 0 && !intersects(s.places, grp.places) {
				continue // another street: never the same event
			}
			for i := range grp.reps {
				if sim := similarity(&s.profile, &grp.reps[i]); sim >= bestSim && (best == nil || sim > bestSim || grp.last.After(best.last)) {
					best, bestSim = grp, sim
				}
			}
		}
	}
	return best
}

// add records a member: refreshes the group's time, learns its places and
// keeps it as a representative when it is a new wording.
func (g *Grouper) add(grp *group, s *Sig, scopeHash uint64, at time.Time) {
	if at.After(grp.last) {
		grp.last = at
		heap.Fix(&g.byLast, grp.heapIx)
	}
	for _, p := range s.places {
		if len(grp.places) < maxPlaces && !containsU32(grp.places, p) {
			grp.places = insertSorted(grp.places, p)
			g.file(grp, placeKey(scopeHash, p))
		}
	}
	if s.Empty() || len(grp.reps) >= maxReps {
		return
	}
	for i := range grp.reps {
		if similarity(&s.profile, &grp.reps[i]) >= repNovelty {
			return
		}
	}
	grp.reps = append(grp.reps, s.profile)
	placed := len(s.places) > 0
	for b := 0; b < bands; b++ {
		g.file(grp, bandKey(scopeHash, s, b, placed))
	}
}

func (g *Grouper) file(grp *group, k uint64) {
	for _, have := range grp.keys {
		if have == k {
			return
		}
	}
	b := g.buckets[k]
	if len(b) >= bucketCap {
		old := b[0]
		copy(b, b[1:])
		b = b[:len(b)-1]
		old.keys = removeU64(old.keys, k)
	}
	g.buckets[k] = append(b, grp)
	grp.keys = append(grp.keys, k)
}

func (g *Grouper) evict(grp *group) {
	heap.Remove(&g.byLast, grp.heapIx)
	delete(g.groups, grp.id)
	for _, k := range grp.keys {
		b := g.buckets[k]
		for i, x := range b {
			if x == grp {
				copy(b[i:], b[i+1:])
				b[len(b)-1] = nil // no stale pointer keeps the group alive
				b = b[:len(b)-1]
				break
			}
		}
		if len(b) == 0 {
			delete(g.buckets, k)
		} else {
			g.buckets[k] = b
		}
	}
	grp.keys, grp.reps = nil, nil
}

// queryKeys lists the buckets to search: the message's places, the bands of
// placeless representatives and, for a placeless message, the bands of
// placed ones too. A placed message never needs other streets' bands.
func queryKeys(s *Sig, scopeHash uint64) []uint64 {
	if s.Empty() {
		return nil
	}
	keys := make([]uint64, 0, len(s.places)+2*bands)
	for _, p := range s.places {
		keys = append(keys, placeKey(scopeHash, p))
	}
	for b := 0; b < bands; b++ {
		keys = append(keys, bandKey(scopeHash, s, b, false))
		if len(s.places) == 0 {
			keys = append(keys, bandKey(scopeHash, s, b, true))
		}
	}
	return keys
}

func bandKey(scopeHash uint64, s *Sig, b int, placed bool) uint64 {
	h := mix64(scopeHash + uint64(b+1)*0x9e3779b97f4a7c15)
	for r := 0; r < rows; r++ {
		h = mix64(h ^ uint64(s.mins[b*rows+r]))
	}
	if placed {
		h = mix64(h ^ 0x706c61636564) // "placed"
	}
	return h
}

func placeKey(scopeHash uint64, p uint32) uint64 {
	return mix64(scopeHash ^ 0x504c414345<<24 ^ uint64(p))
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func containsU32(s []uint32, v uint32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func insertSorted(s []uint32, v uint32) []uint32 {
	i := len(s)
	for i > 0 && s[i-1] > v {
		i--
	}
	s = append(s, 0)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

func removeU64(s []uint64, v uint64) []uint64 {
	for i, x := range s {
		if x == v {
			return append(s[:i], s[i+1:]...)
		}
	}
	return s
}

// groupHeap orders groups by last activity so closing is O(log n).
type groupHeap []*group

func (h groupHeap) Len() int           { return len(h) }
func (h groupHeap) Less(i, j int) bool { return h[i].last.Before(h[j].last) }
func (h groupHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIx = i
	h[j].heapIx = j
}
func (h *groupHeap) Push(x any) {
	grp := x.(*group)
	grp.heapIx = len(*h)
	*h = append(*h, grp)
}
func (h *groupHeap) Pop() any {
	old := *h
	grp := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return grp
}
