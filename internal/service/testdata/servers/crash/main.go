// Command crash serves /healthz and /work, and exits with status 3 after
// -after requests to /work, saying why on stderr (or panics, with -panic):
// a server that crashes in the middle of a trial.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
)

func main() {
	addr := flag.String("addr", "", "listen address")
	after := flag.Int64("after", 50, "crash after this many requests to /work")
	doPanic := flag.Bool("panic", false, "crash by an unrecovered panic instead")
	flag.Parse()
	var n atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) > *after {
			msg := fmt.Sprintf("crash: out of widgets after %d requests", *after)
			if *doPanic {
				go panic(msg) // net/http recovers a handler's own panics
				select {}
			}
			fmt.Fprintln(os.Stderr, msg)
			os.Exit(3)
		}
		fmt.Fprintln(w, "done")
	})
	fmt.Fprintln(os.Stderr, "crash:", http.ListenAndServe(*addr, mux))
	os.Exit(1)
}
