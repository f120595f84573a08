package verify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"reflect"
	"strconv"
	"syscall"
)

// classify decides the class of err, seen while stage was running. It reads
// codes and error types only; English text only through classifyPgBouncer.
// It returns the stage to report, which differs from the running stage when
// one driver call covers several (Connect covers auth and database).
func classify(stage Stage, err error) (Stage, Class, string) {
	var se *ServerError
	if errors.As(err, &se) {
		c := classifyServer(stage, se)
		return stageFor(stage, c), c, se.Code
	}
	var ame *AuthMethodError
	if errors.As(err, &ame) {
		return StageAuth, ClassAuthMethodUnsupported, "method:" + ame.Method
	}
	if errors.Is(err, ErrTLSNotOffered) {
		return StageTLS, ClassTLSNotSupportedByServer, "tls_not_offered"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return StageDNS, ClassDNSNotFound, "NXDOMAIN"
		case dnsErr.IsTimeout:
			return StageDNS, ClassDNSTimeout, "DNS_TIMEOUT"
		}
		// Anything else is the resolver failing (its port closed,
		// SERVFAIL, an answer it could not read): whether the name
		// exists is not known, so it is never dns_not_found.
		return StageDNS, ClassDNSServerFailed, "DNS_ERROR"
	}
	if s, c, code, ok := classifyTLS(stage, err); ok {
		return s, c, code
	}
	if errors.Is(err, ErrProtocol) {
		return stage, ClassProtocolError, "protocol"
	}
	if errors.Is(err, context.Canceled) {
		return stage, ClassUnknown, "canceled"
	}
	if isTimeout(err) {
		switch stage {
		case StageDNS:
			return stage, ClassDNSTimeout, "DNS_TIMEOUT"
		case StageTCP:
			return stage, ClassTCPTimeout, "ETIMEDOUT"
		case StageQuery:
			return stage, ClassQueryTimeout, "deadline"
		}
		return stage, ClassProtocolTimeout, "deadline"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ECONNREFUSED:
			return StageTCP, ClassTCPRefused, "ECONNREFUSED"
		case syscall.ETIMEDOUT:
			return StageTCP, ClassTCPTimeout, "ETIMEDOUT"
		case syscall.EHOSTUNREACH:
			return StageTCP, ClassTCPUnreachable, "EHOSTUNREACH"
		case syscall.ENETUNREACH:
			return StageTCP, ClassTCPUnreachable, "ENETUNREACH"
		case syscall.ECONNRESET:
			if stage != StageTCP {
				return stage, ClassProtocolError, "ECONNRESET"
			}
		case syscall.EPIPE:
			if stage != StageTCP {
				return stage, ClassProtocolError, "EPIPE"
			}
		}
		return stage, ClassUnknown, "errno:" + errnoName(errno)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		// The server closed the connection in the middle of the
		// protocol without an error message.
		return stage, ClassProtocolError, "EOF"
	}
	return stage, ClassUnknown, ""
}

// isTimeout reports a deadline: the context's, or a net.Error's Timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ETIMEDOUT) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// classifyTLS recognises certificate and handshake failures by type.
func classifyTLS(stage Stage, err error) (Stage, Class, string, bool) {
	var (
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalid     x509.CertificateInvalidError
		verifyErr   *tls.CertificateVerificationError
		recordErr   tls.RecordHeaderError
		alertErr    tls.AlertError
		opErr       *net.OpError
	)
	switch {
	case errors.As(err, &unknownAuth):
		return StageTLS, ClassTLSCertInvalid, "x509_unknown_authority", true
	case errors.As(err, &hostErr):
		return StageTLS, ClassTLSCertInvalid, "x509_hostname_mismatch", true
	case errors.As(err, &invalid):
		if invalid.Reason == x509.Expired {
			return StageTLS, ClassTLSCertInvalid, "x509_expired", true
		}
		return StageTLS, ClassTLSCertInvalid, "x509_invalid", true
	case errors.As(err, &verifyErr):
		return StageTLS, ClassTLSCertInvalid, "x509_invalid", true
	case errors.As(err, &recordErr):
		// The reply to our ClientHello was not a TLS record.
		return StageTLS, ClassProtocolError, "tls_record_header", true
	case errors.As(err, &alertErr):
		return StageTLS, ClassTLSHandshakeFailed, alertCode(uint8(alertErr)), true
	case errors.As(err, &opErr) && opErr.Op == "remote error":
		// crypto/tls reports an alert received from the peer as a
		// *net.OpError whose Op is "remote error" and whose Err is its
		// unexported alert type, a uint8.
		v := reflect.ValueOf(opErr.Err)
		if v.Kind() == reflect.Uint8 {
			return StageTLS, ClassTLSHandshakeFailed, alertCode(uint8(v.Uint())), true
		}
		return StageTLS, ClassTLSHandshakeFailed, "tls_alert", true
	}
	return stage, ClassNone, "", false
}

// alertCode names a TLS alert by its RFC 8446 number.
func alertCode(a uint8) string {
	switch a {
	case 40:
		return "tls_alert_handshake_failure"
	case 42, 43, 44, 45, 46:
		return "tls_alert_bad_certificate"
	case 48:
		return "tls_alert_unknown_ca"
	case 70:
		return "tls_alert_protocol_version"
	case 71:
		return "tls_alert_insufficient_security"
	case 80:
		return "tls_alert_internal_error"
	case 112:
		return "tls_alert_unrecognized_name"
	case 116:
		return "tls_alert_certificate_required"
	case 120:
		return "tls_alert_no_application_protocol"
	}
	return "tls_alert_" + strconv.Itoa(int(a))
}

func errnoName(e syscall.Errno) string {
	switch e {
	case syscall.ECONNREFUSED:
		return "ECONNREFUSED"
	case syscall.ECONNRESET:
		return "ECONNRESET"
	case syscall.ECONNABORTED:
		return "ECONNABORTED"
	case syscall.EADDRNOTAVAIL:
		return "EADDRNOTAVAIL"
	case syscall.EPIPE:
		return "EPIPE"
	case syscall.EACCES:
		return "EACCES"
	case syscall.EPERM:
		return "EPERM"
	case syscall.EMFILE:
		return "EMFILE"
	}
	return strconv.Itoa(int(e))
}

// classifyServer maps a server code to a class.
func classifyServer(stage Stage, e *ServerError) Class {
	switch e.System {
	case SystemSQLState:
		return classifySQLState(stage, e)
	case SystemMySQL:
		return classifyMySQL(stage, e.Code)
	}
	return ClassUnknown
}

func classifySQLState(stage Stage, e *ServerError) Class {
	switch e.Code {
	case "28P01":
		return ClassAuthFailed
	case "28000":
		// pg_hba reject, no pg_hba entry, NOLOGIN: the prober tries
		// again over TLS to tell tls_required_by_server apart.
		return ClassAccessRejected
	case "3D000":
		return ClassDatabaseNotFound
	case "42501":
		return ClassPermissionDenied
	case "53300":
		return ClassTooManyConnections
	case "57P03", "57P01", "57P02":
		return ClassServerStartingOrStopping
	case "57014":
		return ClassQueryTimeout
	case "25006":
		return ClassReadOnlyServer
	case "08P01":
		if c, ok := classifyPgBouncer(e.Message); ok {
			return c
		}
		return ClassProtocolError
	}
	if stage == StageQuery {
		return ClassQueryFailed
	}
	return ClassUnknown
}

func classifyMySQL(stage Stage, code string) Class {
	switch code {
	case "1045":
		// A wrong password, or a user with REQUIRE SSL over plaintext:
		// the prober tries again over TLS to tell them apart.
		return ClassAuthFailed
	case "1044", "1142", "1143", "1227":
		return ClassPermissionDenied
	case "1049":
		return ClassDatabaseNotFound
	case "1040", "1203", "1226":
		return ClassTooManyConnections
	case "1129", "1130":
		return ClassAccessRejected
	case "1251", "1524":
		return ClassAuthMethodUnsupported
	case "1053", "1077":
		return ClassServerStartingOrStopping
	case "1290", "1792", "1836":
		return ClassReadOnlyServer
	case "1969", "3024", "1317":
		return ClassQueryTimeout
	}
	if stage == StageQuery {
		return ClassQueryFailed
	}
	return ClassUnknown
}

// stageFor places a server-error class on the ladder: a login covers both
// auth and database, and the class tells which of them failed.
func stageFor(running Stage, c Class) Stage {
	if running != StageAuth && running != StageDatabase {
		return running
	}
	switch c {
	case ClassDatabaseNotFound, ClassPermissionDenied:
		return StageDatabase
	case ClassTLSRequiredByServer, ClassTLSNotSupportedByServer, ClassTLSCertInvalid, ClassTLSHandshakeFailed:
		return StageTLS
	}
	return StageAuth
}
