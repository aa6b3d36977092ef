#!/usr/bin/env bash
# End-to-end: the service with TLS on both links, started by ./run.sh with certificates this
# script makes (openssl: a private authority, a cluster certificate for "itempath-cluster", an
# API certificate for 127.0.0.1): the API answers over HTTPS only (verified against the
# authority), and the API node reaches the silo only over mutual TLS (Orleans__Tls__*): a login,
# /me and a refresh work end to end.
#
# Exit 0 only if every check passed. test.sh runs it from the repo root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

E2E_NAME=tls
E2E_SCHEME=https
command -v openssl >/dev/null || { echo "tls: openssl not found (apt-get install openssl)" >&2; exit 1; }
# shellcheck source=tests/e2e/lib/e2e.sh
source tests/e2e/lib/e2e.sh
e2e_init

PKI="$DATA/pki"
mkdir -p "$PKI"
make_pki() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=itempath test authority" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$PKI/ca.key" -out "$PKI/ca.pem"
    # name CN SAN EKU
    local name
    for name in cluster api; do
        local san eku
        if [[ "$name" == cluster ]]; then san="DNS:itempath-cluster"; eku="serverAuth,clientAuth"; else san="IP:127.0.0.1,DNS:localhost"; eku="serverAuth"; fi
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
            -keyout "$PKI/$name.key" -out "$PKI/$name.csr"
        printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=critical,CA:FALSE\n' "$san" "$eku" > "$PKI/$name.ext"
        openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial -days 1 \
            -extfile "$PKI/$name.ext" -out "$PKI/$name.pem"
    done
}
make_pki > "$PKI/openssl.log" 2>&1 || fatal "openssl could not make the certificates: $(tail -n 5 "$PKI/openssl.log")"
pass "made an authority, a cluster certificate and an API certificate"

export Orleans__Tls__Enabled=true
export Orleans__Tls__CertificatePath="$PKI/cluster.pem" Orleans__Tls__KeyPath="$PKI/cluster.key"
export Orleans__Tls__TrustedCaPath="$PKI/ca.pem"
export ITEMPATH_API_CERT="$PKI/api.pem" ITEMPATH_API_KEY="$PKI/api.key"
E2E_CURL_ARGS=(--cacert "$PKI/ca.pem")
e2e_start

request login 200 -X POST "$URL/api/users/login" -H 'Content-Type: application/json' \
    --data-raw "{\"username\": \"admin\", \"password\": \"$ADMIN_PASSWORD\"}" || fatal "login over HTTPS"
expect login 'd["login"] is True'
ACCESS="$(field login accessToken)"
REFRESH="$(field login refreshToken)"
request me 200 "$URL/api/users/me" -H "Authorization: Bearer $ACCESS" && expect me 'd["username"] == "admin"'
request refresh 200 -X POST "$URL/api/users/refresh" -H "Authorization: Bearer $REFRESH"

# The certificate really is the API's, and plain HTTP gets no answer on the same port.
subject="$(echo | openssl s_client -connect "127.0.0.1:$HTTP_PORT" -CAfile "$PKI/ca.pem" 2>/dev/null | openssl x509 -noout -subject 2>/dev/null || true)"
[[ "$subject" == *"CN = api"* || "$subject" == *"CN=api"* ]] && pass "the API presents its certificate ($subject)" || fail "the API presents '$subject'"
if curl -sS -o /dev/null --max-time 5 "http://127.0.0.1:$HTTP_PORT/health/live" 2>/dev/null; then
    fail "plain HTTP was answered"
else
    pass "plain HTTP is not answered"
fi
# The silo gateway completes a TLS handshake with the cluster certificate.
GATEWAY_ANSWER="$(echo | openssl s_client -connect "127.0.0.1:$GATEWAY_PORT" -CAfile "$PKI/ca.pem" -servername itempath-cluster \
    -cert "$PKI/cluster.pem" -key "$PKI/cluster.key" 2>/dev/null | grep -E '^ *Verify return code' || true)"
[[ "$GATEWAY_ANSWER" == *"0 (ok)"* ]] && pass "the silo gateway completes a TLS handshake with the cluster certificate ($GATEWAY_ANSWER)" \
    || fail "the silo gateway TLS handshake: '$GATEWAY_ANSWER'"

e2e_verdict
