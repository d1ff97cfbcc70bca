package tracking

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Catalog is the part of i18n.Catalog this package uses to speak to customers.
type Catalog interface {
	Text(lang, key string, args ...any) string
}

// KeyETA is the catalog key of the ETA sentence; {0} is the date (FormatDate).
const KeyETA = "tracking_eta"

// StatusText is the sentence that tells a customer in locale where the parcel is.
func StatusText(c Catalog, locale string, s Status) string {
	return c.Text(locale, s.Current.Key())
}

// ETAText is the sentence with the expected delivery date in locale, or "" when there is
// no ETA (unknown, or the parcel is delivered or returned). The date is the carrier's, in
// the time zone of s.ETA.
func ETAText(c Catalog, locale string, s Status) string {
	if s.ETA.IsZero() {
		return ""
	}
	return c.Text(locale, KeyETA, FormatDate(locale, s.ETA))
}

// Long-date data for the supported locales, after CLDR's full date format (weekday, day,
// month, year). A shared date formatter belongs in package i18n; until it has one, this
// is the only place that writes dates for customers.
type dateStyle struct {
	months   [12]string
	weekdays [7]string // Sunday first
	format   func(weekday, month string, day, year int) string
	digits   string // native digits 0-9, "" for ASCII
}

var dateStyles = map[string]dateStyle{
	"en": {
		months:   [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		weekdays: [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		format: func(w, m string, d, y int) string {
			return w + ", " + m + " " + strconv.Itoa(d) + ", " + strconv.Itoa(y)
		},
	},
	"es": {
		months:   [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		weekdays: [7]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
		format: func(w, m string, d, y int) string {
			return w + ", " + strconv.Itoa(d) + " de " + m + " de " + strconv.Itoa(y)
		},
	},
	"de": {
		months:   [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		weekdays: [7]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
		format: func(w, m string, d, y int) string {
			return w + ", " + strconv.Itoa(d) + ". " + m + " " + strconv.Itoa(y)
		},
	},
	"fr": {
		months:   [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		weekdays: [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
		format: func(w, m string, d, y int) string {
			day := strconv.Itoa(d)
			if d == 1 {
				day = "1er"
			}
			return w + " " + day + " " + m + " " + strconv.Itoa(y)
		},
	},
	"pt": {
		months:   [12]string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
		weekdays: [7]string{"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"},
		format: func(w, m string, d, y int) string {
			return w + ", " + strconv.Itoa(d) + " de " + m + " de " + strconv.Itoa(y)
		},
	},
	"ar": {
		months:   [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"},
		weekdays: [7]string{"الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"},
		format: func(w, m string, d, y int) string {
			return w + "، " + strconv.Itoa(d) + " " + m + " " + strconv.Itoa(y)
		},
		digits: "٠١٢٣٤٥٦٧٨٩",
	},
	"th": {
		months:   [12]string{"มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"},
		weekdays: [7]string{"อาทิตย์", "จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์"},
		format: func(w, m string, d, y int) string {
			// Thai dates count years in the Buddhist era.
			return "วัน" + w + "ที่ " + strconv.Itoa(d) + " " + m + " พ.ศ. " + strconv.Itoa(y+543)
		},
	},
	"vi": {
		weekdays: [7]string{"Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"},
		format: func(w, m string, d, y int) string {
			return w + ", " + strconv.Itoa(d) + " tháng " + m + ", " + strconv.Itoa(y)
		},
	},
	"id": {
		months:   [12]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"},
		weekdays: [7]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"},
		format: func(w, m string, d, y int) string {
			return w + ", " + strconv.Itoa(d) + " " + m + " " + strconv.Itoa(y)
		},
	},
	"ja": {
		weekdays: [7]string{"日曜日", "月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日"},
		format: func(w, m string, d, y int) string {
			return strconv.Itoa(y) + "年" + m + "月" + strconv.Itoa(d) + "日" + w
		},
	},
	"zh": {
		weekdays: [7]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"},
		format: func(w, m string, d, y int) string {
			return strconv.Itoa(y) + "年" + m + "月" + strconv.Itoa(d) + "日" + w
		},
	},
}

// FormatDate writes the calendar date of t (in t's time zone) as a reader of locale
// expects it in a sentence: "Wednesday, December 2, 2026" (en), "Mittwoch, 2. Dezember
// 2026" (de), "วันพุธที่ 2 ธันวาคม พ.ศ. 2569" (th), "2026年12月2日水曜日" (ja). Locales
// without date data get English.
func FormatDate(locale string, t time.Time) string {
	base, _ := language.Make(strings.ReplaceAll(locale, "_", "-")).Base()
	st, ok := dateStyles[base.String()]
	if !ok {
		st = dateStyles["en"]
	}
	month := strconv.Itoa(int(t.Month()))
	if st.months[0] != "" {
		month = st.months[t.Month()-1]
	}
	out := st.format(st.weekdays[t.Weekday()], month, t.Day(), t.Year())
	if st.digits != "" {
		native := []rune(st.digits)
		out = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return native[r-'0']
			}
			return r
		}, out)
	}
	return out
}
