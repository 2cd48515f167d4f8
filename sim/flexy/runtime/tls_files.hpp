#pragma once
// What a Flexy checks before an MQTT TLS connection: the CAFile, CertFile and KeyFile of
// MQTT "SETPARAM" must exist in /usr, be readable PEM, and the key must belong to the
// certificate. The emulator checks them itself, before paho sees them, so that a user's file
// mistake is the device's error (LSTERR, dut_log naming the file) and never a crash of the
// harness: paho.mqtt.cpp 1.2.0's ssl error handler points into a destroyed copy of its
// options (eclipse-paho/paho.mqtt.cpp#325), so the bridge does not install one.
#include <optional>
#include <string>

namespace flexhil::flexy {

struct TlsFile {
  std::string parameter;  // "CAFile", "CertFile", "KeyFile" (as SETPARAM names it)
  std::string value;      // as the program gave it, e.g. "/usr/Flexy205.crt"
  std::string path;       // where the emulator found it (the run's usr folder)
};

struct TlsFileProblem {
  TlsFile file;
  std::string reason;  // "not found", "not a PEM certificate", "does not match CertFile /usr/…", …
  std::string describe() const;  // "CertFile /usr/Flexy205.crt: not found"
};

// The first problem with the files a TLS connect would load; `ca`, `cert`, `key` with an empty
// value are not set. A CertFile without KeyFile must hold the key itself (as paho loads it).
std::optional<TlsFileProblem> check_tls_files(const TlsFile& ca, const TlsFile& cert, const TlsFile& key);

// After a failed TLS connect: one handshake of our own to `connect_host`:`port` verifying the
// server as paho does (CA file, host name `server_name`), to tell the program why. Returns
// OpenSSL's verification error ("unable to get local issuer certificate", "Hostname mismatch",
// …), or nullopt when the server verifies (the failure was elsewhere) or cannot be reached.
std::optional<std::string> server_verification_error(const std::string& connect_host, int port,
                                                     const std::string& server_name, const std::string& ca_path,
                                                     int timeout_ms = 3000);

}  // namespace flexhil::flexy
