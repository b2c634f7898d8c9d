package importer_test

import (
	"os"
	"testing"

	"github.com/podc-dev/podc/compiler/importer"
)

// BenchmarkImport imports corpus cases: a one-container Deployment with
// two Services, and the ingress-nginx controller (a Deployment of 90 lines
// and two Services).
func BenchmarkImport(b *testing.B) {
	for _, name := range []string{"microservices-demo-frontend", "ingress-nginx-cloud-ingress-nginx-controller"} {
		data, err := os.ReadFile("testdata/corpus/" + name + ".yaml")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := importer.Import(data, importer.Options{AllowLoss: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
