package intent

import (
	"math/big"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Amount returns q exactly, as a decimal number in base units: millicores
// when milli is true (cpu), else the quantity's own unit (bytes for memory
// and ephemeral storage). "1.5" with milli gives "1500", "1Gi" gives
// "1073741824", "0.5" without milli gives "0.5". The number has no
// exponent, no trailing zeros after a point and no size limit, so it suits
// consumers with arbitrary-precision numbers (CUE, JSON read as decimals).
// Its length grows with q's exponent: pass quantities ParseQuantity
// accepted, which are at most 19 digits in base units.
func Amount(q resource.Quantity, milli bool) string {
	d := q.AsDec() // q is a copy; the returned value is not modified below
	n := new(big.Int).Set(d.UnscaledBig())
	if n.Sign() == 0 {
		return "0"
	}
	scale := int64(d.Scale()) // value = n × 10^-scale
	if milli {
		scale -= 3
	}
	if scale <= 0 {
		return n.Mul(n, pow10(int(-scale))).String()
	}
	ten, rem := big.NewInt(10), new(big.Int)
	for scale > 0 {
		q, r := new(big.Int).QuoRem(n, ten, rem)
		if r.Sign() != 0 {
			break
		}
		n, scale = q, scale-1
	}
	if scale == 0 {
		return n.String()
	}
	neg := n.Sign() < 0
	digits := new(big.Int).Abs(n).String()
	if pad := int(scale) + 1 - len(digits); pad > 0 {
		digits = strings.Repeat("0", pad) + digits
	}
	cut := len(digits) - int(scale)
	out := digits[:cut] + "." + digits[cut:]
	if neg {
		out = "-" + out
	}
	return out
}

// maxExactMagnitude bounds the powers of ten ExactAmount computes with.
const maxExactMagnitude = 1000

// ExactAmount reads a quantity string as an exact decimal number in base
// units (millicores when milli is true, else the quantity's own unit), as
// Amount writes it, but without Kubernetes' parser and for any size: for
// rules that compare quantities exactly, including ones the structural
// checks refuse as too large ("1e19" cores, "1e400"). Its cost is bounded
// by MaxQuantityLength and an exponent of at most 10^±1000. ok is false
// for a string that is not a quantity, a negative one, or one beyond that
// exponent.
func ExactAmount(s string, milli bool) (string, bool) {
	if len(s) > MaxQuantityLength {
		return "", false
	}
	cache := exactBytes
	if milli {
		cache = exactMillis
	}
	r := cache.get(s, func(s string) exactResult {
		v, ok := exactAmount(s, milli)
		return exactResult{v, ok}
	})
	return r.v, r.ok
}

// exactMillis and exactBytes remember ExactAmount's answers, as
// cpuQuantities and byteQuantities do ParseQuantity's: at most
// quantityCacheEntries each.
var (
	exactMillis = newMemo[exactResult](quantityCacheEntries)
	exactBytes  = newMemo[exactResult](quantityCacheEntries)
)

type exactResult struct {
	v  string
	ok bool
}

func exactAmount(s string, milli bool) (string, bool) {
	lit, ok := lexQuantity(s)
	switch {
	case !ok:
		return "", false
	case lit.zero():
		return "0", true
	case lit.neg:
		return "", false
	}
	scale := int64(0)
	if milli {
		scale = 3
	}
	if m := lit.magnitude() + scale; m > maxExactMagnitude || m < -maxExactMagnitude {
		return "", false
	}
	lit.exp10 += scale
	v := lit.value()
	if v.IsInt() {
		return v.Num().String(), true
	}
	// The value is digits × 10^exp10 × 2^exp2 with exp2 ≥ 0: a finite
	// decimal with at most -exp10 digits after the point.
	return strings.TrimRight(v.FloatString(int(-lit.exp10)), "0"), true
}
