// Command quotesd serves the quotes demo API: GET /quote, POST /batch and
// GET /ohlc over a generated in-memory store, with net/http/pprof on a
// separate side port so a live CPU profile can be fetched for PGO.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/quotes/quotes"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "quotesd:", err)
		os.Exit(1)
	}
}

// run parses args, serves until ctx is done or a server fails, then shuts
// the servers down gracefully. Logs go to stderr.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("quotesd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "API listen `address`")
	pprofAddr := fs.String("pprof", "127.0.0.1:6060", "net/http/pprof listen `address`; empty disables it")
	cfg := quotes.DefaultConfig()
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the generated data")
	fs.IntVar(&cfg.Symbols, "symbols", cfg.Symbols, "number of instruments")
	fs.IntVar(&cfg.Ticks, "ticks", cfg.Ticks, "ticks per instrument")
	quiet := fs.Bool("quiet", false, "disable the access log")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	var accessLog io.Writer = stderr
	if *quiet {
		accessLog = nil
	}
	servers := map[string]*http.Server{
		"api": {Addr: *addr, Handler: quotes.NewServer(quotes.NewStore(cfg), accessLog)},
	}
	if *pprofAddr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		servers["pprof"] = &http.Server{Addr: *pprofAddr, Handler: mux}
	}

	errc := make(chan error, len(servers))
	for name, srv := range servers {
		srv.ReadHeaderTimeout = 10 * time.Second
		ln, err := net.Listen("tcp", srv.Addr)
		if err != nil {
			shutdown(servers)
			return err
		}
		fmt.Fprintf(stderr, "quotesd: %s listening on http://%s\n", name, ln.Addr())
		go func() { errc <- srv.Serve(ln) }()
	}

	var err error
	select {
	case <-ctx.Done():
		fmt.Fprintln(stderr, "quotesd: shutting down")
	case err = <-errc:
	}
	return errors.Join(err, shutdown(servers))
}

// shutdown stops every server, waiting up to five seconds for requests in
// flight. Servers that never started return immediately.
func shutdown(servers map[string]*http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		errs = append(errs, srv.Shutdown(ctx))
	}
	return errors.Join(errs...)
}
