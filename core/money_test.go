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
		{in: "12.500 KWD", want: Money{12500000, "KWD"}},
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
	}
	for _, c := range cases {
		if got := c.m.Format(c.locale); got != c.want {
			t.Errorf("%v.Format(%s) = %q, want %q", c.m, c.locale, got, c.want)
		}
	}
	if s := (Money{1250, "EUR"}).String(); s != "12.50 EUR" {
		t.Errorf("String = %q", s)
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
