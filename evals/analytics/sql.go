package analytics

import (
	"fmt"
	"strings"
)

// The queries share their first steps, written once here as CTEs:
//
//	base     conversations started in [$1, $2), with their dimensions and figures from their messages
//	conv     base narrowed by the dimension filters ($5 market … $9 stage), with the group key g
//	facts    conv with the first response, reopening, handoffs and CSAT answer
//	derived  facts with resolved and resolution (seconds)
//	hf       the handoffs of conv, with when a person first attended them
//
// The parameters are read once, typed, in the CTE p: $3 is "now" and $4 the reopen window
// in seconds. Two fragments are filled in from fixed
// lists, never from request text: /*eval*/ (leaving out evaluation conversations) and
// /*group*/ (the column of the requested dimension).
const baseCTE = `
WITH p AS (
    SELECT $1::timestamptz AS from_at, $2::timestamptz AS to_at, $3::timestamptz AS now_at,
        $4::float8 * interval '1 second' AS reopen, $5::text AS market, $6::text AS language, $7::text AS intent,
        $8::text AS channel, $9::text AS stage
),
base AS (
    SELECT c.id, c.status, c.created_at,
        coalesce(nullif(upper(c.market), ''), 'unknown') AS market,
        coalesce(nullif(lower(c.channel), ''), 'unknown') AS channel,
        coalesce(nullif(split_part(split_part(lower(coalesce(ms.first_lang, c.locale)), '-', 1), '_', 1), ''), 'unknown') AS language,
        coalesce(ms.first_intent, 'unknown') AS intent,
        coalesce(ms.first_stage, 'unknown') AS stage,
        ms.ai_replies, ms.last_at, ms.last_ai_at, ms.first_customer_at, ms.first_customer_seq,
        ms.taboo, ms.injection, ms.abuse, ms.pii, ms.tool_calls
    FROM conversations c
    CROSS JOIN LATERAL (SELECT
            (array_agg(m.lang ORDER BY m.seq) FILTER (WHERE m.author = 'customer' AND m.lang <> ''))[1] AS first_lang,
            (array_agg(m.intent ORDER BY m.seq) FILTER (WHERE m.author = 'ai' AND m.intent <> ''))[1] AS first_intent,
            (array_agg(lower(m.meta ->> 'rollout_stage') ORDER BY m.seq)
                FILTER (WHERE m.author = 'ai' AND coalesce(m.meta ->> 'rollout_stage', '') <> ''))[1] AS first_stage,
            count(*) FILTER (WHERE m.author = 'ai') AS ai_replies,
            max(m.created_at) AS last_at,
            max(m.created_at) FILTER (WHERE m.author = 'ai') AS last_ai_at,
            min(m.created_at) FILTER (WHERE m.author = 'customer') AS first_customer_at,
            min(m.seq) FILTER (WHERE m.author = 'customer') AS first_customer_seq,
            count(*) FILTER (WHERE m.author = 'ai' AND coalesce(m.meta ->> 'taboo_rules', '') <> '') AS taboo,
            count(*) FILTER (WHERE m.author = 'customer' AND coalesce(m.meta ->> 'screen_injection', '') <> '') AS injection,
            count(*) FILTER (WHERE m.author = 'customer' AND m.meta ->> 'screen_abuse' = 'true') AS abuse,
            count(*) FILTER (WHERE m.author = 'customer' AND strpos(m.body, '[card]') > 0) AS pii,
            coalesce(sum(CASE WHEN m.author = 'ai' AND m.meta ->> 'tool_calls' ~ '^[0-9]{1,6}$'
                THEN (m.meta ->> 'tool_calls')::bigint END), 0) AS tool_calls
        FROM messages m WHERE m.conversation_id = c.id) ms
    WHERE c.created_at >= (SELECT from_at FROM p) AND c.created_at < (SELECT to_at FROM p) /*eval*/
),
conv AS (
    SELECT base.*, /*group*/ AS g FROM base, p
    WHERE (p.market = '' OR base.market = p.market) AND (p.language = '' OR base.language = p.language)
        AND (p.intent = '' OR base.intent = p.intent) AND (p.channel = '' OR base.channel = p.channel)
        AND (p.stage = '' OR base.stage = p.stage)
)`

const factsCTE = `,
facts AS (
    SELECT conv.*, coalesce(conv.first_customer_at, conv.created_at) AS started_at,
        extract(epoch FROM fr.at - conv.first_customer_at)::float8 AS first_response,
        coalesce(ro.reopened, false) AS reopened,
        (hd.handoffs > 0 OR conv.status = 'handoff') AS handed_off,
        hd.open_handoffs, hd.resolved_at AS handoff_resolved_at,
        cs.score
    FROM conv
    LEFT JOIN LATERAL (SELECT min(m.created_at) AS at FROM messages m
        WHERE m.conversation_id = conv.id AND m.author IN ('ai', 'human_agent') AND m.seq > conv.first_customer_seq) fr ON true
    LEFT JOIN LATERAL (SELECT bool_or(x.author = 'customer' AND x.prev_author = 'ai'
                AND x.created_at - x.prev_at > (SELECT reopen FROM p)) AS reopened
        FROM (SELECT m.author, m.created_at, lag(m.author) OVER w AS prev_author, lag(m.created_at) OVER w AS prev_at
            FROM messages m WHERE m.conversation_id = conv.id AND m.author <> 'system' WINDOW w AS (ORDER BY m.seq)) x) ro ON true
    CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE h.reason <> 'approval_needed') AS handoffs,
            count(*) FILTER (WHERE h.status IN ('queued', 'claimed')) AS open_handoffs,
            max(h.resolved_at) FILTER (WHERE h.status = 'resolved') AS resolved_at
        FROM handoffs h WHERE h.conversation_id = conv.id) hd
    LEFT JOIN csat_responses cs ON cs.conversation_id = conv.id
),
derived AS (
    SELECT facts.*, r.resolved,
        CASE WHEN r.resolved THEN greatest(extract(epoch FROM last_ai_at - started_at), 0)::float8
            WHEN handed_off AND open_handoffs = 0 AND handoff_resolved_at IS NOT NULL
                THEN greatest(extract(epoch FROM handoff_resolved_at - started_at), 0)::float8
        END AS resolution
    FROM facts
    CROSS JOIN LATERAL (SELECT (ai_replies > 0 AND NOT handed_off AND NOT reopened
        AND (status = 'closed' OR last_at < (SELECT now_at - reopen FROM p))) AS resolved) r
)`

const handoffsCTE = `,
hf AS (
    SELECT conv.g, conv.market, conv.language, h.reason, h.status, h.sla_due_at, h.resolved_at,
        least(h.claimed_at, hr.at) AS attended_at,
        CASE WHEN h.reason <> 'approval_needed' THEN extract(epoch FROM hr.at - h.created_at)::float8 END AS human_first_response
    FROM handoffs h
    JOIN conv ON conv.id = h.conversation_id
    LEFT JOIN LATERAL (SELECT min(m.created_at) AS at FROM messages m
        WHERE m.conversation_id = h.conversation_id AND m.author = 'human_agent' AND m.created_at >= h.created_at) hr ON true
)`

// slaBreach is the condition of a breached handoff in hf.
const slaBreach = `sla_due_at IS NOT NULL AND (attended_at > sla_due_at
    OR (attended_at IS NULL AND coalesce(resolved_at, (SELECT now_at FROM p)) > sla_due_at))`

// conversationFigures aggregates derived per group and in total.
const conversationFigures = `
SELECT coalesce(g, ''), GROUPING(g) = 1 AS total,
    count(*), count(*) FILTER (WHERE resolved), count(*) FILTER (WHERE reopened), count(*) FILTER (WHERE handed_off),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response), percentile_cont(0.9) WITHIN GROUP (ORDER BY first_response),
    count(first_response),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution), percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution),
    count(resolution),
    count(score), coalesce(avg(score), 0)::float8, count(*) FILTER (WHERE score >= 4),
    coalesce(sum(taboo), 0)::bigint, coalesce(sum(injection), 0)::bigint, coalesce(sum(abuse), 0)::bigint,
    coalesce(sum(pii), 0)::bigint, coalesce(sum(tool_calls), 0)::bigint
FROM derived
GROUP BY GROUPING SETS ((g), ())
ORDER BY total DESC, 1`

// handoffFigures aggregates hf per group and in total.
const handoffFigures = `
SELECT coalesce(g, ''), GROUPING(g) = 1 AS total,
    count(*), count(*) FILTER (WHERE sla_due_at IS NOT NULL), count(*) FILTER (WHERE ` + slaBreach + `),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY human_first_response),
    percentile_cont(0.9) WITHIN GROUP (ORDER BY human_first_response), count(human_first_response),
    count(*) FILTER (WHERE reason = 'tool_failure')
FROM hf
GROUP BY GROUPING SETS ((g), ())`

// handoffReasons counts hf per group and reason, and per reason in total.
const handoffReasons = `
SELECT coalesce(g, ''), GROUPING(g) = 1 AS total, reason, count(*)
FROM hf
GROUP BY GROUPING SETS ((g, reason), (reason))
ORDER BY total DESC, 1, 4 DESC, 3`

// firstResponseBuckets are the upper bounds, in seconds, of the first-response histogram
// that /metrics exposes.
var firstResponseBuckets = []float64{1, 2, 5, 10, 30, 60, 120, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600}

// metricConversations is the collector's query over every conversation: one row per
// market, channel and language.
var metricConversations = func() string {
	var b strings.Builder
	b.WriteString(`
SELECT market, channel, language, count(*), count(*) FILTER (WHERE resolved),
    coalesce(sum(first_response), 0)::float8, count(first_response),
    coalesce(sum(taboo), 0)::bigint, coalesce(sum(injection), 0)::bigint, coalesce(sum(abuse), 0)::bigint,
    coalesce(sum(pii), 0)::bigint`)
	for s := 1; s <= 5; s++ {
		fmt.Fprintf(&b, ", count(*) FILTER (WHERE score = %d)", s)
	}
	for _, le := range firstResponseBuckets {
		fmt.Fprintf(&b, ", count(*) FILTER (WHERE first_response <= %g)", le)
	}
	b.WriteString(`
FROM derived
GROUP BY market, channel, language`)
	return b.String()
}()

// metricHandoffs is the collector's query over every handoff: one row per market,
// language and reason.
const metricHandoffs = `
SELECT market, language, reason, count(*), count(*) FILTER (WHERE ` + slaBreach + `)
FROM hf
GROUP BY market, language, reason`

// evalExclusion leaves out the conversations of evaluation runs.
const evalExclusion = `AND NOT EXISTS (SELECT 1 FROM eval_conversations e WHERE e.conversation_id = c.id)`

// groupColumns are the columns of base that a summary may be grouped by.
var groupColumns = map[Dimension]string{
	DimMarket: "base.market", DimLanguage: "base.language", DimIntent: "base.intent", DimChannel: "base.channel",
	DimStage: "base.stage", "": "''::text",
}

// query assembles a statement from the CTEs it needs and the final select.
func (s *Store) query(by Dimension, withFacts, withHandoffs bool, final string) string {
	eval := ""
	if s.excludeEval {
		eval = evalExclusion
	}
	q := strings.NewReplacer("/*eval*/", eval, "/*group*/", groupColumns[by]).Replace(baseCTE)
	if withFacts {
		q += factsCTE
	}
	if withHandoffs {
		q += handoffsCTE
	}
	return q + final
}
