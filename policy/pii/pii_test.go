package pii

import (
	"strings"
	"testing"
)

// found reports the (kind, scheme, original substring) triples Detect finds.
func found(text string, opts Options) []string {
	var out []string
	for _, s := range Detect(text, opts) {
		out = append(out, string(s.Kind)+"/"+s.Scheme+"="+text[s.Start:s.End])
	}
	return out
}

func TestDetect(t *testing.T) {
	de := Options{Regions: []string{"DE"}}
	tests := []struct {
		name string
		text string
		opts Options
		want []string
	}{
		// Cards.
		{"visa spaced de", "Meine Karte ist 4111 1111 1111 1111, bitte belasten.", de, []string{"card/visa=4111 1111 1111 1111"}},
		{"visa dashed", "card 4111-1111-1111-1111 exp 12/27", de, []string{"card/visa=4111-1111-1111-1111"}},
		{"amex 4-6-5", "Amex: 3782 822463 10005", de, []string{"card/amex=3782 822463 10005"}},
		{"mastercard 2-series", "MC 2221000000000009 ok", de, []string{"card/mastercard=2221000000000009"}},
		{"jcb", "JCB 3530111333300000", de, []string{"card/jcb=3530111333300000"}},
		{"unionpay 19", "银联卡 6212345678901265 谢谢", de, []string{"card/unionpay=6212345678901265"}},
		{"full-width japanese", "カード番号は４１１１　１１１１　１１１１　１１１１です", de, []string{"card/visa=４１１１　１１１１　１１１１　１１１１"}},
		{"arabic-indic", "رقم البطاقة ٤١١١١١١١١١١١١١١١ شكرا", Options{Regions: []string{"SA"}}, []string{"card/visa=٤١١١١١١١١١١١١١١١"}},
		{"thai digits", "บัตร ๔๑๑๑ ๑๑๑๑ ๑๑๑๑ ๑๑๑๑ ครับ", Options{Regions: []string{"TH"}}, []string{"card/visa=๔๑๑๑ ๑๑๑๑ ๑๑๑๑ ๑๑๑๑"}},
		{"luhn fails", "Sendungsnummer 4111 1111 1111 1112", de, nil},
		{"no iin", "Tracking 1234567812345670 ist unterwegs", de, nil},
		{"order number", "Bestellung DE-10001 und DE-10002", de, nil},
		{"glued to letters", "Artikel A4111111111111111 ist da", de, nil},
		// IBANs.
		{"de iban spaced", "IBAN: DE89 3704 0044 0532 0130 00 danke", de, []string{"iban/DE-IBAN=DE89 3704 0044 0532 0130 00"}},
		{"gb iban lower", "pay to gb82west12345698765432 please", de, []string{"iban/GB-IBAN=gb82west12345698765432"}},
		{"sa iban", "الآيبان SA03 8000 0000 6080 1016 7519", Options{Regions: []string{"SA"}}, []string{"iban/SA-IBAN=SA03 8000 0000 6080 1016 7519"}},
		{"br iban", "BR1800360305000010009795493C1", de, []string{"iban/BR-IBAN=BR1800360305000010009795493C1"}},
		{"iban bad check", "DE89 3704 0044 0532 0130 01", de, nil},
		{"iban bad length", "DE89 3704 0044 0532 0130", Options{Kinds: []Kind{KindIBAN}}, nil},
		// Emails.
		{"email", "schreib an max.mustermann+shop@beispiel.de.", de, []string{"email/=max.mustermann+shop@beispiel.de"}},
		{"email idn", "contact: jürgen@bücher.de", de, []string{"email/=jürgen@bücher.de"}},
		{"email japanese glued", "連絡先はtaro.yamada@example.co.jpです", de, []string{"email/=taro.yamada@example.co.jp"}},
		{"email non-latin local", "邮箱 用户@例子.广告 谢谢", de, []string{"email/=用户@例子.广告"}},
		{"not email", "meet @ 5 or user@localhost", de, nil},
		// Phones.
		{"de national", "Ruf mich an: 030 12345678", de, []string{"phone/DE-PHONE=030 12345678"}},
		{"de mobile e164", "WhatsApp +49 151 23456789 bitte", Options{}, []string{"phone/DE-PHONE=+49 151 23456789"}},
		{"fr dots", "appelez 01.23.45.67.89", Options{Regions: []string{"FR"}}, []string{"phone/FR-PHONE=01.23.45.67.89"}},
		{"us parens", "call (212) 555-0123 now", Options{Regions: []string{"US"}}, []string{"phone/US-PHONE=(212) 555-0123"}},
		{"arabic-indic phone", "اتصل بي على ٠٥٠ ١٢٣ ٤٥٦٧ من فضلك", Options{Regions: []string{"SA"}}, []string{"phone/SA-PHONE=٠٥٠ ١٢٣ ٤٥٦٧"}},
		{"thai digits phone", "โทร ๐๘๑ ๒๓๔ ๕๖๗๘ ครับ", Options{Regions: []string{"TH"}}, []string{"phone/TH-PHONE=๐๘๑ ๒๓๔ ๕๖๗๘"}},
		{"full-width phone", "電話は０９０－１２３４－５６７８です", Options{Regions: []string{"JP"}}, []string{"phone/JP-PHONE=０９０－１２３４－５６７８"}},
		{"00 prefix", "Tel. 0049 30 901820", Options{Regions: []string{"FR"}}, []string{"phone/DE-PHONE=0049 30 901820"}},
		{"e164 wrong region ignored", "call +1 555 0100 1", Options{Regions: []string{"US"}}, nil},
		{"date not phone", "geliefert am 12.05.2024 um 14:00", de, nil},
		{"amount not phone", "Summe 1.234.567 EUR", de, nil},
		{"order not phone", "Bestellnummer 03012345678", de, nil},
		{"postal code", "10115 Berlin", de, nil},
		// National IDs.
		{"cpf", "meu CPF é 123.456.789-09", Options{Regions: []string{"BR"}}, []string{"national_id/BR-CPF=123.456.789-09"}},
		{"cpf bad", "meu CPF é 123.456.789-08", Options{Regions: []string{"BR"}}, nil},
		{"cnpj", "CNPJ 11.222.333/0001-81", Options{}, []string{"national_id/BR-CNPJ=11.222.333/0001-81"}},
		{"curp", "mi CURP es GOMC850615HDFRRL05", Options{}, []string{"national_id/MX-CURP=GOMC850615HDFRRL05"}},
		{"curp bad", "mi CURP es GOMC850615HDFRRL04", Options{}, nil},
		{"rfc mx", "RFC GOMC850615AB1", Options{Regions: []string{"MX"}}, []string{"national_id/MX-RFC=GOMC850615AB1"}},
		{"dni", "mi DNI 12345678Z", Options{}, []string{"national_id/ES-DNI=12345678Z"}},
		{"dni dash", "DNI 12345678-Z.", Options{}, []string{"national_id/ES-DNI=12345678-Z"}},
		{"dni wrong letter", "DNI 12345678A", Options{}, nil},
		{"nie", "NIE X1234567L", Options{}, []string{"national_id/ES-NIE=X1234567L"}},
		{"codice fiscale", "CF: RSSMRA85T10A562S", Options{}, []string{"national_id/IT-CF=RSSMRA85T10A562S"}},
		{"codice fiscale bad", "CF: RSSMRA85T10A562T", Options{}, nil},
		{"cn ric x", "身份证号11010519491231002X", Options{}, []string{"national_id/CN-RIC=11010519491231002X"}},
		{"sa nid", "رقم الهوية ١٠٤٥٦٧٨٩٠٩", Options{Regions: []string{"SA"}}, []string{"national_id/SA-NID=١٠٤٥٦٧٨٩٠٩"}},
		{"sa nid other market", "ref 1045678909", Options{Regions: []string{"DE"}}, nil},
		{"emirates id", "EID 784-1990-1234567-6", Options{}, []string{"national_id/AE-EID=784-1990-1234567-6"}},
		{"thai id", "เลขบัตร ๑-๑๐๑๗-๐๐๒๐๓-๔๕-๐", Options{}, []string{"national_id/TH-NID=๑-๑๐๑๗-๐๐๒๐๓-๔๕-๐"}},
		{"nik", "NIK 3174055506850001", Options{Regions: []string{"ID"}}, []string{"national_id/ID-NIK=3174055506850001"}},
		{"mykad", "IC 850615-14-5678", Options{}, []string{"national_id/MY-NRIC=850615-14-5678"}},
		{"mykad bad date", "IC 851315-14-5678", Options{}, nil},
		{"aadhaar", "Aadhaar 2341 2341 2346", Options{}, []string{"national_id/IN-AADHAAR=2341 2341 2346"}},
		{"aadhaar bad", "Aadhaar 2341 2341 2347", Options{}, nil},
		{"ssn", "SSN 123-45-6789", Options{Regions: []string{"US"}}, []string{"national_id/US-SSN=123-45-6789"}},
		{"ssn 666", "SSN 666-45-6789", Options{}, nil},
		{"bsn", "BSN 123456782", Options{Regions: []string{"NL"}}, []string{"national_id/NL-BSN=123456782"}},
		{"bsn bad", "BSN 123456783", Options{Regions: []string{"NL"}}, nil},
		{"personnummer", "personnummer 811218-9876", Options{}, []string{"national_id/SE-PIN=811218-9876"}},
		{"personnummer bad", "personnummer 811218-9875", Options{}, nil},
		// Kinds filter.
		{"only cards", "4111 1111 1111 1111 a@b.de", Options{Kinds: []Kind{KindCard}}, []string{"card/visa=4111 1111 1111 1111"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := found(tt.text, tt.opts)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Detect(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestPhoneRegions checks one valid national-format and one E.164 number for
// each of the markets Attaché serves.
func TestPhoneRegions(t *testing.T) {
	numbers := map[string][]string{
		"DE": {"030 901820", "+49 30 901820"}, "FR": {"06 12 34 56 78", "+33 6 12 34 56 78"},
		"ES": {"612 34 56 78", "+34 612 34 56 78"}, "IT": {"312 345 6789", "+39 312 345 6789"},
		"NL": {"06 12345678", "+31 6 12345678"}, "GB": {"07400 123456", "+44 7400 123456"},
		"US": {"(201) 555-0123", "+1 201-555-0123"}, "MX": {"55 1234 5678", "+52 55 1234 5678"},
		"BR": {"(11) 96123-4567", "+55 11 96123-4567"}, "AR": {"011 4123-4567", "+54 11 4123-4567"},
		"CL": {"2 2123 4567", "+56 2 2123 4567"}, "CO": {"321 1234567", "+57 321 1234567"},
		"PE": {"912 345 678", "+51 912 345 678"}, "SA": {"050 123 4567", "+966 50 123 4567"},
		"AE": {"050 123 4567", "+971 50 123 4567"}, "EG": {"0100 123 4567", "+20 100 123 4567"},
		"TR": {"0501 234 56 78", "+90 501 234 56 78"}, "IN": {"081234 56789", "+91 81234 56789"},
		"ID": {"0812-345-678", "+62 812-345-678"}, "MY": {"012-345 6789", "+60 12-345 6789"},
		"SG": {"8123 4567", "+65 8123 4567"}, "TH": {"081 234 5678", "+66 81 234 5678"},
		"VN": {"091 234 56 78", "+84 91 234 56 78"}, "PH": {"0905 123 4567", "+63 905 123 4567"},
		"JP": {"090-1234-5678", "+81 90-1234-5678"}, "KR": {"010-2000-0000", "+82 10-2000-0000"},
		"CN": {"131 2345 6789", "+86 131 2345 6789"}, "HK": {"5123 4567", "+852 5123 4567"},
		"TW": {"0912 345 678", "+886 912 345 678"}, "AU": {"0412 345 678", "+61 412 345 678"},
		"NG": {"0802 123 4567", "+234 802 123 4567"}, "ZA": {"071 123 4567", "+27 71 123 4567"},
		"PL": {"512 345 678", "+48 512 345 678"}, "SE": {"070-123 45 67", "+46 70 123 45 67"},
	}
	for region, nums := range numbers {
		for _, n := range nums {
			t.Run(region+"/"+n, func(t *testing.T) {
				t.Parallel()
				text := "kontakt: " + n + " danke"
				got := Detect(text, Options{Regions: []string{region}})
				if len(got) != 1 || got[0].Kind != KindPhone || text[got[0].Start:got[0].End] != n {
					t.Errorf("Detect(%q, %s) = %+v, want the phone number", text, region, got)
				}
			})
		}
	}
}

func TestRedact(t *testing.T) {
	text := "Karte ４１１１ １１１１ １１１１ １１１１, IBAN DE89370400440532013000, mail a.b@c.de, CPF 123.456.789-09."
	got, spans := Redact(text, Options{Regions: []string{"DE"}})
	want := "Karte [card], IBAN [iban], mail [email], CPF [id:BR-CPF]."
	if got != want {
		t.Fatalf("Redact = %q, want %q", got, want)
	}
	if len(spans) != 4 || text[spans[0].Start:spans[0].End] != "４１１１ １１１１ １１１１ １１１１" {
		t.Errorf("spans do not refer to the original text: %+v", spans)
	}
	if again, _ := Redact(got, Options{Regions: []string{"DE"}}); again != got {
		t.Errorf("redacting twice changed the text: %q", again)
	}
}

func TestValidators(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"DE89 3704 0044 0532 0130 00", true}, {"de89370400440532013000", true},
		{"NO9386011117947", true}, {"FR14 2004 1010 0505 0001 3M02 606", true},
		{"DE89 3704 0044 0532 0130 0", false}, {"XX89 3704 0044 0532 0130 00", false}, {"", false},
	} {
		if got := ValidIBAN(tc.in); got != tc.want {
			t.Errorf("ValidIBAN(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in, brand string
		ok        bool
	}{
		{"4111 1111 1111 1111", "visa", true}, {"5555-5555-5555-4444", "mastercard", true},
		{"378282246310005", "amex", true}, {"6011111111111117", "discover", true},
		{"4111 1111 1111 1112", "visa", false}, {"1234567812345670", "", false}, {"4111 11111111 1111", "", false},
		{"4111.1111.1111.1111", "visa", true}, {"4111  1111  1111  1111", "visa", true},
		{"4111/1111/1111/1111", "", false}, {"4111.1111 1111 1111", "", false},
	} {
		brand, ok := CardScheme(tc.in)
		if brand != tc.brand || ok != tc.ok {
			t.Errorf("CardScheme(%q) = %q, %v; want %q, %v", tc.in, brand, ok, tc.brand, tc.ok)
		}
	}
}

// TestBenignLookalikes feeds numbers that customers write every day and that
// look like personal data (tracking codes, barcodes, amounts, dates,
// references) with every market's regions enabled; none may be flagged.
func TestBenignLookalikes(t *testing.T) {
	all := Options{Regions: []string{"DE", "FR", "ES", "IT", "NL", "GB", "US", "MX", "BR", "SA", "AE", "TR",
		"IN", "ID", "MY", "TH", "JP", "CN", "SE"}}
	for _, text := range []string{
		"Meine Bestellung DE-10001 vom 12.05.2024 ist noch nicht da.",
		"Sendungsnummer 00340434161234567890, Rechnung RE-2024-000123.",
		"UPS tracking 1Z999AA10123456784 shows delivered.",
		"EAN 4006381333931, ISBN 978-3-16-148410-0, Artikel 12345678.",
		"Total: 1.234.567,89 € or $ 1,299.00 or 2 499 kr.",
		"Server 192.168.100.200 at 2024-05-12T14:30:00Z, version 1.20.3.",
		"الطلب رقم ١٢٣٤٥٦ بتاريخ ٢٠٢٤/٠٥/١٢ بمبلغ ٣٥٠ ريال",
		"คำสั่งซื้อ ๑๒๓๔๕๖๗๘ วันที่ ๑๒/๐๕/๒๕๖๗ ราคา ๑,๒๙๙ บาท",
		"注文番号：１２３４５６７８９、金額：１２，８００円、２０２４年５月１２日",
		"Pedido nº 100023456, CP 28013 Madrid, importe 59,90 EUR.",
		"Numéro de commande 2024051200123, code postal 75008.",
		"Ordine n. 4000123456 del 12/05/2024, CAP 20121.",
	} {
		if got := found(text, all); len(got) != 0 {
			t.Errorf("Detect(%q) = %q, want nothing", text, got)
		}
	}
}
