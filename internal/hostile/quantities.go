package hostile

import (
	"strings"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// quantityCases are quantities Kubernetes cannot hold exactly as written,
// or that would be costly to parse.
func quantityCases() []Case {
	res := func(cpu, memory, storage *podcv1.Resource) *podcv1.WorkloadIntent {
		c := app("web")
		c.Resources = &podcv1.Resources{Cpu: cpu, Memory: memory, EphemeralStorage: storage}
		return pod(c)
	}
	scratch := func(size string) *podcv1.WorkloadIntent {
		wi := pod(app("web"))
		wi.Volumes = []*podcv1.Volume{{Name: "tmp", Source: &podcv1.Volume_Scratch{Scratch: &podcv1.ScratchVolume{SizeLimit: size}}}}
		return wi
	}
	digits12500 := "1" + strings.Repeat("0", 12499)
	digits100k := "9" + strings.Repeat("9", 99999)
	const p = "containers[0].resources."
	return []Case{
		refused("quantity-cpu-1e19", res(&podcv1.Resource{Limit: "1e19"}, nil, nil), p+"cpu.limit", "too large"),
		refused("quantity-cpu-maxint64", res(&podcv1.Resource{Request: "9223372036854775807"}, nil, nil), p+"cpu.request", "too large"),
		refused("quantity-memory-1e400", res(nil, &podcv1.Resource{Limit: "1e400"}, nil), p+"memory.limit", "too large"),
		refused("quantity-memory-2^63", res(nil, &podcv1.Resource{Request: "9223372036854775808"}, nil), p+"memory.request", "too large"),
		refused("quantity-storage-999999999999Gi", res(nil, nil, &podcv1.Resource{Limit: "999999999999Gi"}), p+"ephemeralStorage.limit", "too large"),
		refused("quantity-cpu-12500-digits", res(&podcv1.Resource{Limit: digits12500}, nil, nil), p+"cpu.limit", "12500 bytes, at most 64"),
		refused("quantity-memory-100000-digits", res(nil, &podcv1.Resource{Request: digits100k}, nil), p+"memory.request", "100000 bytes, at most 64"),
		refused("quantity-storage-100000-digits", res(nil, nil, &podcv1.Resource{Request: digits100k}), p+"ephemeralStorage.request", "100000 bytes, at most 64"),
		refused("quantity-size-limit-1e19", scratch("1e19"), "volumes[0].scratch.sizeLimit", "too large"),
		refused("quantity-size-limit-100000-digits", scratch(digits100k), "volumes[0].scratch.sizeLimit", "100000 bytes, at most 64"),
		refused("quantity-cpu-tiny-exponent", res(&podcv1.Resource{Request: "1e-999999999"}, nil, nil), p+"cpu.request", "finer than a millicore"),
		refused("quantity-zero-huge-exponent", res(nil, &podcv1.Resource{Limit: "0e-999999999"}, nil), p+"memory.limit", "exponent out of range"),
		refused("quantity-exponent-beyond-32-bits", res(nil, nil, &podcv1.Resource{Limit: "1e4294967296"}), p+"ephemeralStorage.limit", "too large"),
		refused("quantity-half-a-byte", res(nil, &podcv1.Resource{Request: "500m"}, nil), p+"memory.request", "not a whole number of bytes"),
		refused("quantity-cpu-below-a-millicore", res(&podcv1.Resource{Limit: "0.0001"}, nil, nil), p+"cpu.limit", "finer than a millicore"),
		refused("quantity-request-above-limit-by-one", res(nil, &podcv1.Resource{Request: "9223372036854775807", Limit: "9223372036854775806"}, nil),
			p+"memory.request", "more than the limit"),
		refused("quantity-hex", res(&podcv1.Resource{Limit: "0x10"}, nil, nil), p+"cpu.limit", "not a quantity"),
		refused("quantity-fullwidth-digits", res(nil, &podcv1.Resource{Limit: "１Gi"}, nil), p+"memory.limit", "not a quantity"),
		refused("quantity-negative-huge", res(&podcv1.Resource{Limit: "-1e400"}, nil, nil), p+"cpu.limit", "negative"),
	}
}
