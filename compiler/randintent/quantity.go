package randintent

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// cpuQuantity returns a CPU quantity in one of its spellings: millicores,
// plain or fractional cores, a decimal suffix or an exponent.
func (b *builder) cpuQuantity() string {
	switch b.r.Intn(8) {
	case 0:
		return fmt.Sprintf("%dm", b.between(0, 8000))
	case 1:
		return fmt.Sprint(b.between(0, 16))
	case 2:
		return fmt.Sprintf("%d.%d", b.between(0, 4), b.between(0, 999))
	case 3:
		return fmt.Sprintf("%de-%d", b.between(1, 9), b.between(1, 3))
	case 4:
		return fmt.Sprintf("%de%d", b.between(1, 9), b.between(0, 2))
	case 5:
		return fmt.Sprintf("%dE-%d", b.between(1, 500), b.between(1, 3))
	case 6:
		return pick(b, "0", "1k", "0.001", "100m", "250m", "500m", ".5", "1.5", "2")
	}
	return fmt.Sprintf("%dm", b.between(1, 999))
}

// byteQuantity returns a memory or storage quantity: plain bytes, binary
// (Ki, Mi, Gi, Ti) or decimal (k, M, G, T) suffixes, fractions or exponents;
// always a whole number of bytes.
func (b *builder) byteQuantity() string {
	switch b.r.Intn(9) {
	case 0:
		return fmt.Sprintf("%d%s", b.between(1, 4096), pick(b, "Ki", "Mi", "Gi"))
	case 1:
		return fmt.Sprintf("%d%s", b.between(1, 4096), pick(b, "k", "M", "G"))
	case 2:
		return fmt.Sprint(b.between(0, 1<<30))
	case 3:
		return fmt.Sprintf("%de%d", b.between(1, 9), b.between(3, 10))
	case 4:
		// Fractions that are whole bytes: any with a decimal suffix, halves
		// and eighths with a binary one.
		if b.r.Intn(2) == 0 {
			return fmt.Sprintf("%d.%d%s", b.between(0, 3), b.between(1, 9), pick(b, "G", "M"))
		}
		return fmt.Sprintf("%d.%s%s", b.between(0, 3), pick(b, "5", "25", "125"), pick(b, "Gi", "Mi"))
	case 5:
		return fmt.Sprintf("%dE%d", b.between(1, 9), b.between(3, 9))
	case 6:
		return pick(b, "0", "1Ti", "1T", "128974848", "129e6", "129M", "123Mi", "1.5Gi", "64Mi", "512M")
	}
	return fmt.Sprintf("%dMi", b.between(1, 2048))
}

// resource returns a request and limit: either, both or neither, with the
// request never above the limit.
func (b *builder) resource(gen func() string) *podcv1.Resource {
	switch b.r.Intn(4) {
	case 0:
		return nil
	case 1:
		return &podcv1.Resource{Request: gen()}
	case 2:
		return &podcv1.Resource{Limit: gen()}
	}
	req, lim := gen(), gen()
	rq, lq := resource.MustParse(req), resource.MustParse(lim)
	if rq.Cmp(lq) > 0 {
		req, lim = lim, req
	}
	return &podcv1.Resource{Request: req, Limit: lim}
}

func (b *builder) resources() *podcv1.Resources {
	rs := &podcv1.Resources{
		Cpu:              b.resource(b.cpuQuantity),
		Memory:           b.resource(b.byteQuantity),
		EphemeralStorage: b.resource(b.byteQuantity),
	}
	b.extended(rs)
	return rs
}
