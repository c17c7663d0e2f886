//go:build !unix

package gotool

import "os"

// timeoutSignal is sent to a command whose timeout expired.
var timeoutSignal = os.Kill
