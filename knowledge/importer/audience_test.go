package importer

import (
	"slices"
	"strings"
	"testing"

	"github.com/attache-dev/attache/knowledge"
)

// TestChannelsAndAudienceInEveryFormat: every format can say which channels a variant is for
// and whether it is internal guidance for agents; bad values reject the row with a reason.
func TestChannelsAndAudienceInEveryFormat(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format Format
		input  string
	}{
		{"csv", "csv", "external_id,locale,title,body,channels,audience\ncod-script,en,COD script,Say this.,WhatsApp|web,agents\n"},
		{"jsonl", "jsonl", `{"external_id":"cod-script","locale":"en","title":"COD script","body":"Say this.","channels":["whatsapp","WEB"],"audience":"internal"}` + "\n"},
		{"markdown", "markdown", "---\nexternal_id: cod-script\nlocale: en\nchannels: [whatsapp, web]\naudience: agent\n---\n# COD script\n\nSay this.\n"},
		{"html", "html", `<html><head><meta name="attache:external_id" content="cod-script"><meta name="attache:locale" content="en">` +
			`<meta name="attache:channels" content="whatsapp, web"><meta name="attache:audience" content="agents"><title>COD script</title></head><body><p>Say this.</p></body></html>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := readString(t, tc.format, "kb."+string(tc.format), tc.input)
			if len(got.records) != 1 || len(got.rejects) != 0 {
				t.Fatalf("%s", describe(got))
			}
			r := got.records[0]
			if !slices.Equal(r.Channels, []string{"whatsapp", "web"}) && !slices.Equal(r.Channels, []string{"web", "whatsapp"}) {
				t.Errorf("channels %q", r.Channels)
			}
			if r.Audience != knowledge.AudienceAgents {
				t.Errorf("audience %q, want agents", r.Audience)
			}
		})
	}
	for _, bad := range []struct{ input, reason string }{
		{"external_id,locale,title,body,audience\na,en,T,B,everyone\n", "audience"},
		{"external_id,locale,title,body,channels\na,en,T,B,web chat\n", "channel"},
	} {
		got := readString(t, "csv", "kb.csv", bad.input)
		if len(got.records) != 0 || len(got.rejects) != 1 || !strings.Contains(got.rejects[0].Reason, bad.reason) {
			t.Errorf("%q: %s, want a rejection naming %s", bad.input, describe(got), bad.reason)
		}
	}
}
