package orders

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/attache-dev/attache/tools"
)

type calcArgs struct {
	Expression string `json:"expression" desc:"arithmetic with numbers, + - * / and parentheses, e.g. (49.99 - 5) * 2"`
}

// calculate does arithmetic exactly as written, so that a model need not do sums itself.
type calculate struct{}

func (calculate) Spec() tools.Spec {
	return tools.Spec{Name: "calculate", Effect: tools.Read, Parameters: tools.Schema[calcArgs](),
		Description: "Calculate an arithmetic expression (numbers, + - * /, parentheses); the result is rounded to 2 decimals."}
}

func (calculate) Run(_ context.Context, inv tools.Invocation) (tools.Result, error) {
	a, err := tools.Decode[calcArgs](inv.Call.Args)
	if err != nil {
		return invalid(err), nil
	}
	v, err := evaluate(a.Expression)
	if err != nil {
		return invalid(fmt.Errorf("expression: %w", err)), nil
	}
	return ok(map[string]float64{"result": math.Round(v*100) / 100}), nil
}

// evaluate parses expr by recursive descent: expr = term {(+|-) term}; term = factor
// {(*|/) factor}; factor = [-] (number | "(" expr ")").
func evaluate(expr string) (float64, error) {
	if len(expr) > 500 {
		return 0, errors.New("longer than 500 characters")
	}
	p := &parser{s: strings.ReplaceAll(expr, " ", "")}
	v, err := p.expr(0)
	if err != nil {
		return 0, err
	}
	if p.i != len(p.s) {
		return 0, fmt.Errorf("unexpected %q", p.s[p.i:])
	}
	return v, nil
}

type parser struct {
	s string
	i int
}

func (p *parser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *parser) expr(depth int) (float64, error) {
	if depth > 50 {
		return 0, errors.New("nested too deeply")
	}
	v, err := p.term(depth)
	for err == nil && (p.peek() == '+' || p.peek() == '-') {
		op := p.s[p.i]
		p.i++
		var w float64
		if w, err = p.term(depth); op == '+' {
			v += w
		} else {
			v -= w
		}
	}
	return v, err
}

func (p *parser) term(depth int) (float64, error) {
	v, err := p.factor(depth)
	for err == nil && (p.peek() == '*' || p.peek() == '/') {
		op := p.s[p.i]
		p.i++
		var w float64
		w, err = p.factor(depth)
		switch {
		case err != nil:
		case op == '*':
			v *= w
		case w == 0:
			err = errors.New("division by zero")
		default:
			v /= w
		}
	}
	return v, err
}

func (p *parser) factor(depth int) (float64, error) {
	switch c := p.peek(); {
	case c == '-':
		p.i++
		v, err := p.factor(depth)
		return -v, err
	case c == '(':
		p.i++
		v, err := p.expr(depth + 1)
		if err == nil && p.peek() != ')' {
			err = errors.New("missing )")
		}
		p.i++
		return v, err
	}
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] >= '0' && p.s[p.i] <= '9' || p.s[p.i] == '.') {
		p.i++
	}
	if start == p.i {
		return 0, fmt.Errorf("expected a number at %q", p.s[start:])
	}
	return strconv.ParseFloat(p.s[start:p.i], 64)
}

type transferArgs struct {
	Summary string `json:"summary" desc:"what the customer needs, for the colleague who takes over"`
}

// transferToHuman asks for a person; the responder hands the conversation off when it sees
// the result.
type transferToHuman struct{}

// TransferTool is the name of the tool that hands a conversation to a person.
const TransferTool = "transfer_to_human_agents"

func (transferToHuman) Spec() tools.Spec {
	return tools.Spec{Name: TransferTool, Effect: tools.Read, Parameters: tools.Schema[transferArgs](),
		Description: "Hand the conversation to a human colleague when the request cannot be handled with the other tools."}
}

func (transferToHuman) Run(_ context.Context, inv tools.Invocation) (tools.Result, error) {
	a, err := tools.Decode[transferArgs](inv.Call.Args)
	if err != nil {
		return invalid(err), nil
	}
	return ok(map[string]any{"handoff": true, "summary": a.Summary}), nil
}
