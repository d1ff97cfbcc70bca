package stream

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/attache-dev/attache/conversation"
)

// Message is the wire form of a stored message, shared by the REST API and the live stream
// so that a client can deduplicate what arrives both ways by ID.
type Message struct {
	ID             string    `json:"id"`
	Seq            int64     `json:"seq"`
	ConversationID string    `json:"conversation_id"`
	TurnID         string    `json:"turn_id"`
	Author         string    `json:"author"`
	Text           string    `json:"text"`
	Lang           string    `json:"lang,omitempty"`
	Intent         string    `json:"intent,omitempty"`
	AIGenerated    bool      `json:"ai_generated"`
	Handoff        bool      `json:"handoff,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// FromMessage converts a stored message to its wire form.
func FromMessage(m conversation.Message) Message {
	return Message{
		ID: m.ID, Seq: m.Seq, ConversationID: m.ConversationID, TurnID: m.TurnID,
		Author: string(m.Author), Text: m.Text, Lang: m.Lang, Intent: m.Intent,
		AIGenerated: m.AIGenerated, Handoff: m.Handoff, CreatedAt: m.CreatedAt.UTC(),
	}
}

// MessageEvent is the live event announcing a stored message.
func MessageEvent(m conversation.Message) Event {
	b, _ := json.Marshal(FromMessage(m)) // a struct of plain fields always encodes
	return Event{ConversationID: m.ConversationID, Type: TypeMessage, ID: strconv.FormatInt(m.Seq, 10), Data: b}
}

// TokenEvent is a streamed piece of the AI reply of a turn.
func TokenEvent(conversationID, turnID, delta string) Event {
	b, _ := json.Marshal(struct {
		TurnID string `json:"turn_id"`
		Delta  string `json:"delta"`
	}{turnID, delta})
	return Event{ConversationID: conversationID, Type: TypeToken, Data: b}
}

// Turn states of TurnEvent.
const (
	TurnStarted   = "started"
	TurnCompleted = "completed"
)

// TurnEvent tells that the AI started or finished working on a turn.
func TurnEvent(conversationID, turnID, state string) Event {
	b, _ := json.Marshal(struct {
		TurnID string `json:"turn_id"`
		State  string `json:"state"`
	}{turnID, state})
	return Event{ConversationID: conversationID, Type: TypeTurn, Data: b}
}
