//go:build !race

package demo_test

// buildFlags builds cmd/dbguard as this test binary was built, so that
// go build finds every package in the build cache the test run filled.
var buildFlags []string
