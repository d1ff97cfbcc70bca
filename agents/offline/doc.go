// Package offline is Attaché's offline engine: it answers customer messages with no model,
// no network and no randomness. It serves the embedded default (no LLM configured), the
// "standard scenario" rollout stage, and the test suites, which need an agent whose every
// answer can be asserted.
//
// For each message it
//   - detects the language (i18n.Detect: writing system, short-message lexicon, lingua-go
//     for Latin script, the customer's locale hint when the text does not say);
//   - recognises the intent among the 35 of Intents(), or unknown — by nearest neighbours
//     among about 2,750 exemplars written for eleven languages (exemplars/*.json, embedded
//     with the hashing embedder), combined with keyword rules in every supported language
//     (rules.go);
//   - extracts slots: order numbers ("#W2378156", "pedido 4567", "注文番号 123456", not
//     phone numbers, dates or amounts), e-mail addresses, amounts with their currency, EU
//     VAT numbers, postal codes and names;
//   - composes the reply from the i18n catalog in the customer's language, with the AI
//     disclosure before the first AI message, and decides whether to hand off to a human
//     and why (customer_request, low_confidence, needs_tool, complaint).
//
// Every intent has a reply (Respond; the catalog key in brackets). Callers with tools
// (agents.OfflineResponder) continue some of them as scenarios, noted after the arrow.
//
//   - greeting: the greeting with the AI disclosure [greeting], or [greeting_again].
//   - goodbye: [goodbye].
//   - thanks: [thanks_reply].
//   - track_order: asks for the order number [ask_order_number]; with one, hands off,
//     needs_tool [order_handoff] → order status and parcels (track_order tool).
//   - cancel_order: hands off, needs_tool [cancel_handoff] → identity, preview,
//     confirmation, cancel_pending_order.
//   - get_refund: hands off, needs_tool [refund_info_handoff] → as return_item.
//   - contact_human_agent: hands off, customer_request [handoff].
//   - delivery_period: where delivery estimates are [shipping_time_info]; the knowledge
//     base answers first when it is sure.
//   - payment_issue: hands off, needs_tool [payment_issue_handoff].
//   - complaint: hands off, complaint [complaint_handoff].
//   - confirm: with nothing pending, "all right, what else?" [acknowledged] → answers the
//     pending confirmation.
//   - deny: as confirm [acknowledged] → declines the pending action.
//   - change_order: hands off, needs_tool [change_order_handoff].
//   - place_order: how to order [place_order_info].
//   - track_refund: where refunds go, asks for the order number [refund_status_info]; with
//     one, hands off, needs_tool [order_handoff] → identity, then the refunds of the order
//     (get_order_details).
//   - check_refund_policy: when and how refunds are paid [refund_policy_info].
//   - return_item: hands off, needs_tool [return_handoff] → identity, preview,
//     confirmation, return_delivered_order_items.
//   - check_cancellation_fee: cancelling before shipping is free [cancellation_fee_info].
//   - check_payment_methods: the methods are shown at checkout [payment_methods_info].
//   - cod_question: depends on country and carrier [cod_general] → cod_info for the
//     country named or the conversation's market.
//   - vat_question: EU VAT and the €150 rule [vat_general] → vat_info for the country
//     named or the conversation's market, with the amount and VAT number given.
//   - delivery_options: carriers and options are shown at checkout [delivery_options_info].
//   - change_shipping_address: hands off, needs_tool [address_change_handoff] → identity,
//     the new address in one message, a read-back to confirm, modify_pending_order_address.
//   - set_up_shipping_address: addresses are saved in the account [address_setup_info].
//   - contact_customer_service: hands off, customer_request [handoff].
//   - create_account: how to sign up [account_create_info].
//   - delete_account: hands off, needs_tool [account_handoff].
//   - edit_account: details are changed in the account settings [account_settings_info].
//   - recover_password: how to reset it [password_info].
//   - registration_problems: hands off, needs_tool [account_handoff].
//   - switch_account: as edit_account [account_settings_info].
//   - newsletter_subscription: how to subscribe and unsubscribe [newsletter_info].
//   - check_invoice: where invoices are [invoice_info].
//   - get_invoice: as check_invoice [invoice_info].
//   - review: thanks for the feedback [review_thanks].
//   - unknown: hands off, low_confidence [fallback_handoff]; the knowledge base answers
//     first when it is sure.
//
// Informational replies (the catalog's general answers) give way to a knowledge-base
// passage when the caller's retrieval is sure of one.
//
// It does not look up orders, move money or retrieve knowledge-base articles itself: the
// caller does, with the tools and the knowledge base. It keeps no conversation state; the
// caller passes what the previous turn asked for (Input.PendingIntent). It does not
// translate.
//
// Measured on this project's data (go test -v -run Accuracy ./agents/offline/): see
// TestHeldOutAccuracy and TestBitextAccuracy for the figures and how they are computed.
package offline
