package knowledge

import (
	"strings"
	"testing"
)

func TestMergeOverrideReplacesOnlyItsSections(t *testing.T) {
	base := "Our return policy.\n\n## Return window\n\nYou have 30 days.\n\n## Condition\n\nUnused, with tags.\n"
	override := "## Return window\n\nIn Germany you have 30 days plus a free return label.\n\n## Local drop-off\n\nAt any DHL shop.\n"
	got := MergeOverride(base, override)
	for _, want := range []string{"Our return policy.", "free return label", "Unused, with tags.", "At any DHL shop."} {
		if !strings.Contains(got, want) {
			t.Errorf("merged text lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "You have 30 days.") {
		t.Errorf("the overridden section is still there:\n%s", got)
	}
	if strings.Index(got, "free return label") > strings.Index(got, "Unused") {
		t.Errorf("the replaced section moved:\n%s", got)
	}
	if strings.Index(got, "DHL") < strings.Index(got, "Unused") {
		t.Errorf("a new section must come after the base's:\n%s", got)
	}
}

func TestMergeOverrideWithoutHeadingsReplacesTheIntroduction(t *testing.T) {
	got := MergeOverride("General text.\n\n## A\n\na\n", "Market text.\n")
	if !strings.HasPrefix(got, "Market text.") || !strings.Contains(got, "## A") {
		t.Fatalf("merged: %q", got)
	}
}
