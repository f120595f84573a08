package main

// The IANA time zone database is built in, so that --tz Africa/Lagos and
// the incidents section's timezone work where the machine has no
// /usr/share/zoneinfo (distroless and scratch images, some CI runners).
// It costs about 450 KB of binary; Go uses the system's copy first.
import _ "time/tzdata"
