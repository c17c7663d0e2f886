// Command okserver is a well-behaved test server: it listens on -addr,
// answers /healthz and /work, stops gracefully on SIGTERM, and optionally
// serves net/http/pprof (on -pprof, or on its main listener with
// -pprof-main) and leaves a child process in its group that ignores
// SIGTERM (-child).
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "", "listen address")
	pprofAddr := flag.String("pprof", "", "pprof listen address")
	pprofMain := flag.Bool("pprof-main", false, "serve pprof on the main listener")
	child := flag.Bool("child", false, "start a child process that ignores SIGTERM")
	asChild := flag.Bool("as-child", false, "be that child")
	flag.Parse()
	if *asChild {
		signal.Ignore(syscall.SIGTERM)
		time.Sleep(time.Hour)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if *child {
		c := exec.Command(os.Args[0], "-as-child")
		if err := c.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "okserver:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "okserver: child pid", c.Process.Pid)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		sum := sha256.Sum256([]byte(r.URL.RawQuery))
		for range 200 {
			sum = sha256.Sum256(sum[:])
		}
		fmt.Fprintf(w, "%x\n", sum[:8])
	})
	pp := http.NewServeMux()
	pp.HandleFunc("/debug/pprof/", pprof.Index)
	pp.HandleFunc("/debug/pprof/profile", pprof.Profile)
	if *pprofMain {
		mux.Handle("/debug/pprof/", pp)
	}
	if *pprofAddr != "" {
		go http.ListenAndServe(*pprofAddr, pp)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "okserver:", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	fmt.Fprintln(os.Stderr, "okserver: listening on", ln.Addr())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	fmt.Fprintln(os.Stderr, "okserver: stopped")
}
