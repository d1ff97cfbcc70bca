package evals

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Tau2Task is a τ²-bench retail task as its tasks file has it: the customer's scenario
// and the ground truth the run is scored against.
type Tau2Task struct {
	ID           string `json:"id"`
	UserScenario struct {
		Instructions struct {
			TaskInstructions string `json:"task_instructions"`
			ReasonForCall    string `json:"reason_for_call"`
			KnownInfo        string `json:"known_info"`
			UnknownInfo      string `json:"unknown_info"`
		} `json:"instructions"`
	} `json:"user_scenario"`
	EvaluationCriteria struct {
		Actions []struct {
			Name      string         `json:"name"`
			Arguments map[string]any `json:"arguments"`
		} `json:"actions"`
		CommunicateInfo []string `json:"communicate_info"`
	} `json:"evaluation_criteria"`
}

// File resolves a path the set names (a τ² tasks or database file): relative paths are
// relative to the set file.
func (s *Set) File(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(s.Path), path)
}

// LoadTau2Tasks reads a tau2-retail set's tasks, picked by its ids or limit.
func LoadTau2Tasks(s *Set) ([]Tau2Task, error) {
	b, err := os.ReadFile(s.File(s.Tau2.Tasks))
	if err != nil {
		return nil, fmt.Errorf("%s: tau2.tasks: %w", s.Path, err)
	}
	var all []Tau2Task
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, fmt.Errorf("%s: tau2.tasks: %s is not a τ² tasks file: %w", s.Path, s.Tau2.Tasks, err)
	}
	var out []Tau2Task
	for _, t := range all {
		if len(s.Tau2.IDs) > 0 && !slices.Contains(s.Tau2.IDs, t.ID) {
			continue
		}
		out = append(out, t)
		if len(s.Tau2.IDs) == 0 && s.Tau2.Limit > 0 && len(out) == s.Tau2.Limit {
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: tau2: no task matches ids %v", s.Path, s.Tau2.IDs)
	}
	return out, nil
}

// Tau2TaskIDs lists the IDs of a tau2-retail set's tasks.
func Tau2TaskIDs(s *Set) ([]string, error) {
	ts, err := LoadTau2Tasks(s)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids, nil
}
