// Command fail500 answers /healthz with 200 and every other path with 500
// Internal Server Error: a server that is up but fails every request.
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
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom: the database is gone", http.StatusInternalServerError)
	})
	fmt.Fprintln(os.Stderr, "fail500:", http.ListenAndServe(*addr, mux))
	os.Exit(1)
}
