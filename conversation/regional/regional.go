// Package regional keeps each customer's conversations in the database of their region: a
// shop that promises its EU customers that their chats stay in the EU configures an EU
// database, and every conversation in an EU market is created there and read from there.
//
// A Store routes by market when a conversation is created and by conversation ID after
// that. It keeps no directory: the first time a process meets an ID it asks each database
// in turn (the default first), then remembers the answer. So nothing about a customer — not
// even which conversation IDs exist — is copied between regions.
//
// It is not for: sharding by load (every region is one database), moving a conversation
// between regions (a market's region is fixed when the conversation starts), or what is not
// a conversation (the knowledge base, staff accounts and the audit log stay in the default
// database).
package regional

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/attache-dev/attache/conversation"
	"github.com/attache-dev/attache/conversation/pgstore"
)

// Default is the name of the region of markets no configured region claims.
const Default = "default"

// Region is one database and the markets whose conversations it keeps.
type Region struct {
	Name    string
	Markets []string // ISO 3166-1 alpha-2, upper case
	Store   *pgstore.Store
}

// Store routes the conversation store's calls to the region a conversation belongs to.
type Store struct {
	def      *pgstore.Store
	byMarket map[string]string
	stores   map[string]*pgstore.Store
	order    []string // lookup order: the default first, then the regions by name

	mu     sync.Mutex
	placed map[string]string // conversation ID → region; bounded
}

// maxPlaced bounds the memory of where conversations are; past it, it starts again (a
// forgotten ID costs one lookup per region).
const maxPlaced = 100_000

// New returns a Store over the default database and the regions. A market may belong to one
// region only.
func New(def *pgstore.Store, regions ...Region) (*Store, error) {
	s := &Store{def: def, byMarket: map[string]string{}, stores: map[string]*pgstore.Store{Default: def}, order: []string{Default},
		placed: map[string]string{}}
	sort.Slice(regions, func(i, j int) bool { return regions[i].Name < regions[j].Name })
	for _, r := range regions {
		if r.Name == "" || r.Name == Default || r.Store == nil {
			return nil, fmt.Errorf("region %q: want a name other than %q and a database", r.Name, Default)
		}
		if _, dup := s.stores[r.Name]; dup {
			return nil, fmt.Errorf("region %q is configured twice", r.Name)
		}
		if len(r.Markets) == 0 {
			return nil, fmt.Errorf("region %q: no markets", r.Name)
		}
		s.stores[r.Name] = r.Store
		s.order = append(s.order, r.Name)
		for _, m := range r.Markets {
			m = strings.ToUpper(m)
			if other, dup := s.byMarket[m]; dup {
				return nil, fmt.Errorf("market %s is in regions %q and %q", m, other, r.Name)
			}
			s.byMarket[m] = r.Name
		}
	}
	return s, nil
}

// RegionOf names the region that keeps the conversations of market.
func (s *Store) RegionOf(market string) string {
	if r, ok := s.byMarket[strings.ToUpper(market)]; ok {
		return r
	}
	return Default
}

// Regions names the regions, the default first.
func (s *Store) Regions() []string { return slices.Clone(s.order) }

// Create stores a new conversation in its market's region.
func (s *Store) Create(ctx context.Context, nc conversation.NewConversation) (conversation.Conversation, error) {
	region := s.RegionOf(nc.Market)
	c, err := s.stores[region].Create(ctx, nc)
	if err != nil {
		return c, fmt.Errorf("region %s: %w", region, err)
	}
	s.remember(c.ID, region)
	return c, nil
}

func (s *Store) remember(id, region string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.placed) >= maxPlaced {
		clear(s.placed)
	}
	s.placed[id] = region
}

// locate returns the store that keeps conversation id, or conversation.ErrNotFound.
func (s *Store) locate(ctx context.Context, id string) (*pgstore.Store, conversation.Conversation, error) {
	s.mu.Lock()
	region, ok := s.placed[id]
	s.mu.Unlock()
	if ok {
		return s.stores[region], conversation.Conversation{}, nil
	}
	if len(s.order) == 1 {
		return s.def, conversation.Conversation{}, nil
	}
	for _, name := range s.order {
		c, err := s.stores[name].Get(ctx, id)
		if errors.Is(err, conversation.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, c, fmt.Errorf("region %s: %w", name, err)
		}
		s.remember(id, name)
		return s.stores[name], c, nil
	}
	return nil, conversation.Conversation{}, conversation.ErrNotFound
}

// RegionOfConversation names the region that keeps conversation id, or returns
// conversation.ErrNotFound.
func (s *Store) RegionOfConversation(ctx context.Context, id string) (string, error) {
	if _, _, err := s.locate(ctx, id); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.placed[id]; ok {
		return r, nil
	}
	return Default, nil // one database: never remembered, always the default
}

// Get returns a conversation from its region, or conversation.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (conversation.Conversation, error) {
	st, c, err := s.locate(ctx, id)
	if err != nil || c.ID != "" {
		return c, err
	}
	return st.Get(ctx, id)
}

// Messages returns a conversation's messages after afterSeq.
func (s *Store) Messages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]conversation.Message, error) {
	st, _, err := s.locate(ctx, conversationID)
	if errors.Is(err, conversation.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return st.Messages(ctx, conversationID, afterSeq, limit)
}

// TurnMessages returns the messages of one turn.
func (s *Store) TurnMessages(ctx context.Context, conversationID, turnID string) ([]conversation.Message, error) {
	st, _, err := s.locate(ctx, conversationID)
	if errors.Is(err, conversation.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return st.TurnMessages(ctx, conversationID, turnID)
}

// Append stores a message in its conversation's region.
func (s *Store) Append(ctx context.Context, nm conversation.NewMessage) (conversation.Message, bool, error) {
	st, _, err := s.locate(ctx, nm.ConversationID)
	if err != nil {
		return conversation.Message{}, false, err
	}
	return st.Append(ctx, nm)
}

// AddParticipant adds a participant to a conversation in its region.
func (s *Store) AddParticipant(ctx context.Context, conversationID string, kind conversation.Author, displayName string) error {
	st, _, err := s.locate(ctx, conversationID)
	if err != nil {
		return err
	}
	return st.AddParticipant(ctx, conversationID, kind, displayName)
}

// SetStatus changes a conversation's status.
func (s *Store) SetStatus(ctx context.Context, id string, st conversation.Status, reason string) error {
	store, _, err := s.locate(ctx, id)
	if err != nil {
		return err
	}
	return store.SetStatus(ctx, id, st, reason)
}

// SetLocale changes a conversation's locale.
func (s *Store) SetLocale(ctx context.Context, id, locale string) error {
	st, _, err := s.locate(ctx, id)
	if err != nil {
		return err
	}
	return st.SetLocale(ctx, id, locale)
}

// CountAI counts a conversation's AI messages before beforeSeq.
func (s *Store) CountAI(ctx context.Context, conversationID string, beforeSeq int64) (int, error) {
	st, _, err := s.locate(ctx, conversationID)
	if err != nil {
		return 0, err
	}
	return st.CountAI(ctx, conversationID, beforeSeq)
}

// DisclosureDue says whether the next AI message must disclose, and why.
func (s *Store) DisclosureDue(ctx context.Context, conversationID, channel string) (string, error) {
	st, _, err := s.locate(ctx, conversationID)
	if err != nil {
		return "", err
	}
	return st.DisclosureDue(ctx, conversationID, channel)
}

// RecordDisclosure stores disclosure evidence in the conversation's region.
func (s *Store) RecordDisclosure(ctx context.Context, d conversation.Disclosure) error {
	st, _, err := s.locate(ctx, d.ConversationID)
	if err != nil {
		return err
	}
	return st.RecordDisclosure(ctx, d)
}

// Disclosures returns a conversation's disclosure evidence.
func (s *Store) Disclosures(ctx context.Context, conversationID string) ([]conversation.Disclosure, error) {
	st, _, err := s.locate(ctx, conversationID)
	if errors.Is(err, conversation.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return st.Disclosures(ctx, conversationID)
}

// Ping checks every region's database.
func (s *Store) Ping(ctx context.Context) error {
	for _, name := range s.order {
		if err := s.stores[name].Ping(ctx); err != nil {
			return fmt.Errorf("region %s: %w", name, err)
		}
	}
	return nil
}
