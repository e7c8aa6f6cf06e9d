package core

import (
	"testing"
)

func TestParseMoney(t *testing.T) {
	cases := []struct {
		in, def string
		want    Money
		err     string
	}{
		{in: "12.50 EUR", want: Money{1250, "EUR"}},
		{in: "12,50 €", want: Money{1250, "EUR"}},
		{in: "€12.50", want: Money{1250, "EUR"}},
		{in: "EUR 12.5", want: Money{1250, "EUR"}},
		{in: "12.50eur", want: Money{1250, "EUR"}},
		{in: "1 000 EUR", want: Money{100000, "EUR"}},
		{in: "1,000.50 USD", want: Money{100050, "USD"}},
		{in: "1.000,50 EUR", want: Money{100050, "EUR"}},
		{in: "1.000 EUR", want: Money{100000, "EUR"}},
		{in: "20000 EUR", want: Money{2000000, "EUR"}},
		{in: "300 XTR", want: Money{300, "XTR"}},
		{in: "500 JPY", want: Money{500, "JPY"}},
		{in: "25", def: "EUR", want: Money{2500, "EUR"}},
		{in: "0.05 EUR", want: Money{5, "EUR"}},
		{in: "12.500 KWD", want: Money{12500, "KWD"}}, // how String writes 12.5 KWD
		{in: "12,500 KWD", want: Money{12500000, "KWD"}},
		{in: "1,234.500 KWD", want: Money{1234500, "KWD"}},
		{in: "12.5 KWD", want: Money{12500, "KWD"}},
		{in: "12 €", want: Money{1200, "EUR"}},
		{in: "€ 12", want: Money{1200, "EUR"}},
		{in: "12,50 €", want: Money{1250, "EUR"}},
		{in: "20 000,00 €", want: Money{2000000, "EUR"}},
		{in: "1'000 CHF", want: Money{100000, "CHF"}},
		{in: "12.50 USD", def: "EUR", want: Money{1250, "USD"}},
		{in: "", err: "error.amount_empty"},
		{in: "12", err: "error.amount_currency_missing"},
		{in: "12 ABC", err: "error.currency_unknown"},
		{in: "-5 EUR", err: "error.amount_bad"},
		{in: "0 EUR", err: "error.amount_not_positive"},
		{in: "0.001 EUR", err: "error.amount_too_precise"},
		{in: "1.5 XTR", err: "error.amount_too_precise"},
		{in: "100000001 EUR", err: "error.amount_too_large"},
		{in: "99999999999999999999 EUR", err: "error.amount_too_large"},
		{in: "1e6 EUR", err: "error.amount_bad"},
		{in: "twelve EUR", err: "error.amount_bad"},
		{in: "12. EUR", err: "error.amount_bad"},
		{in: "1.2.3,4,5 EUR", err: "error.amount_bad"},
	}
	for _, c := range cases {
		got, err := ParseMoney(c.in, c.def)
		if c.err != "" {
			if e := AsError(err); e == nil || e.Key != c.err {
				t.Errorf("ParseMoney(%q) = %v, %v; want %s", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseMoney(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

// TestParseMoneyIn reads amounts the way members of each language write them: the
// locale settles a lone mark followed by three digits, and everything else reads the
// same in every language.
func TestParseMoneyIn(t *testing.T) {
	cases := []struct {
		in, locale string
		want       Money
		err        string
	}{
		{in: "12,50 €", locale: "fr", want: Money{1250, "EUR"}},
		{in: "12,50 €", locale: "it", want: Money{1250, "EUR"}},
		{in: "12,50 €", locale: "en", want: Money{1250, "EUR"}},
		{in: "12,50", locale: "fr", want: Money{1250, "EUR"}},
		{in: "12.50", locale: "it", want: Money{1250, "EUR"}},
		{in: "€12.50", locale: "en", want: Money{1250, "EUR"}},
		{in: "1.000", locale: "it", want: Money{100000, "EUR"}},
		{in: "1.000", locale: "fr", want: Money{100000, "EUR"}},
		{in: "1.000", locale: "en", want: Money{100, "EUR"}},
		{in: "1,000", locale: "en", want: Money{100000, "EUR"}},
		{in: "1,000", locale: "it", want: Money{100, "EUR"}},
		{in: "1,000", locale: "fr", want: Money{100, "EUR"}},
		{in: "1.000", locale: "", want: Money{100000, "EUR"}},
		{in: "1.234,56 €", locale: "it", want: Money{123456, "EUR"}},
		{in: "1 234,56 €", locale: "fr", want: Money{123456, "EUR"}},
		{in: "1,234.56 EUR", locale: "en", want: Money{123456, "EUR"}},
		{in: "1.000.000", locale: "it", want: Money{100000000, "EUR"}},
		{in: "2.500 JPY", locale: "it", want: Money{2500, "JPY"}},
		{in: "2,500 JPY", locale: "en", want: Money{2500, "JPY"}},
		{in: "2.500 JPY", locale: "en", err: "error.amount_too_precise"},
		{in: "12,5 XTR", locale: "fr", err: "error.amount_too_precise"},
		{in: "12,505 €", locale: "fr", err: "error.amount_too_precise"},
		{in: "-12,50 €", locale: "fr", err: "error.amount_bad"},
		{in: "0,00 €", locale: "it", err: "error.amount_not_positive"},
	}
	for _, c := range cases {
		got, err := ParseMoneyIn(c.in, "EUR", c.locale)
		if c.err != "" {
			if e := AsError(err); e == nil || e.Key != c.err {
				t.Errorf("ParseMoneyIn(%q, %s) = %v, %v; want %s", c.in, c.locale, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseMoneyIn(%q, %s) = %v, %v; want %v", c.in, c.locale, got, err, c.want)
		}
	}
}

func TestCurrencyToken(t *testing.T) {
	for in, want := range map[string]string{"EUR": "EUR", "eur": "EUR", "€": "EUR", "xtr": "XTR", "$": "USD"} {
		if got, ok := CurrencyToken(in); !ok || got != want {
			t.Errorf("CurrencyToken(%q) = %q, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "12", "ABC", "gold", "2"} {
		if _, ok := CurrencyToken(in); ok {
			t.Errorf("CurrencyToken(%q) names a currency", in)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	cases := []struct {
		m      Money
		locale string
		want   string
	}{
		{Money{1250, "EUR"}, "en", "€12.50"},
		{Money{1250, "EUR"}, "fr", "12,50\u00a0€"},
		{Money{1250, "EUR"}, "it", "12,50\u00a0€"},
		{Money{2000000, "EUR"}, "en", "€20,000.00"},
		{Money{2000000, "EUR"}, "it", "20.000,00\u00a0€"},
		{Money{2000000, "EUR"}, "fr", "20\u202f000,00\u00a0€"},
		{Money{300, "XTR"}, "en", "300\u00a0XTR"},
		{Money{1500, "JPY"}, "en", "1,500\u00a0JPY"},
		{Money{5, "USD"}, "en", "$0.05"},
		{Money{5, "USD"}, "fr", "0,05\u00a0$"},
		{Money{1500, "JPY"}, "it", "1.500\u00a0JPY"},
		{Money{1500, "JPY"}, "fr", "1\u202f500\u00a0JPY"},
		{Money{12500, "KWD"}, "en", "12.500\u00a0KWD"},
		{Money{12500, "KWD"}, "it", "12,500\u00a0KWD"},
		{Money{123456789, "EUR"}, "it", "1.234.567,89\u00a0€"},
		{Money{-1250, "EUR"}, "en", "-€12.50"},
		{Money{-1250, "EUR"}, "fr", "-12,50\u00a0€"},
		{Money{1250, "GBP"}, "en", "£12.50"},
	}
	for _, c := range cases {
		if got := c.m.Format(c.locale); got != c.want {
			t.Errorf("%v.Format(%s) = %q, want %q", c.m, c.locale, got, c.want)
		}
	}
	for m, want := range map[Money]string{{1250, "EUR"}: "12.50 EUR", {300, "XTR"}: "300 XTR", {12500, "KWD"}: "12.500 KWD", {-5, "EUR"}: "-0.05 EUR"} {
		if s := m.String(); s != want {
			t.Errorf("%#v.String() = %q, want %q", m, s, want)
		}
	}
}

// FuzzParseMoney checks that the parser never panics and that whatever it accepts is
// positive, bounded and formats back to an amount it reads the same.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"12.50 EUR", "12,50 €", "1 000 EUR", "300 XTR", "€", "1,000.50 USD", "-1", "1..2 EUR"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s, "EUR")
		if err != nil {
			if AsError(err) == nil {
				t.Fatalf("untranslated error %v", err)
			}
			return
		}
		if m.Amount <= 0 || m.Amount > MaxAmount*1000 {
			t.Fatalf("%q parsed to %v", s, m)
		}
		back, err := ParseMoney(m.String(), "")
		if err != nil || back != m {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, m, m.String(), back, err)
		}
	})
}

// FuzzParseMoneyIn checks, in every language, that an amount formatted for a member
// reads back as the same amount when that member types it, and that whatever the
// parser accepts is positive and bounded.
func FuzzParseMoneyIn(f *testing.F) {
	for _, s := range []string{"12,50 €", "1.000", "1,000", "12.500 KWD", "2 500 JPY", "€ 12", "0,05"} {
		f.Add(s, int64(1250), "EUR")
	}
	f.Add("x", int64(12500), "KWD")
	f.Add("x", int64(100000), "JPY")
	f.Fuzz(func(t *testing.T, s string, amount int64, currency string) {
		for _, locale := range []string{"en", "fr", "it"} {
			if m, err := ParseMoneyIn(s, "EUR", locale); err == nil {
				if m.Amount <= 0 || m.Amount > MaxAmount*1000 {
					t.Fatalf("%q (%s) parsed to %v", s, locale, m)
				}
			} else if AsError(err) == nil {
				t.Fatalf("untranslated error %v", err)
			}
			if !ValidCurrency(currency) || amount <= 0 || amount > MaxAmount*pow10(currencies[currency]) {
				continue
			}
			m := Money{Amount: amount, Currency: currency}
			text := m.Format(locale)
			back, err := ParseMoneyIn(text, "", locale)
			if err != nil || back != m {
				t.Fatalf("%v formatted in %s as %q reads back as %v, %v", m, locale, text, back, err)
			}
		}
	})
}
