package pgserver

// SetPortPicker replaces how Start finds a port, so that a test can hand
// it a taken one.
func SetPortPicker(s *Server, pick func() (int, error)) { s.pickPort = pick }

// BindRace is the log line Start retries on.
const BindRace = bindRace
