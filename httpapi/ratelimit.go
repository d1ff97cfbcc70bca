package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attache-dev/attache/internal/ratelimit"
)

// Limit is a request budget: PerSecond on average, Burst at once. A zero field takes the
// default's; a negative (or not finite) PerSecond turns the limit off.
type Limit struct {
	PerSecond float64
	Burst     int
}

// Defaults: an IP may make 20 requests a second (a busy office behind one address, a widget
// polling); a conversation may receive a customer message a second, ten at once (a burst of
// short lines); a sign-in every 6 seconds per IP, five at once.
var (
	defaultIPLimit           = Limit{PerSecond: 20, Burst: 100}
	defaultConversationLimit = Limit{PerSecond: 1, Burst: 10}
	defaultLoginLimit        = Limit{PerSecond: 1.0 / 6, Burst: 5}
)

func newLimiter(l, def Limit) *ratelimit.Limiter {
	if l.PerSecond < 0 || math.IsNaN(l.PerSecond) || math.IsInf(l.PerSecond, 0) {
		return nil
	}
	// A zero field takes the default's: ratelimit.New refuses a zero rate or burst.
	if l.PerSecond == 0 {
		l.PerSecond = def.PerSecond
	}
	if l.Burst < 1 {
		l.Burst = def.Burst
	}
	return ratelimit.New(l.PerSecond, l.Burst)
}

// limit spends one request of key's budget, or answers 429 with when to retry.
func (h *handlers) limit(c *gin.Context, l *ratelimit.Limiter, key string) bool {
	if l == nil {
		return true
	}
	ok, wait := l.Allow(key)
	if ok {
		return true
	}
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	c.Header("Retry-After", strconv.Itoa(secs))
	writeProblem(c, Problem{Type: typeRateLimited, Title: "Too many requests", Status: http.StatusTooManyRequests,
		Detail: "Too many requests; retry after " + (time.Duration(secs) * time.Second).String() + "."})
	return false
}

// limitIP spends the client IP's budget. The client IP is the connection's peer unless
// trusted proxies are configured.
func (h *handlers) limitIP(c *gin.Context) {
	h.limit(c, h.ips, "ip:"+c.ClientIP())
}

// limitConversation spends a conversation's budget of customer messages.
func (h *handlers) limitConversation(c *gin.Context) {
	h.limit(c, h.perConversation, "conversation:"+c.Param("id"))
}
