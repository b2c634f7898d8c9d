package policy_test

import (
	"google.golang.org/protobuf/proto"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func clone(wi *podcv1.WorkloadIntent) *podcv1.WorkloadIntent {
	return proto.Clone(wi).(*podcv1.WorkloadIntent)
}
