package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/attache-dev/attache/conversation/pgstore"
	"github.com/attache-dev/attache/conversation/regional"
	"github.com/attache-dev/attache/internal/config"
	"github.com/attache-dev/attache/internal/postgres"
	"github.com/attache-dev/attache/policy/historycodec"
	"github.com/attache-dev/attache/policy/privacy"
)

// regionDB is a region's database, open.
type regionDB struct {
	config.Region
	pool *pgxpool.Pool
}

// openRegions opens the databases of ATTACHE_REGIONS; on error none stays open.
func openRegions(ctx context.Context, cfg config.Config, logger *slog.Logger) ([]regionDB, error) {
	var out []regionDB
	for _, r := range cfg.Regions {
		pool, err := postgres.Open(ctx, r.DatabaseURL, logger.With("region", r.Name))
		if err != nil {
			closeRegions(out)
			return nil, fmt.Errorf("ATTACHE_REGIONS: region %s: %w", r.Name, err)
		}
		out = append(out, regionDB{Region: r, pool: pool})
	}
	return out, nil
}

func closeRegions(rs []regionDB) {
	for _, r := range rs {
		r.pool.Close()
	}
}

// migrateRegions brings every region's database up to date: each keeps the full schema.
func migrateRegions(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	for _, r := range cfg.Regions {
		n, err := postgres.Migrate(ctx, r.DatabaseURL, logger.With("region", r.Name))
		if err != nil {
			return fmt.Errorf("ATTACHE_REGIONS: region %s: %w", r.Name, err)
		}
		logger.Info("region database is up to date", "region", r.Name, "applied", n)
	}
	return nil
}

// conversationStore keeps each conversation in its market's region.
func conversationStore(pool *pgxpool.Pool, regions []regionDB) (*regional.Store, error) {
	rs := make([]regional.Region, len(regions))
	for i, r := range regions {
		rs[i] = regional.Region{Name: r.Name, Markets: r.Markets, Store: pgstore.New(r.pool)}
	}
	return regional.New(pgstore.New(pool), rs...)
}

// regionalPrivacy carries out data-subject requests in every database that keeps
// conversations, and keeps consents where their conversation is.
type regionalPrivacy struct {
	def      *privacy.Store
	byRegion map[string]*privacy.Store
	convs    *regional.Store
}

// newRegionalPrivacy builds a privacy store per database; all shred through codec (the
// history keys live with Temporal's payloads, keyed by workflow, in the default database).
func newRegionalPrivacy(pool *pgxpool.Pool, regions []regionDB, convs *regional.Store, tc client.Client, codec *historycodec.Codec, k keys, logger *slog.Logger) (*regionalPrivacy, error) {
	def, err := newPrivacy(pool, tc, codec, k, logger)
	if err != nil {
		return nil, err
	}
	rp := &regionalPrivacy{def: def, byRegion: map[string]*privacy.Store{regional.Default: def}, convs: convs}
	for _, r := range regions {
		st, err := newPrivacy(r.pool, tc, codec, k, logger.With("region", r.Name))
		if err != nil {
			return nil, err
		}
		rp.byRegion[r.Name] = st
	}
	return rp, nil
}

// all returns the stores, the default first.
func (rp *regionalPrivacy) all() []*privacy.Store {
	out := []*privacy.Store{rp.def}
	for _, name := range rp.convs.Regions()[1:] {
		out = append(out, rp.byRegion[name])
	}
	return out
}

// Export gathers the customer's data from every region into one bundle.
func (rp *regionalPrivacy) Export(ctx context.Context, s privacy.Subject, by string) (privacy.Bundle, error) {
	var b privacy.Bundle
	for i, st := range rp.all() {
		part, err := st.Export(ctx, s, by)
		if err != nil {
			return b, err
		}
		if i == 0 {
			b = part
			continue
		}
		b.Conversations = append(b.Conversations, part.Conversations...)
		b.Participants = append(b.Participants, part.Participants...)
		b.Messages = append(b.Messages, part.Messages...)
		b.Disclosures = append(b.Disclosures, part.Disclosures...)
		b.Consents = append(b.Consents, part.Consents...)
		b.KnowledgeGaps = append(b.KnowledgeGaps, part.KnowledgeGaps...)
		b.Handoffs = append(b.Handoffs, part.Handoffs...)
	}
	return b, nil
}

// Erase erases the customer in every region and adds up what was deleted.
func (rp *regionalPrivacy) Erase(ctx context.Context, s privacy.Subject, by string) (privacy.Summary, error) {
	var total privacy.Summary
	for i, st := range rp.all() {
		sum, err := st.Erase(ctx, s, by)
		if err != nil {
			return total, err
		}
		if i == 0 {
			total = sum
			continue
		}
		for t, n := range sum.Deleted {
			total.Deleted[t] += n
		}
		total.Terminated += sum.Terminated
		total.Shredded += sum.Shredded
	}
	return total, nil
}

// Requests lists the requests recorded in the default database.
func (rp *regionalPrivacy) Requests(ctx context.Context, limit int) ([]privacy.Request, error) {
	return rp.def.Requests(ctx, limit)
}

// RecordConsent stores a consent beside its conversation.
func (rp *regionalPrivacy) RecordConsent(ctx context.Context, c privacy.Consent) (privacy.Consent, error) {
	region, err := rp.convs.RegionOfConversation(ctx, c.ConversationID)
	if err != nil {
		return c, err
	}
	return rp.byRegion[region].RecordConsent(ctx, c)
}

// Consents reads a conversation's consents where it is kept.
func (rp *regionalPrivacy) Consents(ctx context.Context, conversationID string) ([]privacy.Consent, error) {
	region, err := rp.convs.RegionOfConversation(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	return rp.byRegion[region].Consents(ctx, conversationID)
}
