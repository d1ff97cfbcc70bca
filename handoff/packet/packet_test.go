package packet

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestBuildArabicRefund(t *testing.T) {
	t.Parallel()
	in := arabicRefund()
	p := Build(in)

	if p.Reason != ReasonApprovalNeeded || p.ReasonText == "" || p.ReasonDetail != in.ReasonDetail {
		t.Errorf("reason = %q %q %q", p.Reason, p.ReasonText, p.ReasonDetail)
	}
	if p.Language != "ar" || p.Direction != "rtl" {
		t.Errorf("language %q direction %q, want ar rtl", p.Language, p.Direction)
	}
	if p.Customer.Email != "noura@example.com" || p.Customer.Phone != "+966501234567" || !p.Customer.Verified || len(p.Customer.Claims) != 3 {
		t.Errorf("customer = %+v", p.Customer)
	}

	// The facts an agent acts on.
	if len(p.Facts.PendingApprovals) != 1 {
		t.Fatalf("pending approvals = %+v", p.Facts.PendingApprovals)
	}
	a := p.Facts.PendingApprovals[0]
	if a.Amount != "1450.00 SAR" || a.AmountMinor != 145000 || a.Key != "conversation/conv-sa-0001/turn-4/0" || a.OrderID != "784512" {
		t.Errorf("approval = %+v", a)
	}
	if len(p.Facts.ToolCalls) != 2 || p.Facts.ToolCalls[1].Key != in.ToolCalls[1].Key {
		t.Errorf("tool calls = %+v", p.Facts.ToolCalls)
	}
	if len(p.Facts.Orders) != 1 || p.Facts.Orders[0].Total != "1450.00 SAR" {
		t.Errorf("orders = %+v", p.Facts.Orders)
	}
	if !p.Facts.Disclosure.Disclosed || !p.Facts.Disclosure.At.Equal(in.Disclosure.At) {
		t.Errorf("disclosure = %+v", p.Facts.Disclosure)
	}

	// The summary, in Arabic, says what the customer wants, what is pending and what to do.
	s := p.Summary
	if s.Lang != "ar" {
		t.Errorf("summary language %q, want ar", s.Lang)
	}
	for _, want := range []string{
		"يريد العميل: (refund_request) السلام عليكم، وصلني الطلب رقم 784512", // the customer's own words
		"(confirm) نعم أؤكد",
		"تم الاستعلام عن الطلب 784512 (delivered), 1450.00 SAR",
		"lookup_order: نجح",
		"قيد الانتظار: موافقة الموظف على create_refund بمبلغ 1450.00 SAR، الطلب 784512",
		"الخطوة التالية: وافق على create_refund المعلّق بمبلغ 1450.00 SAR أو ارفضه",
	} {
		if !strings.Contains(s.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, s.Text)
		}
	}
	if strings.Contains(s.Text, "create_refund: ") {
		t.Errorf("the refund waiting for approval is listed twice:\n%s", s.Text)
	}

	if p.Sentiment.CustomerMessages != 4 || p.Sentiment.NegativeMessages != 1 || p.Sentiment.Repeated {
		t.Errorf("sentiment = %+v", p.Sentiment)
	}
	if p.Sentiment.LastNegative == nil || p.Sentiment.LastNegative.Index != 5 {
		t.Errorf("last negative = %+v, want message 5", p.Sentiment.LastNegative)
	}
	if len(p.Transcript) != len(in.Messages) || p.Transcript[1].Text != in.Messages[1].Text || p.Transcript[1].Intent != "refund_request" {
		t.Errorf("transcript does not keep the original messages")
	}

	// The packet is the console's JSON document, and Build is deterministic.
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var back Packet
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if !reflect.DeepEqual(Build(arabicRefund()), p) {
		t.Error("Build is not deterministic")
	}
	if back.Summary.Text != p.Summary.Text || back.Facts.PendingApprovals[0].Key != a.Key {
		t.Error("the packet does not survive a JSON round trip")
	}
}

func TestBuildNextStep(t *testing.T) {
	t.Parallel()
	base := func() Input {
		return Input{
			Conversation: Conversation{ID: "c", Locale: "es-MX"},
			Messages:     []Message{{Author: AuthorCustomer, Lang: "es", Text: "¿Dónde está mi pedido MX-100200?", Intent: "order_status"}},
		}
	}
	tests := []struct {
		name   string
		change func(*Input)
		want   string
	}{
		{"tool failure", func(in *Input) {
			in.Reason = ReasonToolFailure
			in.ToolCalls = []ToolCall{{Name: "track_parcel", Outcome: OutcomeFailed, Key: "k1"}}
		}, "Siguiente paso: Averigua por qué falló track_parcel y complétalo a mano."},
		{"customer asked for a person", func(in *Input) { in.Reason = ReasonCustomerRequest },
			"Siguiente paso: El cliente pidió hablar con una persona"},
		{"complaint", func(in *Input) { in.Reason = ReasonComplaint }, "Siguiente paso: El cliente está molesto"},
		{"unknown reason", func(in *Input) { in.Reason = "made_up" }, "Siguiente paso: Lee la solicitud y responde al cliente."},
		{"language without templates falls back to English", func(in *Input) {
			in.Messages[0].Lang, in.Messages[0].Text = "ko", "제 주문 MX-100200 어디 있나요?"
		}, "Customer wants: (order_status) 제 주문 MX-100200 어디 있나요?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := base()
			tt.change(&in)
			p := Build(in)
			if !strings.Contains(p.Summary.Text, tt.want) {
				t.Errorf("summary lacks %q:\n%s", tt.want, p.Summary.Text)
			}
			if !p.Reason.Valid() {
				t.Errorf("reason %q is not in the taxonomy", p.Reason)
			}
		})
	}
}

func TestReasons(t *testing.T) {
	t.Parallel()
	want := []Reason{"customer_request", "low_confidence", "missing_knowledge", "tool_failure", "policy_limit",
		"approval_needed", "negative_sentiment", "complaint", "rollout_stage", "taboo_block", "model_no_answer", "other"}
	var got []Reason
	for _, r := range Reasons() {
		got = append(got, r.Code)
		if !r.Code.Valid() || r.Description == "" || r.Code.Description() != r.Description {
			t.Errorf("reason %+v", r)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("Reasons() = %v, want %v", got, want)
	}
	if Reason("angry").Valid() {
		t.Error("an unknown reason is valid")
	}
}

func TestSummaryTemplates(t *testing.T) {
	t.Parallel()
	want := []string{"ar", "de", "en", "es", "fr", "id", "ja", "pt", "th", "vi", "zh"}
	if got := SummaryLanguages(); !slices.Equal(got, want) {
		t.Errorf("SummaryLanguages() = %v, want the product's %v", got, want)
	}
	broken := strings.Replace(string(summaryJSON), `"next_tool_failure": "Find out why {tool} failed`, `"next_tool_failure": "Find out why {tol} failed`, 1)
	if broken == string(summaryJSON) {
		t.Fatal("test setup: replacement did not apply")
	}
	if _, err := parseTemplates([]byte(broken)); err == nil {
		t.Error("a template with a misspelt placeholder was accepted")
	}
}

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		m    Money
		want string
	}{
		{Money{145000, "SAR"}, "1450.00 SAR"},
		{Money{1999, "eur"}, "19.99 EUR"},
		{Money{3500, "JPY"}, "3500 JPY"},
		{Money{12345, "KWD"}, "12.345 KWD"},
		{Money{-500, "USD"}, "-5.00 USD"},
		{Money{}, ""},
	} {
		if got := FormatMoney(c.m); got != c.want {
			t.Errorf("FormatMoney(%+v) = %q, want %q", c.m, got, c.want)
		}
	}
}
