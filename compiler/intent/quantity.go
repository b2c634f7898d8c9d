package intent

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// MaxQuantityLength is the longest quantity podc reads, in bytes. Every
// quantity Kubernetes can hold is far shorter ("9223372036854775807" is 19
// digits); the bound keeps parsing cheap whatever the input.
const MaxQuantityLength = 64

// maxBaseUnits is the largest amount Kubernetes holds unchanged, in base
// units (millicores for cpu, bytes otherwise): the scheduler and the
// kubelet count quantities as 64-bit integers of those units
// (Quantity.MilliValue and Quantity.Value), and larger byte quantities with
// a binary suffix are clamped to it when parsed.
var maxBaseUnits = big.NewRat(math.MaxInt64, 1)

// ParseQuantity reads a Kubernetes quantity ("500m", "0.5", "512Mi", "1G",
// "1e3") and refuses what Kubernetes would not hold exactly as written:
// malformed and negative quantities, ones longer than MaxQuantityLength,
// cpu finer than a millicore, bytes that are not whole, amounts beyond
// 2^63-1 base units (millicores for cpu, bytes otherwise), and anything
// whose canonical form would read back as a different value. kind is "cpu",
// "count" for whole numbers of devices, or anything else for byte
// quantities; it picks the unit and the examples in the error. The quantity returned is equal to the value written, and
// its String form is how Kubernetes writes that value (its canonical
// spelling, or the one written when Kubernetes deems that canonical).
func ParseQuantity(s, kind string) (resource.Quantity, error) {
	cache := byteQuantities
	if kind == "cpu" {
		cache = cpuQuantities
	}
	if len(s) > MaxQuantityLength || kind == "count" {
		return parseQuantity(s, kind)
	}
	r := cache.get(s, func(s string) quantityResult {
		q, err := parseQuantity(s, kind)
		return quantityResult{q, err}
	})
	return r.q.DeepCopy(), r.err
}

// cpuQuantities and byteQuantities remember ParseQuantity's answers:
// requests and limits repeat from request to request ("250m", "1Gi"), and
// reading one exactly costs big-number arithmetic. Each holds at most
// quantityCacheEntries answers to strings of at most MaxQuantityLength
// bytes (under 1 MB with the answers).
var (
	cpuQuantities  = newMemo[quantityResult](quantityCacheEntries)
	byteQuantities = newMemo[quantityResult](quantityCacheEntries)
)

const quantityCacheEntries = 4096

type quantityResult struct {
	q   resource.Quantity
	err error
}

func parseQuantity(s, kind string) (resource.Quantity, error) {
	want, err := boundQuantity(s, kind)
	if err != nil {
		return resource.Quantity{}, err
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return resource.Quantity{}, notAQuantity(s, kind)
	}
	if want.Sign() == 0 {
		return resource.Quantity{Format: resource.DecimalSI}, nil
	}
	if stored, ok := exactValue(q.String()); !ok || stored.Cmp(want) != 0 {
		return resource.Quantity{}, fmt.Errorf("%q would be stored as %q, a different value: write the amount exactly", s, q.String())
	}
	return q, nil
}

// boundQuantity applies every rule that needs no apimachinery parsing —
// length, syntax, sign, range and granularity — and returns the exact value
// written.
func boundQuantity(s, kind string) (*big.Rat, error) {
	lit, ok, err := lexBounded(s, kind)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, notAQuantity(s, kind)
	case lit.zero():
		return new(big.Rat), nil
	case lit.neg:
		return nil, fmt.Errorf("%q is negative: a quantity must be 0 or more", s)
	}
	v := lit.value()
	units := new(big.Rat).Mul(v, new(big.Rat).SetInt(pow10(baseScale(kind))))
	switch {
	case !units.IsInt():
		return nil, tooFine(s, kind)
	case units.Cmp(maxBaseUnits) > 0:
		return nil, tooLarge(s, kind)
	}
	return v, nil
}

// lexBounded lexes a quantity and refuses the ones that would be costly to
// parse or compute with: longer than MaxQuantityLength, or with an
// exponent that puts them far beyond any range podc accepts. Its cost is
// bounded by MaxQuantityLength, so the intent's size limits use it too.
// ok is false for a string that is not a quantity, which is no cost.
func lexBounded(s, kind string) (lit literal, ok bool, err error) {
	if len(s) > MaxQuantityLength {
		return lit, false, fmt.Errorf("%d bytes, at most %d: a quantity is a short number with a unit, like \"500m\" or \"512Mi\"", len(s), MaxQuantityLength)
	}
	if lit, ok = lexQuantity(s); !ok {
		return lit, false, nil
	}
	if lit.zero() {
		// Zero is zero, but Kubernetes' arithmetic on it still costs in
		// proportion to the exponent.
		if lit.exp10 < -100 || lit.exp10 > 100 {
			return lit, true, fmt.Errorf("%q has an exponent out of range: write 0", s)
		}
		return lit, true, nil
	}
	switch mag := lit.magnitude() + int64(baseScale(kind)); {
	case (mag > 40 || mag < -40) && lit.neg:
		return lit, true, fmt.Errorf("%q is negative: a quantity must be 0 or more", s)
	case mag > 40:
		return lit, true, tooLarge(s, kind)
	case mag < -40:
		return lit, true, tooFine(s, kind)
	}
	return lit, true, nil
}

// baseScale is the power of ten from a kind's unit to its base unit:
// millicores for cpu, bytes otherwise.
func baseScale(kind string) int {
	if kind == "cpu" {
		return 3
	}
	return 0
}

func notAQuantity(s, kind string) error {
	if kind == "count" {
		return fmt.Errorf("%q is not a quantity: use a whole number of devices like \"1\"", s)
	}
	if kind == "cpu" {
		return fmt.Errorf("%q is not a quantity: use cores like \"0.5\" or millicores like \"500m\"", s)
	}
	return fmt.Errorf("%q is not a quantity: use bytes with a binary suffix like \"512Mi\", \"1Gi\" or a decimal one like \"500M\", \"1G\"", s)
}

func tooLarge(s, kind string) error {
	if kind == "count" {
		return fmt.Errorf("%q is too large: at most %d", s, int64(math.MaxInt64))
	}
	if kind == "cpu" {
		return fmt.Errorf("%q is too large: Kubernetes counts cpu in 64-bit millicores, at most %dm", s, int64(math.MaxInt64))
	}
	return fmt.Errorf("%q is too large: Kubernetes counts bytes in 64 bits, at most %d (just under 8Ei)", s, int64(math.MaxInt64))
}

func tooFine(s, kind string) error {
	if kind == "count" {
		return fmt.Errorf("%q is not a whole number: devices are counted whole", s)
	}
	if kind == "cpu" {
		return fmt.Errorf("%q is finer than a millicore: Kubernetes counts cpu in whole millicores (1m = 0.001)", s)
	}
	return fmt.Errorf("%q is not a whole number of bytes: Kubernetes holds byte quantities as whole bytes", s)
}

// exactValue returns the exact value a quantity string denotes, or false
// when it is not a quantity or its magnitude is far out of any range podc
// accepts.
func exactValue(s string) (*big.Rat, bool) {
	if len(s) > MaxQuantityLength {
		return nil, false
	}
	lit, ok := lexQuantity(s)
	if !ok {
		return nil, false
	}
	if lit.zero() {
		return new(big.Rat), true
	}
	if m := lit.magnitude(); m > 60 || m < -60 {
		return nil, false
	}
	return lit.value(), true
}

// literal is a quantity as written: sign, digits, and the powers of ten
// and two its decimal point and suffix multiply the digits by.
type literal struct {
	neg    bool
	digits string // the integer and fraction digits, without the point
	exp10  int64  // value = digits × 10^exp10 × 2^exp2
	exp2   int64
}

// decimalSuffixes and binarySuffixes are the suffixes Kubernetes reads,
// with their powers of ten and two.
var (
	decimalSuffixes = map[string]int64{"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
	binarySuffixes  = map[string]int64{"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
)

// lexQuantity splits a quantity into its parts by Kubernetes' grammar
// (resource.ParseQuantity): an optional sign, digits with an optional
// point, and a suffix (decimal SI, binary SI or an exponent e/E). Unlike
// Kubernetes it wants at least one digit: "." and "+" are not quantities.
func lexQuantity(s string) (literal, bool) {
	var lit literal
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		lit.neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[start:i]
	var frac string
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[fs:i]
	}
	if intPart == "" && frac == "" {
		return lit, false
	}
	lit.digits = intPart + frac
	lit.exp10 = -int64(len(frac))
	suffix := s[i:]
	if e, ok := decimalSuffixes[suffix]; ok {
		lit.exp10 += e
		return lit, true
	}
	if e, ok := binarySuffixes[suffix]; ok {
		lit.exp2 = e
		return lit, true
	}
	if len(suffix) < 2 || (suffix[0] != 'e' && suffix[0] != 'E') {
		return lit, false
	}
	exp := suffix[1:]
	digits := strings.TrimLeft(exp, "+-")
	if len(exp)-len(digits) > 1 || digits == "" || strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return lit, false
	}
	e, err := strconv.ParseInt(exp, 10, 32)
	if err != nil {
		// Kubernetes reads exponents up to 64 bits and then truncates them
		// to 32; podc reads none that do not fit.
		if lit.zero() {
			return lit, false
		}
		e = math.MaxInt32
		if exp[0] == '-' {
			e = math.MinInt32
		}
	}
	lit.exp10 += e
	return lit, true
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// zero reports whether every digit is 0.
func (l literal) zero() bool { return strings.Trim(l.digits, "0") == "" }

// magnitude is the position of the leading digit: the value of a non-zero
// literal is at least 10^(magnitude-1) and below 10^(magnitude+1).
func (l literal) magnitude() int64 {
	sig := int64(len(strings.TrimLeft(l.digits, "0")))
	return sig + l.exp10 + l.exp2*3/10
}

// value is the literal's exact value. The caller bounds the magnitude
// first: the exponents here are small.
func (l literal) value() *big.Rat {
	n, _ := new(big.Int).SetString(l.digits, 10)
	if l.neg {
		n.Neg(n)
	}
	v := new(big.Rat).SetInt(n)
	if l.exp10 >= 0 {
		v.Mul(v, new(big.Rat).SetInt(pow10(int(l.exp10))))
	} else {
		v.Quo(v, new(big.Rat).SetInt(pow10(int(-l.exp10))))
	}
	return v.Mul(v, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(l.exp2))))
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}
