// Command neverready listens on -addr but answers every request with 503
// Service Unavailable, as a server stuck starting up would.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", "", "listen address")
	flag.Parse()
	fmt.Fprintln(os.Stderr, "neverready: loading a very large cache...")
	err := http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "starting", http.StatusServiceUnavailable)
	}))
	fmt.Fprintln(os.Stderr, "neverready:", err)
	os.Exit(1)
}
