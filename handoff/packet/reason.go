package packet

// Reason is why a conversation was handed to a human: one of a fixed taxonomy.
type Reason string

// The handoff reasons.
const (
	ReasonCustomerRequest   Reason = "customer_request"
	ReasonLowConfidence     Reason = "low_confidence"
	ReasonMissingKnowledge  Reason = "missing_knowledge"
	ReasonToolFailure       Reason = "tool_failure"
	ReasonPolicyLimit       Reason = "policy_limit"
	ReasonApprovalNeeded    Reason = "approval_needed"
	ReasonNegativeSentiment Reason = "negative_sentiment"
	ReasonComplaint         Reason = "complaint"
	ReasonRolloutStage      Reason = "rollout_stage"
	ReasonTabooBlock        Reason = "taboo_block"
	ReasonModelNoAnswer     Reason = "model_no_answer"
	ReasonOther             Reason = "other"
)

// ReasonInfo describes a Reason for the agent console.
type ReasonInfo struct {
	Code        Reason `json:"code"`
	Description string `json:"description"`
}

var reasons = []ReasonInfo{
	{ReasonCustomerRequest, "The customer asked to talk to a person."},
	{ReasonLowConfidence, "The AI was not confident enough in its understanding or its answer."},
	{ReasonMissingKnowledge, "The help content has no answer to the customer's question."},
	{ReasonToolFailure, "An order, logistics or payment system call failed."},
	{ReasonPolicyLimit, "The request exceeds what the AI may do on its own (amount, time window, policy)."},
	{ReasonApprovalNeeded, "A staff member must approve an action, such as a refund above the market's threshold."},
	{ReasonNegativeSentiment, "The customer has been upset in several recent messages."},
	{ReasonComplaint, "The customer filed a complaint or threatened to escalate."},
	{ReasonRolloutStage, "The rollout stage for this market and intent lets only humans resolve it."},
	{ReasonTabooBlock, "The AI's reply was blocked by the market's cultural-taboo screening."},
	{ReasonModelNoAnswer, "The model failed to answer (error, timeout or empty answer)."},
	{ReasonOther, "Another reason; see the detail."},
}

// Reasons returns every handoff reason with its description, in a stable order, for the
// console's filters and legends.
func Reasons() []ReasonInfo { return append([]ReasonInfo(nil), reasons...) }

// Valid reports whether r is one of the taxonomy's reasons.
func (r Reason) Valid() bool {
	for _, ri := range reasons {
		if ri.Code == r {
			return true
		}
	}
	return false
}

// Description is r's console description; "" for an unknown reason.
func (r Reason) Description() string {
	for _, ri := range reasons {
		if ri.Code == r {
			return ri.Description
		}
	}
	return ""
}
