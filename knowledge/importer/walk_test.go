package importer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/attache-dev/attache/knowledge"
)

func walk(t *testing.T, root string) collected {
	t.Helper()
	var c collected
	if err := Walk(context.Background(), root, c.emit, c.reject); err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return c
}

// keys lists emitted records as "external_id locale market".
func keys(c collected) []string {
	var out []string
	for _, r := range c.records {
		out = append(out, strings.TrimSpace(r.ExternalID+" "+r.Locale+" "+r.Market))
	}
	return out
}

func TestWalkTree(t *testing.T) {
	t.Parallel()
	root := filepath.Join("testdata", "walk")
	got := walk(t, root)

	// Skipped without a word: .DS_Store, .drafts/, LICENSE and README.md at the root,
	// Thumbs.db, returns.md~.
	want := []string{"returns es", "faq-2 en", "returns de"}
	if strings.Join(keys(got), ", ") != strings.Join(want, ", ") {
		t.Errorf("emitted %q, want %q", keys(got), want)
	}
	for _, r := range got.records {
		if err := checkRecord(r); err != nil {
			t.Errorf("invalid record %+v: %v", r, err)
		}
	}
	if r := got.records[2]; r.Title != "Rückgabe" || !reflectEqual(r.Tags, []string{"rückgabe"}) || r.Body != "Sie haben 30 Tage Zeit, einen Artikel zurückzusenden." {
		t.Errorf("returns.de.md = %+v", r)
	}
	wantRejects := []knowledge.RowError{
		{Source: filepath.Join(root, "faq.jsonl"), Line: 1, ExternalID: "returns",
			Reason: "duplicate of " + filepath.Join(root, "es", "returns.md") + ": same external_id, locale es and no market"},
		{Source: filepath.Join(root, "guides", "cod.md"), ExternalID: "guides/cod", Reason: "locale is required"},
		{Source: filepath.Join(root, "notes.txt"), Reason: "unsupported file type .txt (supported: .md, .markdown, .html, .htm, .csv, .jsonl, .ndjson)"},
	}
	if len(got.rejects) != len(wantRejects) {
		t.Fatalf("rejected:%s\nwant %d", describe(got), len(wantRejects))
	}
	for i, w := range wantRejects {
		if got.rejects[i] != w {
			t.Errorf("rejection %d:\n got %+v\nwant %+v", i, got.rejects[i], w)
		}
	}
}

func reflectEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

// TestWalkSamples: every sample file a README example uses imports cleanly.
func TestWalkSamples(t *testing.T) {
	t.Parallel()
	got := walk(t, filepath.Join("testdata", "samples"))
	want := []string{
		"cash-on-delivery id ID",
		"returns en", "returns es",
		"faq-delivery-time en", "faq-delivery-time de DE", "faq-delivery-time fr FR", "faq-vat de DE",
		"faq-delivery-time ja JP", "faq-delivery-time pt-BR BR", "faq-cod ar AE",
	}
	if len(got.rejects) > 0 {
		t.Errorf("rejected:%s", describe(got))
	}
	if strings.Join(keys(got), ", ") != strings.Join(want, ", ") {
		t.Errorf("emitted %q,\nwant %q", keys(got), want)
	}
	for _, r := range got.records {
		if err := checkRecord(r); err != nil {
			t.Errorf("invalid record %+v: %v", r, err)
		}
	}
}

func TestWalkFileSystemCases(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(rel, content string) { t.Helper(); writeFile(t, dir, rel, content) }
	write("en/a.md", "# A\nText.\n")
	write("en/docs/README.md", "# Read me\nOnly READMEs at the root are skipped.\n")
	write("data.JSONL", `{"external_id":"j","locale":"en","title":"J","body":"x"}`+"\n")
	write("noext", "text")
	if err := os.Symlink(filepath.Join(dir, "en", "a.md"), filepath.Join(dir, "link.md")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := os.Symlink(filepath.Join(dir, "en"), filepath.Join(dir, "linkdir")); err != nil {
		t.Fatal(err)
	}

	got := walk(t, dir)
	if want := []string{"j en", "a en", "docs/README en"}; strings.Join(keys(got), ", ") != strings.Join(want, ", ") {
		t.Errorf("emitted %q, want %q", keys(got), want)
	}
	wantRejects := []knowledge.RowError{
		{Source: filepath.Join(dir, "link.md"), Reason: "is a symbolic link; links are not followed"},
		{Source: filepath.Join(dir, "linkdir"), Reason: "is a symbolic link; links are not followed"},
		{Source: filepath.Join(dir, "noext"), Reason: "unsupported file type: no file extension (supported: .md, .markdown, .html, .htm, .csv, .jsonl, .ndjson)"},
	}
	if len(got.rejects) != len(wantRejects) {
		t.Fatalf("rejected:%s\nwant %d", describe(got), len(wantRejects))
	}
	for i, w := range wantRejects {
		if got.rejects[i] != w {
			t.Errorf("rejection %d:\n got %+v\nwant %+v", i, got.rejects[i], w)
		}
	}

	// The root may be a link to a directory; files are named under the link.
	link := filepath.Join(t.TempDir(), "kb")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	viaLink := walk(t, link)
	if strings.Join(keys(viaLink), ", ") != strings.Join(keys(got), ", ") || len(viaLink.rejects) != len(got.rejects) ||
		viaLink.rejects[0].Source != filepath.Join(link, "link.md") {
		t.Errorf("walk through a linked root: %s", describe(viaLink))
	}

	// The root may be a single file, or a link to one; its locale and ID come from its name.
	if err := os.Symlink(filepath.Join(dir, "en", "a.md"), filepath.Join(dir, "b.fr.md")); err != nil {
		t.Fatal(err)
	}
	one := walk(t, filepath.Join(dir, "b.fr.md"))
	if strings.Join(keys(one), ",") != "b fr" || len(one.rejects) != 0 {
		t.Errorf("single file: %s", describe(one))
	}

	if err := Walk(context.Background(), filepath.Join(dir, "missing"), (&collected{}).emit, (&collected{}).reject); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Walk of a missing root = %v, want ErrNotExist", err)
	}
}

func TestWalkStops(t *testing.T) {
	t.Parallel()
	root := filepath.Join("testdata", "samples")
	stop := errors.New("store is down")
	n := 0
	err := Walk(context.Background(), root, func(knowledge.Record) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	}, func(knowledge.RowError) {})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("Walk = %v after %d records, want %v after 2", err, n, stop)
	}
	if !strings.Contains(err.Error(), filepath.Join(root, "en", "returns.md")) {
		t.Errorf("error %q does not say where the import stopped", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	err = Walk(ctx, root, func(knowledge.Record) error {
		n++
		cancel()
		return nil
	}, func(knowledge.RowError) {})
	if !errors.Is(err, context.Canceled) || n != 1 {
		t.Errorf("Walk = %v after %d records, want context.Canceled after 1", err, n)
	}
}

func TestACapitalCountrySuffixNamesAMarketOverride(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) { t.Helper(); writeFile(t, dir, rel, content) }
	write("ar/returns.SA.md", "---\nlocale: ar\n---\n# الإرجاع\n\nنص.\n")
	write("en/returns.md", "# Returns\n\nText.\n")
	write("en/cod.AE.md", "---\nmarket: AE\n---\n# COD\n\nText.\n")
	write("en/cod.TH.md", "---\nmarket: AE\n---\n# COD\n\nText.\n")
	var got []knowledge.Record
	var rejected []knowledge.RowError
	err := Walk(context.Background(), dir, func(r knowledge.Record) error { got = append(got, r); return nil },
		func(e knowledge.RowError) { rejected = append(rejected, e) })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ar/returns/SA": "", "en/cod/AE": "", "en/returns/": ""}
	for _, r := range got {
		key := r.Locale + "/" + r.ExternalID + "/" + r.Market
		if _, ok := want[key]; !ok {
			t.Errorf("unexpected record %s", key)
		}
		delete(want, key)
	}
	if len(want) != 0 {
		t.Errorf("missing records %v", want)
	}
	if len(rejected) != 1 || !strings.Contains(rejected[0].Reason, "market AE but the file name says TH") {
		t.Errorf("rejections %+v, want the TH file whose front matter says AE", rejected)
	}
}

func TestWalkFSReadsAnEmbeddedTreeLikeADirectory(t *testing.T) {
	fsys := fstest.MapFS{
		"en/returns.md":    {Data: []byte("# Returns\n\nText.\n")},
		"en/returns.DE.md": {Data: []byte("# Returns\n\n## Window\n\n30 days.\n")},
		"es/returns.md":    {Data: []byte("# Devoluciones\n\nTexto.\n")},
		"es/copy.md":       {Data: []byte("---\nexternal_id: returns\n---\n# Devoluciones\n\nOtra vez.\n")},
		".hidden/x.md":     {Data: []byte("# X\n\nY.\n")},
		"en/notes.txt":     {Data: []byte("not content")},
	}
	var got []string
	var rejected []knowledge.RowError
	err := WalkFS(context.Background(), fsys, func(r knowledge.Record) error {
		got = append(got, r.Locale+"/"+r.ExternalID+"/"+r.Market)
		return nil
	}, func(e knowledge.RowError) { rejected = append(rejected, e) })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "en/returns/DE en/returns/ es/returns/" {
		t.Errorf("records %q", got)
	}
	// The duplicate of es/returns in another file and the unsupported file are rejected; the
	// hidden directory is skipped without a word.
	if len(rejected) != 2 || rejected[0].Source != "en/notes.txt" || rejected[1].Source != "es/returns.md" ||
		!strings.Contains(rejected[1].Reason, "es/copy.md") {
		t.Errorf("rejections %+v", rejected)
	}
}
