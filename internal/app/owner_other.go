//go:build !unix

package app

import "os"

// keepOwner: file owners are not uid/gid pairs here; the restored file
// keeps the folder's default ownership.
func keepOwner(*os.File, os.FileInfo) {}
