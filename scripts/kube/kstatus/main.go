// kstatus-check prints how Flux and kpt read an object's status: the verdict of kstatus
// (sigs.k8s.io/cli-utils/pkg/kstatus/status.Compute) for the JSON object on stdin.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

func main() {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	object := &unstructured.Unstructured{}
	// UnmarshalJSON keeps integers as int64, as kstatus expects of metadata.generation.
	if err := object.UnmarshalJSON(input); err != nil {
		fail(err)
	}
	result, err := status.Compute(object)
	if err != nil {
		fail(err)
	}
	out, _ := json.Marshal(map[string]string{"status": string(result.Status), "message": result.Message})
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
