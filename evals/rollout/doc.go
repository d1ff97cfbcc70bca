// Package rollout is Attaché's staged rollout ("HAD"): how much the AI may do for a market ×
// intent (× locale × channel), how that changes, and the evidence behind every change.
//
// # Stages
//
// Every conversation turn falls under one of three stages:
//
//   - assist: the AI drafts, a person sends ([Decision.AIMayResolve] is false);
//   - standard: the AI resolves the allow-listed intents ([Options.StandardIntents]) and hands
//     everything else to people;
//   - autonomous: the AI resolves everything it can and hands off on its usual triggers.
//
// A [Rule] sets the stage for a [Key]. Empty key fields (or "*") match anything; the most
// specific matching rule wins: the one with the most fields set, ties broken by the field
// order market > intent > locale > channel (a market rule beats an intent rule), then by the
// longer locale ("de-AT" beats "de"). A rule's locale matches its own tag and the tags under
// it ("de" matches "de-AT"). A key no rule matches gets [Options.DefaultStage]: autonomous
// unless set, so that a deployment without rules behaves as before; a shop starting fresh
// sets it to assist and promotes keys one at a time.
//
// A rule's canary percentage sends that share of conversations to the next stage up. The
// arm is a hash of the conversation ID and the rule's key, so a conversation stays in its
// arm for as long as the percentage is not lowered below it, and raising the percentage
// only adds conversations to the canary arm.
//
// # Changes
//
// [Policy.Set] changes a rule. A promotion (a higher stage, or a higher canary percentage
// at the same stage) is refused with a [*GateError] unless the latest run of the rule's
// regression set passes the [Gate]: pass rate, pass^k, guardrail violations, repeat count
// and age of the run. A rule without a regression set cannot be promoted; there is no
// override, so that every promotion has a run behind it. Demotions are always allowed.
// [Policy.CheckLive] demotes a rule one stage (and drops its canary) when its live metrics
// since its last change break a [Thresholds] limit; [Monitor] runs it on an interval. Only
// keys with a rule are judged, each with the figures [Metrics] reports for the rule's key
// (wildcards included); the default stage of keys without a rule is not.
//
// Every change is stored in a history (rollout_changes: from and to stage and canary, who,
// why, the evidence) and appended to the audit log as "rollout.stage_changed" or
// "rollout.demoted". Rules carry a version for optimistic concurrency.
//
// [Policy.Decide] is on the conversation's hot path: it reads an in-memory copy of the rules
// that is reloaded from the database when older than [Options.Reload] (by one caller while
// the others keep using the copy they have). It fails only when the rules could never be
// loaded; what a turn gets then is the caller's choice.
//
// It is not:
//   - the enforcement: the conversation workflow calls Decide and acts on the Decision
//     (drafting for a person, or handing off with reason rollout_stage);
//   - the eval runner or the analytics: it reads runs through [Runs] and live figures through
//     [Metrics], both implemented elsewhere;
//   - authorisation: who may change a stage is decided by the HTTP API and the CLI.
package rollout
