package tau2

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/attache-dev/attache/agents/model"
)

// The markers a simulated customer ends the conversation with, as τ²'s user simulator does.
const (
	MarkerStop       = "###STOP###"         // the customer is done
	MarkerTransfer   = "###TRANSFER###"     // the customer was transferred to a person
	MarkerOutOfScope = "###OUT-OF-SCOPE###" // the scenario does not say what to answer
)

// Greeting is the agent's first message as the simulated customer hears it, before the
// customer's first message: τ²'s conversations open the same way.
const Greeting = "Hi! How can I help you today?"

// simulatorGuide is the simulated customer's role. It follows the rules of τ²-bench's user
// simulator in its own words.
const simulatorGuide = `You are playing a customer who contacts an online shop's customer service chat. You are not an assistant: you write the customer's messages, and the other side of this conversation is the shop's agent.

Rules:
- Write one message at a time, as the customer would type it: short and natural.
- Follow the scenario below. Give information only when the agent needs it, a piece at a time; do not recite the whole scenario at once.
- Never make up information the scenario does not give (no order numbers, e-mail addresses, item IDs or addresses of your own invention). If you are asked for something you do not know, say that you do not know or do not remember.
- Stay in character and in the scenario's persona; do not say that you are an AI or that this is a test.
- When the agent asks you to confirm an action, answer as the scenario says you would.
- When everything in the scenario is done (or cannot be done, and the scenario says what to do then), end the conversation: write ` + MarkerStop + ` as your whole message.
- If you are transferred to a human agent, write ` + MarkerTransfer + ` as your whole message.
- If the scenario does not say how to answer something the conversation needs, write ` + MarkerOutOfScope + ` as your whole message.`

// scenario is a task's customer instructions, already under the attempt's names.
type scenario struct {
	Reason, Known, Unknown, Instructions string
}

func (s scenario) prompt() string {
	var b strings.Builder
	b.WriteString(simulatorGuide)
	b.WriteString("\n\nScenario:\n")
	field := func(name, v string) {
		if v = strings.TrimSpace(v); v != "" && v != "." {
			fmt.Fprintf(&b, "%s: %s\n", name, v)
		}
	}
	field("Why you are writing", s.Reason)
	field("What you know", s.Known)
	field("What you do not know", s.Unknown)
	field("How you behave", s.Instructions)
	return b.String()
}

// customer is a model playing the customer: the agent's messages are its user turns, its
// own messages the assistant turns.
type customer struct {
	m      model.Model
	system string
	msgs   []model.Message
}

func newCustomer(m model.Model, sc scenario) *customer {
	return &customer{m: m, system: sc.prompt(), msgs: []model.Message{{Role: model.RoleUser, Text: Greeting}}}
}

// next is the customer's next message, and whether it ends the conversation (then it holds
// the marker).
func (c *customer) next(ctx context.Context) (string, bool, error) {
	req := model.Request{Messages: append([]model.Message{{Role: model.RoleSystem, Text: c.system}}, c.msgs...), Temperature: 0}
	res, err := c.m.Generate(ctx, req)
	if err != nil {
		return "", false, fmt.Errorf("simulated customer: %w", err)
	}
	text := strings.TrimSpace(res.Text)
	if text == "" {
		return "", false, errors.New("simulated customer: the model wrote nothing")
	}
	c.msgs = append(c.msgs, model.Message{Role: model.RoleAssistant, Text: text})
	for _, m := range []string{MarkerStop, MarkerTransfer, MarkerOutOfScope} {
		if strings.Contains(text, m) {
			return m, true, nil
		}
	}
	return text, false, nil
}

// hear gives the customer the agent's replies to its last message.
func (c *customer) hear(replies []string) {
	text := strings.TrimSpace(strings.Join(replies, "\n\n"))
	if text == "" {
		text = "(no reply)"
	}
	c.msgs = append(c.msgs, model.Message{Role: model.RoleUser, Text: text})
}
