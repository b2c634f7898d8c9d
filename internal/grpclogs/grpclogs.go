// Package grpclogs routes grpc-go's own logs to slog, at debug level.
//
// grpc-go logs what happens below podc's handlers: the connections it
// refuses (a failed TLS handshake, a client that does not speak HTTP/2, a
// malformed frame), the streams it resets, and much routine detail. None
// of it is worth a line at info level (a port scanner would fill the log),
// and all of it helps when a client cannot connect. So all of it goes to
// debug, with grpc-go's own severity as the attribute grpc_severity.
package grpclogs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
)

// Logger is a grpclog.LoggerV2 that writes to a slog.Logger at debug
// level. grpclog.SetLoggerV2 must take it before gRPC runs; its output can
// be set and changed at any time after. Until then it discards everything.
// It is safe for concurrent use.
type Logger struct {
	out atomic.Pointer[slog.Logger]
}

// SetOutput sends the logs to log from now on; nil discards them.
func (l *Logger) SetOutput(log *slog.Logger) { l.out.Store(log) }

// logger returns the output when it takes debug logs, else nil.
func (l *Logger) logger() *slog.Logger {
	log := l.out.Load()
	if log == nil || !log.Enabled(context.Background(), slog.LevelDebug) {
		return nil
	}
	return log
}

func (l *Logger) print(severity string, args ...any) {
	if log := l.logger(); log != nil {
		log.Debug(fmt.Sprint(args...), "grpc_severity", severity)
	}
}

func (l *Logger) println(severity string, args ...any) {
	if log := l.logger(); log != nil {
		log.Debug(strings.TrimSuffix(fmt.Sprintln(args...), "\n"), "grpc_severity", severity)
	}
}

func (l *Logger) printf(severity, format string, args ...any) {
	if log := l.logger(); log != nil {
		log.Debug(fmt.Sprintf(format, args...), "grpc_severity", severity)
	}
}

// Info, Warning, Error and their ln and f forms log at debug level, with
// grpc-go's severity as grpc_severity.
func (l *Logger) Info(args ...any)                    { l.print("info", args...) }
func (l *Logger) Infoln(args ...any)                  { l.println("info", args...) }
func (l *Logger) Infof(format string, args ...any)    { l.printf("info", format, args...) }
func (l *Logger) Warning(args ...any)                 { l.print("warning", args...) }
func (l *Logger) Warningln(args ...any)               { l.println("warning", args...) }
func (l *Logger) Warningf(format string, args ...any) { l.printf("warning", format, args...) }
func (l *Logger) Error(args ...any)                   { l.print("error", args...) }
func (l *Logger) Errorln(args ...any)                 { l.println("error", args...) }
func (l *Logger) Errorf(format string, args ...any)   { l.printf("error", format, args...) }

// Fatal, Fatalln and Fatalf log at error level, whatever the output's
// level, and exit: grpc-go calls them only when it cannot go on.
func (l *Logger) Fatal(args ...any)                 { l.fatal(fmt.Sprint(args...)) }
func (l *Logger) Fatalln(args ...any)               { l.fatal(fmt.Sprintln(args...)) }
func (l *Logger) Fatalf(format string, args ...any) { l.fatal(fmt.Sprintf(format, args...)) }

func (l *Logger) fatal(msg string) {
	if log := l.out.Load(); log != nil {
		log.Error(strings.TrimSuffix(msg, "\n"), "grpc_severity", "fatal")
	} else {
		fmt.Fprintln(os.Stderr, msg)
	}
	os.Exit(1)
}

// V reports whether grpc-go's verbose logs at level v are wanted: only
// level 0, and only when the output takes debug logs.
func (l *Logger) V(v int) bool { return v <= 0 && l.logger() != nil }
