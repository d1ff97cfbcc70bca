// Package evals will hold the regression-set format, the runner, scorers, reports and the
// rollout gates.
//
// It is not built yet.
package evals
