package main

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestNLUAnalyzeReadsAMessageAsTheAgentDoes(t *testing.T) {
	c := staffAPI(t)
	type analysis struct {
		Language   string  `json:"language"`
		Intent     string  `json:"intent"`
		Confidence float64 `json:"confidence"`
		Slots      struct {
			OrderNumber string `json:"order_number"`
			Email       string `json:"email"`
			Amount      *struct {
				Amount   float64 `json:"amount"`
				Currency string  `json:"currency"`
			} `json:"amount"`
		} `json:"slots"`
	}
	for _, tc := range []struct {
		body           any
		lang, intent   string
		order, email   string
		amount         float64
		amountCurrency string
	}{
		{body: map[string]string{"text": "¿Dónde está mi pedido DE-10001?"}, lang: "es", intent: "track_order", order: "DE-10001"},
		{body: map[string]string{"text": "Ich möchte meine Bestellung 12345 stornieren, meine E-Mail ist lena.schmidt@example.com"},
			lang: "de", intent: "cancel_order", order: "12345", email: "lena.schmidt@example.com"},
		{body: map[string]string{"text": "I was charged €45.90 twice", "locale": "en-GB"}, lang: "en", amount: 45.9, amountCurrency: "EUR"},
		{body: map[string]string{"text": "ok", "locale": "ja-JP"}, lang: "ja"},
	} {
		code, _, b := c.do("POST", "/v1/nlu/analyze", tc.body)
		if code != http.StatusOK {
			t.Fatalf("%v: %d %s", tc.body, code, b)
		}
		var a analysis
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatal(err)
		}
		if a.Language != tc.lang || (tc.intent != "" && a.Intent != tc.intent) || a.Slots.OrderNumber != tc.order || a.Slots.Email != tc.email {
			t.Errorf("%v: %s", tc.body, b)
		}
		if tc.amountCurrency != "" && (a.Slots.Amount == nil || a.Slots.Amount.Amount != tc.amount || a.Slots.Amount.Currency != tc.amountCurrency) {
			t.Errorf("%v: amount in %s, want %.2f %s", tc.body, b, tc.amount, tc.amountCurrency)
		}
	}
	for _, bad := range []struct {
		body string
		want int
	}{
		{`{}`, http.StatusUnprocessableEntity},
		{`{"text": "  "}`, http.StatusUnprocessableEntity},
		{`{"text": "hi", "locale": "not a tag!"}`, http.StatusUnprocessableEntity},
		{`{"text": 3}`, http.StatusBadRequest},
		{`{"text": "hi", "mood": "happy"}`, http.StatusBadRequest},
	} {
		if code, _, b := c.do("POST", "/v1/nlu/analyze", bad.body); code != bad.want {
			t.Errorf("%s: %d %s, want %d", bad.body, code, b, bad.want)
		}
	}
}
