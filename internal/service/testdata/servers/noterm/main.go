// Command noterm serves every path with 200 OK and ignores SIGTERM: a
// server that only SIGKILL stops.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	addr := flag.String("addr", "", "listen address")
	flag.Parse()
	signal.Ignore(syscall.SIGTERM)
	fmt.Fprintln(os.Stderr, "noterm:", http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})))
	os.Exit(1)
}
