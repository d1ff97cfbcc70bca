package vat

import (
	"errors"
	"strings"
	"testing"
)

// validNumbers are publicly documented example VAT numbers (national tax administrations'
// examples and the documented test vectors of the python-stdnum project), one or more per
// scheme.
var validNumbers = []struct {
	in, want string
	checked  bool
}{
	{"ATU13585627", "ATU13585627", true},
	{"BE 0403.019.261", "BE0403019261", true},
	{"BG175074752", "BG175074752", true},
	{"CY10259033P", "CY10259033P", true},
	{"CZ25123891", "CZ25123891", true},     // legal entity
	{"CZ7103192745", "CZ7103192745", true}, // birth number
	{"CZ640903926", "CZ640903926", true},   // individual without a birth number
	{"DE 136 695 976", "DE136695976", true},
	{"DK 13 58 56 28", "DK13585628", true},
	{"EE100931558", "EE100931558", true},
	{"EL094259216", "EL094259216", true},
	{"GR094259216", "EL094259216", true},    // the ISO code, read as EL
	{"ESA13585625", "ESA13585625", true},    // company (CIF)
	{"ES54362315K", "ES54362315K", true},    // citizen (DNI)
	{"ES X-2482300-W", "ESX2482300W", true}, // foreigner (NIE)
	{"FI20774740", "FI20774740", true},
	{"FR40303265045", "FR40303265045", true},
	{"FRK7399859412", "FRK7399859412", true}, // alphanumeric key
	{"HR33392005961", "HR33392005961", true},
	{"HU12892312", "HU12892312", true},
	{"IE6433435F", "IE6433435F", true},
	{"IE8D79739I", "IE8D79739I", true},   // old form
	{"IE3628739UA", "IE3628739UA", true}, // 2013 form
	{"IT00743110157", "IT00743110157", true},
	{"LT119511515", "LT119511515", true},
	{"LU15027442", "LU15027442", true},
	{"LV40003521600", "LV40003521600", false},
	{"MT11679112", "MT11679112", false},
	{"NL004495445B01", "NL004495445B01", true},
	{"NL000099998B57", "NL000099998B57", true}, // sole trader's btw-id (mod 97)
	{"pl 856-734-62-15", "PL8567346215", true},
	{"PT501964843", "PT501964843", true},
	{"RO18547290", "RO18547290", true},
	{"SE123456789701", "SE123456789701", true},
	{"SI50223054", "SI50223054", true},
	{"SK2022749619", "SK2022749619", true},
}

func TestValidateNumberValid(t *testing.T) {
	t.Parallel()
	for _, tt := range validNumbers {
		n, err := ValidateNumber(tt.in)
		if err != nil {
			t.Errorf("ValidateNumber(%q): %v", tt.in, err)
			continue
		}
		if n.String() != tt.want || n.Checked != tt.checked {
			t.Errorf("ValidateNumber(%q) = %s checked=%v, want %s checked=%v", tt.in, n, n.Checked, tt.want, tt.checked)
		}
	}
}

// TestValidateNumberMutated changes one digit of every checked example: each must fail
// the check-digit test (or the format), never pass.
func TestValidateNumberMutated(t *testing.T) {
	t.Parallel()
	for _, tt := range validNumbers {
		if !tt.checked {
			continue
		}
		s := tt.want
		// Change the last digit of the number, or the eleventh character where a fixed
		// suffix follows the checked digits (NL ...B01, SE ...01).
		i := min(strings.LastIndexAny(s, "0123456789"), 10)
		mut := s[:i] + string('0'+(s[i]-'0'+1)%10) + s[i+1:]
		if _, err := ValidateNumber(mut); !errors.Is(err, ErrInvalidNumber) {
			t.Errorf("ValidateNumber(%q) (mutated from %s) = nil error, want ErrInvalidNumber", mut, s)
		}
	}
}

func TestValidateNumberErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"DE12345678", "DE VAT numbers have 9 digits after DE"},
		{"DE136695977", "DE136695977 fails the DE check-digit test"},
		{"DE036695976", "do not begin with 0"},
		{"AT13585627", "AT VAT numbers are ATU followed by 8 digits"},
		{"NL004495445", "NL VAT numbers have 9 digits, the letter B and 2 digits after NL"},
		{"BE2403019261", "begin with 0 or 1"},
		{"FR40303265046", "the SIREN 303265046 fails its check digit"},
		{"IT00743119157", "provincial office code"},
		{"SE123456789702", "followed by 01"},
		{"ES!1234567", "ES VAT numbers have 9 characters"},
		{"IE1234567Z", "fails the IE check-digit test"},
		{"GB123456789", "GB is not the prefix of an EU member state"},
		{"123456789", "starts with the two-letter prefix"},
		{"", "starts with the two-letter prefix"},
		{"SK2012749619", "third digit"},
	}
	for _, tt := range tests {
		_, err := ValidateNumber(tt.in)
		if !errors.Is(err, ErrInvalidNumber) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ValidateNumber(%q) error %v, want one containing %q", tt.in, err, tt.want)
		}
	}
}

func TestNumberCountry(t *testing.T) {
	t.Parallel()
	n, err := ValidateNumber("EL094259216")
	if err != nil {
		t.Fatal(err)
	}
	if n.Country() != "GR" {
		t.Errorf("Country() = %s, want GR", n.Country())
	}
	if _, err := Default().Country(n.Country()); err != nil {
		t.Errorf("the rules do not know the country of %s: %v", n, err)
	}
}
