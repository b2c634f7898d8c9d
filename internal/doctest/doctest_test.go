package doctest

import (
	"reflect"
	"testing"
)

const md = "# Title\n" +
	"\n" +
	"```sh\n" +
	"grpcurl -plaintext localhost:50051 list\n" +
	"grpcurl -plaintext -d '{}' \\\n" +
	"  localhost:50051 podc.v1.CompilerService/Compile\n" +
	"echo grpcurl is not first\n" +
	"```\n" +
	"\n" +
	"````go test\n" +
	"fmt.Println(\"```\")\n" +
	"````\n" +
	"  ```sh fails=InvalidArgument\n" +
	"podc serve --tls-cert server.pem \\\n" +
	"  --tls-key server-key.pem\n" +
	"grpcurl -cacert ca.pem localhost:50051 list\n" +
	"  ```\n" +
	"~~~\n" +
	"unclosed"

func TestParse(t *testing.T) {
	bs := Parse(md)
	if len(bs) != 4 {
		t.Fatalf("%d blocks: %+v", len(bs), bs)
	}
	if bs[0].Lang != "sh" || bs[0].Line != 3 || len(bs[0].Attrs) != 0 {
		t.Errorf("block 0: %+v", bs[0])
	}
	if bs[1].Lang != "go" || !bs[1].Has("test") || bs[1].Text != "fmt.Println(\"```\")\n" {
		t.Errorf("block 1: %+v", bs[1])
	}
	if v, ok := bs[2].Attr("fails"); !ok || v != "InvalidArgument" || bs[2].Has("test") {
		t.Errorf("block 2: %+v", bs[2])
	}
	if bs[3].Lang != "" || bs[3].Text != "unclosed\n" {
		t.Errorf("block 3: %+v", bs[3])
	}
}

func TestCommands(t *testing.T) {
	bs := Parse(md)
	got := Commands(bs[0].Text, "grpcurl")
	want := []string{
		"grpcurl -plaintext localhost:50051 list",
		"grpcurl -plaintext -d '{}'  localhost:50051 podc.v1.CompilerService/Compile",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Commands = %q", got)
	}
	args, ok := ServeArgs(bs[2].Text)
	if !ok || !reflect.DeepEqual(args, []string{"--tls-cert", "server.pem", "--tls-key", "server-key.pem"}) {
		t.Errorf("ServeArgs = %q, %v", args, ok)
	}
	if _, ok := ServeArgs(bs[0].Text); ok {
		t.Error("ServeArgs found a server in a block without one")
	}
}
