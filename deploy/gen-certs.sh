#!/usr/bin/env bash
# TLS for halint-webhook without cert-manager.
#
# Makes a private CA and a serving certificate for the webhook's Service with openssl,
# stores the certificate and key as the Secret the pods mount, and writes the CA into
# the ValidatingWebhookConfiguration's caBundle.
#
#   kubectl apply -k deploy/            # the base: namespace, webhook, ...
#   deploy/gen-certs.sh                 # the Secret and the caBundle
#
# Run it again to rotate: the caBundle keeps the previous CA next to the new one, and
# the running pods load the new Secret within a minute or so (the kubelet refreshes the
# volume, the webhook reloads it) without a restart. Set OUT to a kept directory to
# reuse the CA instead of making a new one.
#
# Options (environment): NAMESPACE (halint-system), SERVICE (halint-webhook),
# SECRET (halint-webhook-tls), WEBHOOK (halint), DAYS (365), OUT (a temporary directory;
# set it to keep the CA), DRY_RUN=1 (make the files, touch no cluster).
set -euo pipefail

NAMESPACE=${NAMESPACE:-halint-system}
SERVICE=${SERVICE:-halint-webhook}
SECRET=${SECRET:-halint-webhook-tls}
WEBHOOK=${WEBHOOK:-halint}
DAYS=${DAYS:-365}
OUT=${OUT:-$(mktemp -d)}
DNS="${SERVICE}.${NAMESPACE}.svc"

mkdir -p "$OUT"
cd "$OUT"

if [[ ! -f ca.key ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout ca.key -out ca.crt -days 3650 -subj "/CN=halint-webhook-ca" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout tls.key -out tls.csr -subj "/CN=${DNS}" 2>/dev/null
cat > tls.ext <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:${DNS},DNS:${DNS}.cluster.local
EXT
openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
  -out tls.crt -days "$DAYS" -extfile tls.ext 2>/dev/null
openssl verify -CAfile ca.crt tls.crt >/dev/null

echo "certificates in $OUT (CA: ca.crt, serving: tls.crt, tls.key)"
if [[ "${DRY_RUN:-}" == 1 ]]; then
  exit 0
fi

# The caBundle first, holding the new CA and the one it replaces (if any): API servers
# then trust the pods whether they still serve the old certificate or already the new.
PREVIOUS=$(kubectl get validatingwebhookconfiguration "$WEBHOOK" \
  -o jsonpath='{.webhooks[0].clientConfig.caBundle}' 2>/dev/null | base64 -d 2>/dev/null \
  | awk '/BEGIN CERTIFICATE/{n++} n==1' || true)
{ cat ca.crt; if [[ -n "$PREVIOUS" ]] && ! grep -qF "$(sed -n 2p ca.crt)" <<<"$PREVIOUS"; then echo "$PREVIOUS"; fi; } > bundle.crt
CA_BUNDLE=$(base64 < bundle.crt | tr -d '\n')
kubectl patch validatingwebhookconfiguration "$WEBHOOK" --type=json \
  -p "[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"${CA_BUNDLE}\"}]"

# apply, not create: a second run rotates the Secret in place.
kubectl -n "$NAMESPACE" create secret tls "$SECRET" --cert=tls.crt --key=tls.key \
  --dry-run=client -o yaml | kubectl apply -f -
echo "caBundle of ${WEBHOOK} and secret ${NAMESPACE}/${SECRET} updated"
