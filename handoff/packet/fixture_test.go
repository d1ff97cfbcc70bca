package packet

import (
	"encoding/json"
	"fmt"
	"time"
)

var t0 = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// arabicRefund is a customer in Saudi Arabia asking, in Arabic, for a refund of a
// broken screen above the market's refund limit: the AI looked the order up, the
// customer confirmed, and the refund waits for a staff approval.
func arabicRefund() Input {
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	return Input{
		Conversation: Conversation{
			ID: "conv-sa-0001", Market: "SA", Locale: "ar-SA", Channel: "whatsapp",
			Claims: []Claim{
				{Kind: ClaimName, Value: "نورة", Source: "chat"},
				{Kind: ClaimPhone, Value: "+966501234567", Verified: true, Source: "whatsapp"},
				{Kind: ClaimEmail, Value: "noura@example.com", Verified: true, Source: "order_lookup"},
			},
		},
		Messages: []Message{
			{Author: AuthorAI, Lang: "ar", CreatedAt: at(0), Text: "مرحبًا، أنا المساعد الآلي للمتجر. كيف يمكنني مساعدتك؟"},
			{Author: AuthorCustomer, Lang: "ar", CreatedAt: at(1), Intent: "refund_request",
				Text: "السلام عليكم، وصلني الطلب رقم 784512 والشاشة مكسورة. أريد استرداد المبلغ كاملاً"},
			{Author: AuthorAI, Lang: "ar", CreatedAt: at(2),
				Text: "نأسف لذلك. وجدت الطلب 784512 بقيمة 1450.00 ريال. هل تؤكد طلب استرداد المبلغ كاملاً؟"},
			{Author: AuthorCustomer, Lang: "ar", CreatedAt: at(3), Intent: "confirm", Text: "نعم أؤكد"},
			{Author: AuthorAI, Lang: "ar", CreatedAt: at(4),
				Text: "المبلغ أعلى من الحد الذي يمكنني اعتماده، سيراجعه أحد الموظفين ويرد عليك."},
			{Author: AuthorCustomer, Lang: "ar", CreatedAt: at(9), Text: "هذا سيء جدًا، أنتظر منذ أسبوعين 😡"},
			{Author: AuthorCustomer, Lang: "en", CreatedAt: at(10), Text: "ok thanks"},
		},
		ToolCalls: []ToolCall{
			{Name: "lookup_order", Args: json.RawMessage(`{"order_id":"784512"}`), Outcome: OutcomeOK,
				Result: json.RawMessage(`{"status":"delivered","total_minor":145000,"currency":"SAR"}`),
				Key:    "conversation/conv-sa-0001/turn-2/0", At: at(2)},
			{Name: "create_refund", Args: json.RawMessage(`{"order_id":"784512","amount_minor":145000,"currency":"SAR"}`),
				Outcome: OutcomePending, Key: "conversation/conv-sa-0001/turn-4/0", At: at(4)},
		},
		Approvals: []Approval{{
			Key: "conversation/conv-sa-0001/turn-4/0", Tool: "create_refund",
			Amount: Money{Minor: 145000, Currency: "SAR"}, OrderID: "784512", RequestedAt: at(4),
		}},
		Disclosure:   Disclosure{Disclosed: true, At: at(0)},
		Reason:       ReasonApprovalNeeded,
		ReasonDetail: "refund 1450.00 SAR above the 500.00 SAR limit",
		Orders:       []Order{{ID: "784512", Status: "delivered", Total: Money{Minor: 145000, Currency: "SAR"}, PlacedAt: t0.AddDate(0, 0, -20)}},
		At:           at(10),
	}
}

// longConversation is an n-message conversation in Spanish with a few tool calls, for
// the benchmark.
func longConversation(n int) Input {
	in := Input{
		Conversation: Conversation{ID: "conv-mx-bench", Market: "MX", Locale: "es-MX", Channel: "web",
			Claims: []Claim{{Kind: ClaimEmail, Value: "cliente@example.com", Verified: true, Source: "login"}}},
		Reason: ReasonToolFailure,
		At:     t0,
	}
	for i := range n {
		m := Message{Author: AuthorAI, Lang: "es", CreatedAt: t0.Add(time.Duration(i) * time.Minute),
			Text: fmt.Sprintf("Revisé el pedido MX-%06d: está en camino y llega el jueves.", 100000+i)}
		if i%2 == 0 {
			m.Author = AuthorCustomer
			m.Text = fmt.Sprintf("Hola, mi pedido MX-%06d todavía no llega y ya pasaron diez días, ¿qué pasa?", 100000+i)
			if i%6 == 0 {
				m.Text += " Es una vergüenza."
				m.Intent = "order_status"
			}
		}
		in.Messages = append(in.Messages, m)
	}
	for i := range 6 {
		in.ToolCalls = append(in.ToolCalls, ToolCall{
			Name: "lookup_order", Args: json.RawMessage(fmt.Sprintf(`{"order_id":"MX-%06d"}`, 100000+i)),
			Outcome: OutcomeOK, Key: fmt.Sprintf("conversation/conv-mx-bench/turn-%d/0", i),
			Result: json.RawMessage(`{"status":"shipped"}`),
		})
		in.Orders = append(in.Orders, Order{ID: fmt.Sprintf("MX-%06d", 100000+i), Status: "shipped", Total: Money{Minor: 59900, Currency: "MXN"}})
	}
	in.ToolCalls = append(in.ToolCalls, ToolCall{Name: "track_parcel", Outcome: OutcomeFailed, Error: "carrier timeout", Key: "conversation/conv-mx-bench/turn-9/0"})
	return in
}
