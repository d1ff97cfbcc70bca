package segment

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

func TestZZExperiment(t *testing.T) {
	var b strings.Builder
	q := func(s string) string { return "$zz9$" + s + "$zz9$" }
	b.WriteString("\\pset footer off\n")
	cases := [][4]string{
		{"zh", "退货政策：30天内可以退货", "可以退货吗", "match"},
		{"zh", "发票抬头可以在订单页面修改", "可以退货吗", "control"},
		{"ja", "返品は商品到着後30日以内に可能です。", "返品できますか", "match"},
		{"ja", "配送には通常3日かかります。ご了承ください。", "返品できますか", "control"},
		{"th", "สามารถคืนสินค้าได้ภายใน 30 วัน", "คืนสินค้าได้ไหม", "match"},
		{"th", "ค่าจัดส่งฟรีเมื่อสั่งซื้อครบ 500 บาท", "คืนสินค้าได้ไหม", "control"},
		{"ko", "배송은 보통 3일 걸립니다", "배송 얼마나 걸려요", "match"},
		{"vi", "Đơn hàng của bạn đang được giao", "don hang cua toi o dau", "match"},
	}
	b.WriteString("SELECT * FROM (VALUES\n")
	for i, c := range cases {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "(%s, %s, %s, %s, to_tsvector('simple', %s) @@ plainto_tsquery('simple', %s), to_tsvector('simple', %s) @@ to_tsquery('simple', %s), to_tsvector('simple', %s) @@ to_tsquery('simple', %s), round(ts_rank(to_tsvector('simple', %s), to_tsquery('simple', %s))::numeric, 4))",
			q(c[0]), q(c[3]), q(c[1]), q(c[2]),
			q(c[1]), q(c[2]),
			q(c[1]), q(ForQuery(c[0], c[2])),
			q(ForIndex(c[0], c[1])), q(ForQuery(c[0], c[2])),
			q(ForIndex(c[0], c[1])), q(ForQuery(c[0], c[2])))
	}
	b.WriteString(") AS t(lang, kind, doc, question, raw_doc_plainto_raw_q, raw_doc_forquery, forindex_forquery, rank);\n")

	// Japanese: ranking with and without the Hiragana filter.
	ret, ship := "返品は商品到着後30日以内に可能です。", "配送には通常3日かかります。ご了承ください。ありがとうございます。"
	var all []string
	scan(strings.ToLower("返品できますか"), true, func(tm term) { all = append(all, "'"+tm.text+"'") })
	for _, qq := range []string{ForQuery("ja", "返品できますか"), strings.Join(all, " | ")} {
		fmt.Fprintf(&b, "SELECT %s AS query, round(ts_rank(to_tsvector('simple', %s), to_tsquery('simple', %s))::numeric,4) AS rank_returns_doc, round(ts_rank(to_tsvector('simple', %s), to_tsquery('simple', %s))::numeric,4) AS rank_shipping_doc;\n",
			q(qq), q(ForIndex("ja", ret)), q(qq), q(ForIndex("ja", ship)), q(qq))
	}

	// Safety: many hostile and real inputs through to_tsquery with both kinds of config.
	var inputs []string
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab退货ค้าé'\"\\|&!():*<->{}[]%_ .,;0123456789\u0301\u0e48ๆ🙂\t\n")
	for range 2000 {
		n := 1 + r.IntN(30)
		var s []rune
		for range n {
			s = append(s, alphabet[r.IntN(len(alphabet))])
		}
		inputs = append(inputs, string(s))
	}
	for _, lang := range []string{"en", "es", "de", "zh"} {
		var d struct{ Data []struct{ Paragraphs []struct{ Qas []struct{ Question string } } } }
		raw, err := os.ReadFile("../../../shared/evaldata/retrieval/xquad/xquad." + lang + ".json")
		if err != nil {
			t.Skip(err)
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		for _, a := range d.Data {
			for _, p := range a.Paragraphs {
				for _, qa := range p.Qas {
					inputs = append(inputs, qa.Question)
				}
			}
		}
	}
	b.WriteString("CREATE TEMP TABLE qs(lang text, q text);\n")
	nonEmpty := 0
	for i, in := range inputs {
		for _, lang := range []string{"en", "zh", "de", "th"} {
			fq := ForQuery(lang, in)
			if fq == "" {
				continue
			}
			nonEmpty++
			if i%200 == 0 || true {
				fmt.Fprintf(&b, "INSERT INTO qs VALUES (%s, %s);\n", q(FTSConfig(lang)), q(fq))
			}
		}
	}
	b.WriteString("SELECT count(*) AS queries, count(*) FILTER (WHERE to_tsquery(lang::regconfig, q) IS NOT NULL) AS parsed, count(*) FILTER (WHERE numnode(to_tsquery(lang::regconfig, q)) = 0) AS empty_after_stopwords FROM qs;\n")
	os.WriteFile("/tmp/pg15t/experiment.sql", []byte(b.String()), 0o644)
	t.Logf("inputs %d, non-empty queries %d", len(inputs), nonEmpty)
}
