package profile

import (
	"net"
	"strings"
)

// ParamColocatedServer names the database server a client shares a
// network namespace with: a container of the client's pod, or a compose
// service joined by network_mode: service:X, that runs a server of the
// client's driver. Over loopback the two share fate: no network lies
// between them.
const ParamColocatedServer = "colocated_server"

// ParamConsumer names the framework that reads a service binding
// (a servicebinding.io Secret) into its own connection settings, when the
// workload mounting it tells: ConsumerSpringBoot. Its drivers' defaults
// are then the connection's.
const ParamConsumer = "consumer"

// ConsumerSpringBoot is a Spring Boot application: Spring Cloud Bindings
// maps a binding to spring.datasource (JDBC) and spring.r2dbc.
const ConsumerSpringBoot = "spring-boot"

// LoopbackHost reports a host name that never leaves the machine (or the
// pod, or the network namespace): localhost, 127.0.0.0/8 and ::1, with or
// without brackets.
func LoopbackHost(h string) bool {
	h = strings.ToLower(strings.Trim(strings.TrimSpace(h), "[]"))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Loopback reports a profile every host of which is a loopback host, as
// the application would use it (an unresolved host without a default is
// not known to be one).
func (p *Profile) Loopback() bool {
	if len(p.Hosts) == 0 {
		return false
	}
	for _, h := range p.Hosts {
		if h.Socket {
			return false
		}
		s, ok := h.Host.Effective()
		if !ok || !LoopbackHost(s) {
			return false
		}
	}
	return true
}
