package historycodec

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/attache-dev/attache/internal/testutil/pgtest"
	"github.com/attache-dev/attache/internal/testutil/realpg"
	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	realpg.Stop()
	os.Exit(code)
}

// testKEK is the master key of the tests on the shared PGlite database: keys created by one
// test's codec must open in another's.
var testKEK = bytes.Repeat([]byte{0x42}, 32)

func newCodec(t testing.TB, opts Options) *Codec {
	t.Helper()
	c, err := New(pgtest.Pool(t), testKEK, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newWorkflowID() string { return "conversation/" + uuid.NewString() }

const secret = "card 4111 1111 1111 1111, mail jane.doe@example.com"

type message struct {
	Text  string
	Email string
}

func TestRoundTripThroughDataConverter(t *testing.T) {
	t.Parallel()
	wf := newWorkflowID()
	tests := []struct {
		name      string
		ctx       converter.SerializationContext // nil: no context
		wantKeyID string
	}{
		{"no context", nil, GlobalKeyID},
		{"workflow", converter.WorkflowSerializationContext{Namespace: "default", WorkflowID: wf}, wf},
		{"activity", converter.ActivitySerializationContext{Namespace: "default", WorkflowID: wf, ActivityType: "Reply"}, wf},
		{"standalone activity", converter.ActivitySerializationContext{Namespace: "default", ActivityType: "Reply"}, GlobalKeyID},
		{"nexus", converter.NexusSerializationContext{Service: "s", Operation: "o"}, GlobalKeyID},
	}
	writer := DataConverter(newCodec(t, Options{}))
	reader := DataConverter(newCodec(t, Options{})) // a fresh cache: the key comes from the database
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dc := writer
			if tt.ctx != nil {
				dc = converter.WithDataConverterSerializationContext(writer, tt.ctx)
			}
			in := message{Text: secret, Email: "jane.doe@example.com"}
			ps, err := dc.ToPayloads(in, "second "+secret)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps.Payloads {
				if got := string(p.Metadata[converter.MetadataEncoding]); got != EncodingEncrypted {
					t.Errorf("encoding = %q, want %q", got, EncodingEncrypted)
				}
				if got := string(p.Metadata[MetadataKeyID]); got != tt.wantKeyID {
					t.Errorf("key id = %q, want %q", got, tt.wantKeyID)
				}
				raw, _ := proto.Marshal(p)
				if bytes.Contains(raw, []byte("4111")) || bytes.Contains(raw, []byte("jane.doe")) {
					t.Errorf("encoded payload holds plaintext")
				}
			}
			var out message
			var second string
			if err := reader.FromPayloads(ps, &out, &second); err != nil {
				t.Fatal(err)
			}
			if out != in || second != "second "+secret {
				t.Errorf("decoded %+v, %q; want %+v, %q", out, second, in, "second "+secret)
			}
		})
	}
}

func TestDecodeRestoresMetadata(t *testing.T) {
	t.Parallel()
	c := newCodec(t, Options{})
	codec := c.WithSerializationContext(converter.WorkflowSerializationContext{WorkflowID: newWorkflowID()})
	orig := []*commonpb.Payload{
		{Metadata: map[string][]byte{"encoding": []byte("json/protobuf"), "messageType": []byte("attache.Turn")}, Data: []byte(`{"text":"` + secret + `"}`)},
		{Metadata: map[string][]byte{"encoding": []byte("binary/null")}},
		{Metadata: map[string][]byte{"encoding": []byte("binary/plain")}, Data: []byte{0, 1, 2, 255}},
	}
	enc, err := codec.Encode(orig)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := codec.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range orig {
		if !proto.Equal(dec[i], orig[i]) {
			t.Errorf("payload %d: decoded %v, want %v", i, dec[i], orig[i])
		}
	}
}

func TestEncodeDoesNotSealTwiceAndDecodePassesForeignPayloads(t *testing.T) {
	t.Parallel()
	c := newCodec(t, Options{})
	codec := c.WithSerializationContext(converter.WorkflowSerializationContext{WorkflowID: newWorkflowID()})
	once, err := codec.Encode([]*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"hi"`)}})
	if err != nil {
		t.Fatal(err)
	}
	twice, err := codec.Encode(once)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(once[0], twice[0]) {
		t.Errorf("an encrypted payload was encrypted again")
	}
	// History written before the codec was deployed: plain JSON, zlib, no metadata at all.
	foreign := []*commonpb.Payload{
		{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"before the codec"`)},
		{Metadata: map[string][]byte{"encoding": []byte("binary/zlib")}, Data: []byte{1, 2, 3}},
		{Data: []byte("no metadata")},
	}
	got, err := c.Decode(foreign)
	if err != nil {
		t.Fatal(err)
	}
	for i := range foreign {
		if !proto.Equal(got[i], foreign[i]) {
			t.Errorf("payload %d changed: %v, want %v", i, got[i], foreign[i])
		}
	}
}

func TestDecodeRefusesDamagedPayloads(t *testing.T) {
	t.Parallel()
	c := newCodec(t, Options{})
	wf, other := newWorkflowID(), newWorkflowID()
	sealed := func(id string) *commonpb.Payload {
		t.Helper()
		ps, err := c.WithSerializationContext(converter.WorkflowSerializationContext{WorkflowID: id}).
			Encode([]*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"` + secret + `"`)}})
		if err != nil {
			t.Fatal(err)
		}
		return ps[0]
	}
	_ = sealed(other)                                                             // so that other has a key: moving a payload under it must still fail
	if _, err := c.Encode([]*commonpb.Payload{{Data: []byte("x")}}); err != nil { // and the global key
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(p *commonpb.Payload)
		want   error
	}{
		{"flipped ciphertext bit", func(p *commonpb.Payload) { p.Data[len(p.Data)/2] ^= 1 }, ErrMalformed},
		{"flipped nonce bit", func(p *commonpb.Payload) { p.Data[0] ^= 1 }, ErrMalformed},
		{"truncated", func(p *commonpb.Payload) { p.Data = p.Data[:20] }, ErrMalformed},
		{"empty data", func(p *commonpb.Payload) { p.Data = nil }, ErrMalformed},
		{"moved to another workflow's key", func(p *commonpb.Payload) { p.Metadata[MetadataKeyID] = []byte(other) }, ErrMalformed},
		{"moved to the global key", func(p *commonpb.Payload) { p.Metadata[MetadataKeyID] = []byte(GlobalKeyID) }, ErrMalformed},
		{"no key id", func(p *commonpb.Payload) { delete(p.Metadata, MetadataKeyID) }, ErrMalformed},
		{"unknown key id", func(p *commonpb.Payload) { p.Metadata[MetadataKeyID] = []byte(newWorkflowID()) }, ErrUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sealed(wf)
			tt.change(p)
			got, err := c.Decode([]*commonpb.Payload{p})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %v, %v; want error %v", got, err, tt.want)
			}
			if strings.Contains(err.Error(), "4111") {
				t.Errorf("error reveals the payload: %v", err)
			}
		})
	}
}

func TestShred(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newCodec(t, Options{})
	erased, kept, neverUsed := newWorkflowID(), newWorkflowID(), newWorkflowID()
	enc := func(c *Codec, id string) ([]*commonpb.Payload, error) {
		return c.WithSerializationContext(converter.WorkflowSerializationContext{WorkflowID: id}).
			Encode([]*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"` + secret + `"`)}})
	}
	erasedPayloads, err := enc(c, erased)
	if err != nil {
		t.Fatal(err)
	}
	keptPayloads, err := enc(c, kept)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Shred(ctx, erased, neverUsed, erased); err != nil {
		t.Fatal(err)
	}
	if err := c.Shred(ctx, erased); err != nil {
		t.Fatalf("second Shred: %v", err)
	}
	fresh := newCodec(t, Options{})
	for name, codec := range map[string]*Codec{"same codec": c, "fresh codec": fresh} {
		if _, err := codec.Decode(erasedPayloads); !errors.Is(err, ErrShredded) {
			t.Errorf("%s: Decode of a shredded workflow's payload: %v, want ErrShredded", name, err)
		}
		for _, id := range []string{erased, neverUsed} {
			if _, err := enc(codec, id); !errors.Is(err, ErrShredded) {
				t.Errorf("%s: Encode for a shredded workflow: %v, want ErrShredded", name, err)
			}
		}
		if _, err := codec.Decode(keptPayloads); err != nil {
			t.Errorf("%s: another workflow's payload: %v", name, err)
		}
	}
	var shreddedAt *time.Time
	var wrapped []byte
	if err := pgtest.Pool(t).QueryRow(ctx, `SELECT wrapped_key, shredded_at FROM history_keys WHERE workflow_id = $1`, erased).
		Scan(&wrapped, &shreddedAt); err != nil {
		t.Fatal(err)
	}
	if wrapped != nil || shreddedAt == nil {
		t.Errorf("row after Shred: wrapped_key %x, shredded_at %v; want NULL and a time", wrapped, shreddedAt)
	}
	for _, id := range []string{GlobalKeyID, ""} {
		if err := c.Shred(ctx, id); err == nil {
			t.Errorf("Shred(%q) succeeded", id)
		}
	}
}

func TestOtherProcessesKeepAKeyUntilTheTTL(t *testing.T) {
	t.Parallel()
	ttl := time.Second
	other := newCodec(t, Options{CacheTTL: ttl})
	wf := newWorkflowID()
	codec := other.WithSerializationContext(converter.WorkflowSerializationContext{WorkflowID: wf})
	cachedAt := time.Now()
	ps, err := codec.Encode([]*commonpb.Payload{{Data: []byte("x")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := newCodec(t, Options{}).Shred(context.Background(), wf); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Decode(ps); err != nil && time.Since(cachedAt) < ttl {
		t.Fatalf("cached key gone before the TTL: %v", err)
	}
	time.Sleep(ttl + 50*time.Millisecond)
	if _, err := other.Decode(ps); !errors.Is(err, ErrShredded) {
		t.Fatalf("Decode after the TTL: %v, want ErrShredded", err)
	}
	if _, err := codec.Encode([]*commonpb.Payload{{Data: []byte("y")}}); !errors.Is(err, ErrShredded) {
		t.Fatalf("Encode after the TTL: %v, want ErrShredded", err)
	}
}

func TestWrongMasterKeyCannotDecode(t *testing.T) {
	t.Parallel()
	c := newCodec(t, Options{})
	ps, err := c.WithSerializationContext(converter.WorkflowSerializationContext{WorkflowID: newWorkflowID()}).
		Encode([]*commonpb.Payload{{Data: []byte(secret)}})
	if err != nil {
		t.Fatal(err)
	}
	otherKEK := make([]byte, 32)
	_, _ = rand.Read(otherKEK)
	wrong, err := New(pgtest.Pool(t), otherKEK, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := wrong.Decode(ps); err == nil {
		t.Fatalf("decoded with another master key: %q", got[0].GetData())
	}
}

func TestNewRefusesBadMasterKey(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := New(pgtest.Pool(t), make([]byte, n), Options{}); err == nil {
			t.Errorf("New accepted a %d-byte master key", n)
		}
	}
}

func TestLoadMasterKey(t *testing.T) {
	t.Parallel()
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i * 7)
	}
	tests := []struct {
		name    string
		in      string
		wantErr string // "" = success
	}{
		{"standard base64", base64.StdEncoding.EncodeToString(key), ""},
		{"with spaces and newline", "  " + base64.StdEncoding.EncodeToString(key) + "\n", ""},
		{"unpadded", base64.RawStdEncoding.EncodeToString(key), ""},
		{"url-safe", base64.URLEncoding.EncodeToString(key), ""},
		{"empty", "", "empty"},
		{"not base64", "not a key!", "not valid base64"},
		{"16 bytes", base64.StdEncoding.EncodeToString(key[:16]), "16 bytes"},
		{"hex instead of base64", strings.Repeat("ab", 32), "48 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadMasterKey(tt.in)
			if tt.wantErr == "" {
				if err != nil || !bytes.Equal(got, key) {
					t.Fatalf("LoadMasterKey = %x, %v; want %x", got, err, key)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("LoadMasterKey error = %v, want one saying %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), "32") {
				t.Errorf("error does not say what is wanted: %v", err)
			}
		})
	}
}

func TestCacheBoundAndTTL(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	c := newCache(2, time.Minute, func() time.Time { return now })
	gen := c.generation()
	c.put("a", entry{}, gen)
	c.put("b", entry{}, gen)
	c.get("a") // a is now the most recently used
	c.put("c", entry{}, gen)
	if _, ok := c.get("b"); ok {
		t.Error("least recently used entry kept beyond the bound")
	}
	if _, ok := c.get("a"); !ok {
		t.Error("recently used entry evicted")
	}
	if c.len() != 2 {
		t.Errorf("len = %d, want 2", c.len())
	}
	now = now.Add(time.Minute)
	if _, ok := c.get("a"); ok {
		t.Error("entry served after its TTL")
	}
	c.drop([]string{"c"})
	if _, ok := c.get("c"); ok {
		t.Error("dropped entry served")
	}
	c.put("d", entry{}, gen) // a load that began before the drop
	if _, ok := c.get("d"); ok {
		t.Error("stale load cached after a drop")
	}
}

func TestFailureConverterSealsMessages(t *testing.T) {
	t.Parallel()
	wf := newWorkflowID()
	fc := converter.WithFailureConverterSerializationContext(FailureConverter(newCodec(t, Options{})),
		converter.ActivitySerializationContext{WorkflowID: wf, ActivityType: "Deliver"})
	f := fc.ErrorToFailure(temporal.NewApplicationError("cannot deliver to "+secret, "Undeliverable", secret))
	raw, err := proto.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("4111")) || bytes.Contains(raw, []byte("jane.doe")) {
		t.Errorf("failure holds plaintext: %v", f)
	}
	if got := string(f.GetEncodedAttributes().GetMetadata()[MetadataKeyID]); got != wf {
		t.Errorf("message sealed under %q, want the workflow's key %q", got, wf)
	}
	back := FailureConverter(newCodec(t, Options{})).FailureToError(f)
	var appErr *temporal.ApplicationError
	if !errors.As(back, &appErr) || appErr.Message() != "cannot deliver to "+secret {
		t.Fatalf("decoded failure %v, want the original message", back)
	}
	var details string
	if err := appErr.Details(&details); err != nil || details != secret {
		t.Errorf("details %q, %v; want %q", details, err, secret)
	}
}
