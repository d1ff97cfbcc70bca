// Package privacy carries out customers' data-protection rights and Attaché's own storage
// limits: exporting everything the service holds about a customer (GDPR art. 15 and 20,
// CCPA "right to know"), erasing it (GDPR art. 17, CCPA "right to delete"), recording the
// customer's consents, and deleting conversations once their market's retention period is
// over, on a Temporal schedule.
//
// A data subject ([Subject]) is found by the identity a verified token recorded on a
// conversation (e-mail, phone, the shop's customer ID) and by conversation IDs that staff
// looked up. Erasure terminates the conversations' workflows, destroys the keys that encrypt
// their Temporal histories (crypto-shredding, through an injected [Shredder]) and deletes
// every row about the customer in one transaction. Each export or erasure is recorded as a
// request with a due date ([ResponseDeadline]) and counts per table; the record names the
// customer only by keyed HMAC digests, so it survives the erasure without being a trace.
//
// It is not for:
//   - the shop's own records (the commerce_* tables of the demo shop, or a real shop's order
//     system): the shop answers for those, and an erasure here leaves them alone;
//   - the audit log, which by its contract holds no personal data and cannot be changed;
//   - deciding whether a request is legitimate: the caller (staff, through the API or CLI)
//     has verified the customer's identity before asking;
//   - legal advice: the retention periods in retention.json are defaults that a shop must
//     confirm with its counsel for each market it sells into.
package privacy
