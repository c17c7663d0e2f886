package checkcmd

// Exported for the tests of package checkcmd_test, which go through the
// root command of package cli.
var CheckRun = checkRun

type RegressionError = regressionError
