package core

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Money is an amount in a currency's minor units (cents for EUR, whole yen for JPY,
// whole stars for XTR) with its ISO 4217 code.
type Money struct {
	Amount   int64
	Currency string
}

// MaxAmount bounds any single amount, in major units, to keep typos such as an extra
// six zeros out: one hundred million.
const MaxAmount = 100_000_000

// currencies maps the codes crowdbot accepts to their minor-unit decimals.
var currencies = map[string]int{
	"EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "NZD": 2, "SEK": 2, "NOK": 2,
	"DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2, "RON": 2, "BRL": 2, "MXN": 2, "INR": 2, "CNY": 2,
	"HKD": 2, "SGD": 2, "ZAR": 2, "TRY": 2, "UAH": 2, "ILS": 2, "RUB": 2,
	"JPY": 0, "KRW": 0, "XTR": 0,
	"KWD": 3, "BHD": 3, "TND": 3,
}

// symbols maps the currency symbols people type to codes.
var symbols = map[string]string{"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "⭐": "XTR", "₩": "KRW", "₹": "INR"}

// Decimals returns a currency's minor-unit decimals, and whether crowdbot knows it.
func Decimals(currency string) (int, bool) {
	d, ok := currencies[currency]
	return d, ok
}

// ValidCurrency reports whether code is a currency crowdbot accepts.
func ValidCurrency(code string) bool {
	_, ok := currencies[code]
	return ok
}

// ParseMoney reads an amount with its currency, as people type it: "12.50 EUR",
// "12,50 €", "EUR 12.50", "€12.50", "1 000 EUR", "1,000.50 USD", "300 XTR". When
// the text names no currency, def is used ("" makes the currency required). Amounts
// must be positive, no finer than the currency's minor unit, and at most MaxAmount.
// It reads no language's conventions: see ParseMoneyIn.
func ParseMoney(s, def string) (Money, error) { return ParseMoneyIn(s, def, "") }

// ParseMoneyIn is ParseMoney for a member who speaks locale. The locale settles the one
// ambiguous shape, a single mark followed by exactly three digits: "1.000" is one
// thousand in Italian and French but one in English, "1,000" the other way round.
// Without a locale such a mark separates thousands, except a "." in a currency with
// three decimals ("12.500 KWD"), which is how String writes those.
func ParseMoneyIn(s, def, locale string) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Money{}, Errorf(EINVALID, "error.amount_empty")
	}
	num, cur := splitCurrency(s)
	if cur == "" {
		cur = def
	}
	if cur == "" {
		return Money{}, Errorf(EINVALID, "error.amount_currency_missing", "text", s)
	}
	dec, ok := currencies[cur]
	if !ok {
		return Money{}, Errorf(EINVALID, "error.currency_unknown", "currency", cur)
	}
	whole, frac, err := splitNumber(num, decimalMark(locale, dec))
	if err != nil {
		return Money{}, Errorf(EINVALID, "error.amount_bad", "text", s)
	}
	if len(frac) > dec {
		if strings.Trim(frac[dec:], "0") != "" {
			return Money{}, Errorf(EINVALID, "error.amount_too_precise", "currency", cur, "decimals", dec)
		}
		frac = frac[:dec]
	}
	frac += strings.Repeat("0", dec-len(frac))
	if len(whole) > 12 {
		return Money{}, Errorf(EINVALID, "error.amount_too_large", "max", Money{Amount: MaxAmount * pow10(dec), Currency: cur})
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	var f int64
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
	}
	if w > MaxAmount || w == MaxAmount && f > 0 {
		return Money{}, Errorf(EINVALID, "error.amount_too_large", "max", Money{Amount: MaxAmount * pow10(dec), Currency: cur})
	}
	amount := w*pow10(dec) + f
	if amount <= 0 {
		return Money{}, Errorf(EINVALID, "error.amount_not_positive")
	}
	return Money{Amount: amount, Currency: cur}, nil
}

// splitCurrency separates the number from a currency code or symbol on either side.
func splitCurrency(s string) (num, cur string) {
	for sym, code := range symbols {
		if strings.HasPrefix(s, sym) {
			return strings.TrimSpace(strings.TrimPrefix(s, sym)), code
		}
		if strings.HasSuffix(s, sym) {
			return strings.TrimSpace(strings.TrimSuffix(s, sym)), code
		}
	}
	fields := strings.Fields(s)
	if len(fields) >= 2 {
		if c := strings.ToUpper(fields[len(fields)-1]); isCode(c) {
			return strings.Join(fields[:len(fields)-1], " "), c
		}
		if c := strings.ToUpper(fields[0]); isCode(c) {
			return strings.Join(fields[1:], " "), c
		}
	}
	// "12.50EUR"
	i := strings.IndexFunc(s, unicode.IsLetter)
	if i > 0 && isCode(strings.ToUpper(s[i:])) {
		return strings.TrimSpace(s[:i]), strings.ToUpper(s[i:])
	}
	return s, ""
}

// CurrencyToken reports whether s, on its own, names a currency: a code crowdbot
// knows in any case ("eur", "XTR") or a symbol ("€"). Front ends use it to join an
// amount typed as two words ("12.50 EUR") back together.
func CurrencyToken(s string) (string, bool) {
	if code, ok := symbols[s]; ok {
		return code, true
	}
	code := strings.ToUpper(s)
	return code, ValidCurrency(code)
}

func isCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// decimalMark returns the mark that, alone and followed by exactly three digits, is
// read as the decimal mark: the locale's own, or without a locale "." for currencies
// with three decimals and none otherwise.
func decimalMark(locale string, decimals int) byte {
	switch locale {
	case "en":
		return '.'
	case "fr", "it":
		return ','
	}
	if decimals == 3 {
		return '.'
	}
	return 0
}

// digitGroups takes out the spaces and marks people put between groups of digits.
var digitGroups = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "'", "", "_", "")

// thousands takes out the thousands separators of a whole number read by splitNumber.
var thousands = strings.NewReplacer(".", "", ",", "")

// splitNumber reads "1 234,50", "1,234.50", "1.234,50", "12.5" or "12" into whole and
// fraction digits. With both "." and "," present, the last one is the decimal mark. A
// mark that appears several times separates thousands. A mark that appears once is
// the decimal mark, unless exactly three digits follow it ("1,000", "1.000"): then it
// separates thousands, unless it is decimal, the mark that reads as a decimal there.
func splitNumber(s string, decimal byte) (whole, frac string, err error) {
	s = digitGroups.Replace(s)
	if s == "" {
		return "", "", strconv.ErrSyntax
	}
	whole = s
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	last := strings.LastIndexAny(s, ".,")
	switch {
	case dots > 0 && commas > 0:
		whole, frac = s[:last], s[last+1:]
		if strings.ContainsAny(frac, ".,") {
			return "", "", strconv.ErrSyntax
		}
	case dots+commas == 1 && (len(s)-last-1 != 3 || strings.HasPrefix(s, "0") || s[last] == decimal):
		whole, frac = s[:last], s[last+1:]
	}
	if groups := strings.FieldsFunc(whole, func(r rune) bool { return r == '.' || r == ',' }); len(groups) > 1 {
		// thousands separators must split the digits into groups of three
		if len(groups[0]) > 3 || strings.Count(whole, ".")+strings.Count(whole, ",") != len(groups)-1 {
			return "", "", strconv.ErrSyntax
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return "", "", strconv.ErrSyntax
			}
		}
	}
	whole = thousands.Replace(whole)
	if whole == "" {
		whole = "0"
	}
	if !allDigits(whole) || !allDigits(frac) || frac == "" && last == len(s)-1 {
		return "", "", strconv.ErrSyntax
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	return whole, frac, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func pow10(n int) int64 { return int64(math.Pow10(n)) }

// Format writes the amount as a person of the given locale reads it: "€12.50" in
// English, "12,50 €" in French and Italian; codes without a symbol go after the number.
func (m Money) Format(locale string) string {
	dec, ok := currencies[m.Currency]
	if !ok {
		dec = 2
	}
	neg := m.Amount < 0
	a := m.Amount
	if neg {
		a = -a
	}
	whole := a / pow10(dec)
	frac := a % pow10(dec)
	thousands, decimal := ",", "."
	if locale == "fr" {
		thousands, decimal = "\u202f", ","
	} else if locale == "it" {
		thousands, decimal = ".", ","
	}
	num := groupDigits(strconv.FormatInt(whole, 10), thousands)
	if dec > 0 {
		f := strconv.FormatInt(frac, 10)
		num += decimal + strings.Repeat("0", dec-len(f)) + f
	}
	sign := ""
	if neg {
		sign = "-"
	}
	sym := ""
	for s, code := range symbols {
		if code == m.Currency && s != "⭐" && s != "¥" {
			sym = s
		}
	}
	switch {
	case sym != "" && locale == "en":
		return sign + sym + num
	case sym != "":
		return sign + num + "\u00a0" + sym
	default:
		return sign + num + "\u00a0" + m.Currency
	}
}

// String formats the amount with its code, for logs and exports: "12.50 EUR".
func (m Money) String() string {
	dec, ok := currencies[m.Currency]
	if !ok {
		dec = 2
	}
	if dec == 0 {
		return strconv.FormatInt(m.Amount, 10) + " " + m.Currency
	}
	sign := ""
	a := m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	f := strconv.FormatInt(a%pow10(dec), 10)
	return sign + strconv.FormatInt(a/pow10(dec), 10) + "." + strings.Repeat("0", dec-len(f)) + f + " " + m.Currency
}

func groupDigits(s, sep string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
