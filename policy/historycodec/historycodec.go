// Package historycodec encrypts what Attaché puts into Temporal history — workflow inputs,
// update arguments, activity arguments and results, which hold customer text and personal
// data — with a data key per workflow, so that destroying the keys of a customer's workflows
// crypto-shreds whatever Temporal history still holds of them (erasure requests).
//
// Codec is a Temporal converter.PayloadCodec that also implements
// converter.PayloadCodecWithSerializationContext: the SDK hands it the workflow ID of each
// payload, and the payload is sealed with AES-256-GCM under that workflow's data key. A
// payload encoded without a workflow (the SDK may call the codec without context, e.g. for a
// standalone activity) is sealed under the key GlobalKeyID, which is never shredded. Sealed
// payloads are self-describing: their metadata says "binary/encrypted" and names the key, and
// the original payload (data and all metadata) is inside the ciphertext, so Decode needs no
// context and restores the payload exactly. Payloads of any other encoding pass through
// Decode unchanged, so history written before the codec stays readable.
//
// Data keys are 32 random bytes, created on the first Encode for a workflow ID and stored in
// the history_keys table wrapped (AES-256-GCM) by a master key (the KEK) with the KEK's id
// beside them. Shred replaces a key by a tombstone: afterwards Encode for that workflow ID
// fails with ErrShredded (no new personal data goes into an erased customer's history) and so
// does Decode of its payloads.
//
// Keys are cached in memory (bounded, with a TTL, Options.CacheTTL, 5 minutes by default).
// Shred drops the keys from the cache of the Codec it is called on; other processes that hold
// the key may keep using it until their cache entry expires. Erasure therefore also
// terminates the customer's workflows, so that nothing keeps writing under a shredded key.
//
// DataConverter and FailureConverter give the client (and so its workers) the codec; the
// failure converter also seals error messages and stack traces, which may quote customer
// text. What Temporal keeps outside payloads is not sealed: workflow and activity IDs and
// type names, search attributes, failure types, timer and task-queue names. Keep personal
// data out of them.
//
// Encode may read or create a key in the database (once per workflow and process, then
// cached), also while the SDK processes a workflow task; Options.LookupTimeout bounds it.
//
// It is not redaction: payloads are encrypted whole, and what must not be stored at all is
// removed before it gets here (policy/pii does that). It is not encryption at rest for the
// database or for Temporal's own storage, and it does not manage the master key: the KEK
// comes from configuration (LoadMasterKey) and protecting it is the deployment's job.
package historycodec

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

const (
	// EncodingEncrypted is the metadata "encoding" of a payload sealed by Codec.
	EncodingEncrypted = "binary/encrypted"
	// MetadataKeyID is the metadata field naming the key a payload is sealed with: the
	// workflow ID, or GlobalKeyID.
	MetadataKeyID = "encryption-key-id"
	// GlobalKeyID is the key of payloads encoded without a workflow. It is never shredded.
	GlobalKeyID = "_global"
)

var (
	// ErrShredded is returned when a workflow's key was shredded: Encode refuses to write
	// new data for it and Decode cannot read its payloads any more.
	ErrShredded = errors.New("history key shredded")
	// ErrUnknownKey is returned by Decode for a payload whose key does not exist.
	ErrUnknownKey = errors.New("history key not found")
	// ErrMalformed is returned by Decode for an encrypted payload that is damaged, was
	// tampered with, or lacks its key id.
	ErrMalformed = errors.New("malformed encrypted payload")
)

// payloadAAD prefixes the additional authenticated data of a sealed payload; the key id
// follows, so a payload moved under another key id does not open.
const payloadAAD = "attache/historycodec/payload/v1\x00"

// Options tune a Codec. The zero value is usable.
type Options struct {
	// CacheTTL is how long a key (or a tombstone) stays in this process's cache. Default 5
	// minutes. After Shred elsewhere, this process may keep using a cached key this long.
	CacheTTL time.Duration
	// CacheSize bounds the number of cached keys. Default 10,000.
	CacheSize int
	// LookupTimeout bounds each database round trip of Encode and Decode, which the SDK
	// calls without a context. Default 10 seconds.
	LookupTimeout time.Duration
	// Logger receives key creation and shredding events (key ids only). Default: discard.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.CacheTTL <= 0 {
		o.CacheTTL = 5 * time.Minute
	}
	if o.CacheSize <= 0 {
		o.CacheSize = 10_000
	}
	if o.LookupTimeout <= 0 {
		o.LookupTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Codec seals Temporal payloads with per-workflow keys. Its methods are safe for concurrent
// use. Used directly (without WithSerializationContext) it encodes under GlobalKeyID.
type Codec struct {
	keys    *keystore
	timeout time.Duration
}

// New returns a Codec whose keys live in pool (the history_keys table must be migrated) and
// are wrapped by kek, a 32-byte master key (see LoadMasterKey).
func New(pool Pool, kek []byte, opts Options) (*Codec, error) {
	opts = opts.withDefaults()
	ks, err := newKeystore(pool, kek, opts)
	if err != nil {
		return nil, err
	}
	return &Codec{keys: ks, timeout: opts.LookupTimeout}, nil
}

// Encode seals payloads under GlobalKeyID.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return c.encode(GlobalKeyID, payloads)
}

// Decode opens payloads sealed by any Codec on the same key table, whatever their key; other
// payloads are returned as they are.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		d, err := c.decodeOne(p)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// WithSerializationContext returns a codec that seals payloads under the key of the context's
// workflow (for workflow and activity contexts that name one), else under GlobalKeyID.
func (c *Codec) WithSerializationContext(sc converter.SerializationContext) converter.PayloadCodec {
	var id string
	switch s := sc.(type) {
	case converter.WorkflowSerializationContext:
		id = s.WorkflowID
	case *converter.WorkflowSerializationContext:
		if s != nil {
			id = s.WorkflowID
		}
	case converter.ActivitySerializationContext:
		id = s.WorkflowID
	case *converter.ActivitySerializationContext:
		if s != nil {
			id = s.WorkflowID
		}
	}
	if id == "" || id == GlobalKeyID {
		return c
	}
	return &workflowCodec{c: c, keyID: id}
}

// Shred destroys the keys of workflowIDs, leaving tombstones: their payloads can no longer be
// decoded, and Encode refuses to create new keys for them. Shredding an ID that has no key
// yet leaves a tombstone too. It is idempotent. GlobalKeyID cannot be shredded.
func (c *Codec) Shred(ctx context.Context, workflowIDs ...string) error {
	for _, id := range workflowIDs {
		if id == "" || id == GlobalKeyID {
			return fmt.Errorf("shred history keys: %q is not a workflow's key", id)
		}
	}
	return c.keys.shred(ctx, workflowIDs)
}

// workflowCodec is a Codec bound to one workflow's key.
type workflowCodec struct {
	c     *Codec
	keyID string
}

func (w *workflowCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return w.c.encode(w.keyID, payloads)
}

func (w *workflowCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return w.c.Decode(payloads)
}

func (c *Codec) encode(keyID string, payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	var aead cipher.AEAD
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if isEncrypted(p) {
			out[i] = p // never seal twice
			continue
		}
		if aead == nil {
			ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
			k, err := c.keys.getOrCreate(ctx, keyID)
			cancel()
			if err != nil {
				return nil, fmt.Errorf("encode payload for %s: %w", keyID, err)
			}
			aead = k
		}
		sealed, err := seal(aead, keyID, p)
		if err != nil {
			return nil, fmt.Errorf("encode payload for %s: %w", keyID, err)
		}
		out[i] = sealed
	}
	return out, nil
}

func (c *Codec) decodeOne(p *commonpb.Payload) (*commonpb.Payload, error) {
	if !isEncrypted(p) {
		return p, nil
	}
	keyID := string(p.GetMetadata()[MetadataKeyID])
	if keyID == "" {
		return nil, fmt.Errorf("decode payload: %w: no key id", ErrMalformed)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	aead, err := c.keys.get(ctx, keyID)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("decode payload for %s: %w", keyID, err)
	}
	d, err := open(aead, keyID, p.GetData())
	if err != nil {
		return nil, fmt.Errorf("decode payload for %s: %w", keyID, err)
	}
	return d, nil
}

func isEncrypted(p *commonpb.Payload) bool {
	return string(p.GetMetadata()[converter.MetadataEncoding]) == EncodingEncrypted
}

// seal returns p, marshalled whole, as nonce || AES-GCM ciphertext in a new payload.
func seal(aead cipher.AEAD, keyID string, p *commonpb.Payload) (*commonpb.Payload, error) {
	plain, err := proto.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("marshal payload: %w", err)
	}
	ns := aead.NonceSize()
	buf := make([]byte, ns, ns+len(plain)+aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return &commonpb.Payload{
		Metadata: map[string][]byte{
			converter.MetadataEncoding: []byte(EncodingEncrypted),
			MetadataKeyID:              []byte(keyID),
		},
		Data: aead.Seal(buf, buf, plain, []byte(payloadAAD+keyID)),
	}, nil
}

// open reverses seal.
func open(aead cipher.AEAD, keyID string, data []byte) (*commonpb.Payload, error) {
	ns := aead.NonceSize()
	if len(data) < ns+aead.Overhead() {
		return nil, fmt.Errorf("%w: too short", ErrMalformed)
	}
	plain, err := aead.Open(nil, data[:ns], data[ns:], []byte(payloadAAD+keyID))
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed", ErrMalformed)
	}
	var p commonpb.Payload
	if err := proto.Unmarshal(plain, &p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return &p, nil
}

// newGCM returns AES-256-GCM with key.
func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// DataConverter returns Temporal's default data converter with c applied to every payload.
// Give it to both the client and the workers (client.Options.DataConverter).
func DataConverter(c *Codec) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// FailureConverter returns Temporal's default failure converter over DataConverter(c), with
// error messages and stack traces moved into the failure's encoded attributes, so that they
// are sealed too (an error message may quote customer text). Give it to the client with
// DataConverter (client.Options.FailureConverter). Failure details and attributes are sealed
// under the key of the workflow the failure belongs to.
func FailureConverter(c *Codec) converter.FailureConverter {
	return newFailureConverter(DataConverter(c))
}

// failureConverter is the default failure converter over the data converter of each
// serialization context: the SDK's own does not pass the context on to its data converter.
type failureConverter struct {
	dc converter.DataConverter
	converter.FailureConverter
}

func newFailureConverter(dc converter.DataConverter) *failureConverter {
	return &failureConverter{dc: dc, FailureConverter: temporal.NewDefaultFailureConverter(
		temporal.DefaultFailureConverterOptions{DataConverter: dc, EncodeCommonAttributes: true})}
}

func (f *failureConverter) WithSerializationContext(sc converter.SerializationContext) converter.FailureConverter {
	return newFailureConverter(converter.WithDataConverterSerializationContext(f.dc, sc))
}

// LoadMasterKey decodes the master key (KEK) from configuration: 32 bytes in standard or
// URL-safe base64, padded or not (e.g. the output of `openssl rand -base64 32`).
func LoadMasterKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("history master key: empty; want 32 random bytes in base64 (openssl rand -base64 32)")
	}
	var key []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return nil, errors.New("history master key: not valid base64; want 32 random bytes in base64 (openssl rand -base64 32)")
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("history master key: %d bytes after base64 decoding, want 32 (openssl rand -base64 32)", len(key))
	}
	return key, nil
}
