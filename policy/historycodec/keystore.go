package historycodec

import (
	"container/list"
	"context"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/sync/singleflight"
)

// Pool is what the key store needs of a database pool; *pgxpool.Pool has it.
type Pool interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// keyAAD prefixes the additional authenticated data of a wrapped data key; the workflow ID
// and the KEK id follow, so a wrapped key copied to another row does not unwrap.
const keyAAD = "attache/historycodec/key/v1\x00"

// keystore keeps data keys in history_keys, wrapped by the KEK, with a bounded TTL cache.
type keystore struct {
	pool   Pool
	kekID  string
	kek    cipher.AEAD
	logger *slog.Logger
	flight singleflight.Group
	cache  *cache
}

func newKeystore(pool Pool, kek []byte, opts Options) (*keystore, error) {
	if len(kek) != 32 {
		return nil, fmt.Errorf("history master key: %d bytes, want 32", len(kek))
	}
	aead, err := newGCM(kek)
	if err != nil {
		return nil, fmt.Errorf("history master key: %w", err)
	}
	return &keystore{
		pool:   pool,
		kekID:  kekID(kek),
		kek:    aead,
		logger: opts.Logger,
		cache:  newCache(opts.CacheSize, opts.CacheTTL, time.Now),
	}, nil
}

// kekID names a master key without revealing it: a truncated HMAC of a fixed label under
// the key. It is stored beside each wrapped key so that a later rotation knows which master
// key wrapped which data key.
func kekID(kek []byte) string {
	m := hmac.New(sha256.New, kek)
	m.Write([]byte("attache history master key id"))
	return "kek-" + hex.EncodeToString(m.Sum(nil)[:8])
}

// errNoKey is returned by load when the workflow has no row.
var errNoKey = errors.New("no key row")

// getOrCreate returns the data key of id, creating it on first use.
func (ks *keystore) getOrCreate(ctx context.Context, id string) (cipher.AEAD, error) {
	return ks.lookup(ctx, id, true)
}

// get returns the data key of id; ErrUnknownKey when it has none.
func (ks *keystore) get(ctx context.Context, id string) (cipher.AEAD, error) {
	return ks.lookup(ctx, id, false)
}

func (ks *keystore) lookup(ctx context.Context, id string, create bool) (cipher.AEAD, error) {
	if e, ok := ks.cache.get(id); ok {
		if e.shredded {
			return nil, ErrShredded
		}
		return e.aead, nil
	}
	flightKey := "get\x00" + id
	if create {
		flightKey = "create\x00" + id
	}
	v, err, _ := ks.flight.Do(flightKey, func() (any, error) {
		gen := ks.cache.generation()
		e, err := ks.load(ctx, id)
		if errors.Is(err, errNoKey) && create {
			if err := ks.create(ctx, id); err != nil {
				return nil, err
			}
			e, err = ks.load(ctx, id)
		}
		if errors.Is(err, errNoKey) {
			return nil, ErrUnknownKey
		}
		if err != nil {
			return nil, err
		}
		ks.cache.put(id, e, gen)
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	e := v.(entry)
	if e.shredded {
		return nil, ErrShredded
	}
	return e.aead, nil
}

// load reads and unwraps the key of id.
func (ks *keystore) load(ctx context.Context, id string) (entry, error) {
	var wrapped []byte
	var kek *string
	err := ks.pool.QueryRow(ctx,
		`SELECT wrapped_key, kek_id FROM history_keys WHERE workflow_id = $1`, id).Scan(&wrapped, &kek)
	if errors.Is(err, pgx.ErrNoRows) {
		return entry{}, errNoKey
	}
	if err != nil {
		return entry{}, fmt.Errorf("read history key: %w", err)
	}
	if wrapped == nil {
		return entry{shredded: true}, nil
	}
	if kek == nil || *kek != ks.kekID {
		return entry{}, fmt.Errorf("history key is wrapped by master key %v, this process has %s", deref(kek), ks.kekID)
	}
	ns := ks.kek.NonceSize()
	if len(wrapped) < ns+ks.kek.Overhead() {
		return entry{}, errors.New("history key: wrapped key too short")
	}
	dk, err := ks.kek.Open(nil, wrapped[:ns], wrapped[ns:], wrapAAD(id, ks.kekID))
	if err != nil {
		return entry{}, errors.New("history key: unwrap failed (wrong master key or damaged row)")
	}
	aead, err := newGCM(dk)
	if err != nil {
		return entry{}, fmt.Errorf("history key: %w", err)
	}
	return entry{aead: aead}, nil
}

// create stores a new random key for id unless a row (key or tombstone) exists already;
// whoever inserts first wins, and everyone reads the winner's key afterwards.
func (ks *keystore) create(ctx context.Context, id string) error {
	dk := make([]byte, 32)
	if _, err := rand.Read(dk); err != nil {
		return fmt.Errorf("generate history key: %w", err)
	}
	ns := ks.kek.NonceSize()
	buf := make([]byte, ns, ns+len(dk)+ks.kek.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return fmt.Errorf("generate history key: %w", err)
	}
	wrapped := ks.kek.Seal(buf, buf, dk, wrapAAD(id, ks.kekID))
	tag, err := ks.pool.Exec(ctx, `INSERT INTO history_keys (workflow_id, wrapped_key, kek_id)
		VALUES ($1, $2, $3) ON CONFLICT (workflow_id) DO NOTHING`, id, wrapped, ks.kekID)
	if err != nil {
		return fmt.Errorf("store history key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		ks.logger.Debug("created history key", "key_id", id, "kek_id", ks.kekID)
	}
	return nil
}

// shred replaces the keys of ids by tombstones and drops them from the cache.
func (ks *keystore) shred(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	_, err := ks.pool.Exec(ctx, `INSERT INTO history_keys (workflow_id, wrapped_key, kek_id, shredded_at)
		SELECT id, NULL, NULL, now() FROM unnest($1::text[]) AS id
		ON CONFLICT (workflow_id) DO UPDATE
		SET wrapped_key = NULL, shredded_at = coalesce(history_keys.shredded_at, excluded.shredded_at)`, ids)
	if err != nil {
		return fmt.Errorf("shred history keys: %w", err)
	}
	ks.cache.drop(ids)
	ks.logger.Info("shredded history keys", "count", len(ids))
	return nil
}

func wrapAAD(id, kekID string) []byte {
	return []byte(keyAAD + id + "\x00" + kekID)
}

func deref(s *string) string {
	if s == nil {
		return "(none)"
	}
	return *s
}

// entry is a cached key, or a tombstone.
type entry struct {
	aead     cipher.AEAD
	shredded bool
}

// cache is a bounded LRU of keys with a TTL. Every drop bumps its generation; a load that
// started before the drop does not put its (possibly stale) key back.
type cache struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	gen   uint64
	order *list.List // front: most recently used; values are *cacheItem
	items map[string]*list.Element
}

type cacheItem struct {
	id      string
	e       entry
	expires time.Time
}

func newCache(max int, ttl time.Duration, now func() time.Time) *cache {
	return &cache{max: max, ttl: ttl, now: now, order: list.New(), items: make(map[string]*list.Element)}
}

func (c *cache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *cache) get(id string) (entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[id]
	if !ok {
		return entry{}, false
	}
	it := el.Value.(*cacheItem)
	if !c.now().Before(it.expires) {
		c.order.Remove(el)
		delete(c.items, id)
		return entry{}, false
	}
	c.order.MoveToFront(el)
	return it.e, true
}

// put caches e for id unless the cache was dropped from since generation gen.
func (c *cache) put(id string, e entry, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	exp := c.now().Add(c.ttl)
	if el, ok := c.items[id]; ok {
		it := el.Value.(*cacheItem)
		it.e, it.expires = e, exp
		c.order.MoveToFront(el)
		return
	}
	c.items[id] = c.order.PushFront(&cacheItem{id: id, e: e, expires: exp})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*cacheItem).id)
	}
}

func (c *cache) drop(ids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, id := range ids {
		if el, ok := c.items[id]; ok {
			c.order.Remove(el)
			delete(c.items, id)
		}
	}
}

func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
