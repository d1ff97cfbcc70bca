package segment_test

import (
	"fmt"

	"github.com/attache-dev/attache/knowledge/segment"
)

func ExampleForIndex() {
	fmt.Println(segment.ForIndex("zh", "退货政策：30天内可以退货"))
	fmt.Println(segment.ForIndex("th", "คืนสินค้าได้ภายใน 30 วัน"))
	fmt.Println(segment.ForIndex("vi", "Đơn hàng"))
	fmt.Println(segment.ForIndex("en", "Returns are free")) // Postgres stems English itself
	// Output:
	// 退货 货政 政策 30 天内 内可 可以 以退 退货
	// คืน นสิ สิน นค้ ค้า าไ ได้ ด้ภ ภา าย ยใ ใน 30 วัน
	// đơn don hàng hang
	// Returns are free
}

func ExampleForQuery() {
	fmt.Println(segment.ForQuery("zh", "可以退货吗？"))
	fmt.Println(segment.ForQuery("ja", "返品できますか"))
	fmt.Println(segment.ForQuery("en", "Where's order #W2378156?"))
	fmt.Printf("%q\n", segment.ForQuery("en", "?!"))
	// Output:
	// '可以' | '以退' | '退货' | '货吗'
	// '返品' | '品で'
	// 'where' | 's' | 'order' | 'w2378156'
	// ""
}

func ExampleSentences() {
	for _, s := range segment.Sentences("de", "Bitte senden Sie z. B. Schuhe bis zum 3. Mai zurück. Danke!") {
		fmt.Println(s)
	}
	for _, s := range segment.Sentences("zh", "30天内可以退货。运费由买家承担！") {
		fmt.Println(s)
	}
	// Output:
	// Bitte senden Sie z. B. Schuhe bis zum 3. Mai zurück.
	// Danke!
	// 30天内可以退货。
	// 运费由买家承担！
}

func ExampleFTSConfig() {
	fmt.Println(segment.FTSConfig("pt-BR"), segment.FTSConfig("ja-JP"))
	// Output: portuguese simple
}
