#!/usr/bin/env bash
# A real Kubernetes control plane on loopback for Berth's integration tests: etcd + kube-apiserver +
# kube-controller-manager v1.20.2, built from Debian bookworm's `kubernetes` source package (its tarball vendors
# every Go module) with Go 1.23 from bookworm-backports. No kubelet and no scheduler: the tests' own kubelet
# (dev.berth.it.TestKubelet) binds pods to a Node and writes their status.
#
#   control-plane.sh build   # once per machine (about 4 min on 2 quiet cores); cached in $KUBE_CACHE
#   control-plane.sh start   # about 3 s; prints the admin kubeconfig's path
#   control-plane.sh stop
#   control-plane.sh start-apiserver   # again, after a test stopped it alone (a region outage)
#
# Environment: KUBE_CACHE (/var/cache/berth-kube), KUBE_RUN (/tmp/berth-kube: data, logs, kubeconfig),
# KUBE_PORT (6443), ETCD_PORT (2379), ETCD_PEER_PORT (2380). Several control planes can run side by side with
# their own KUBE_RUN and ports.
#
# The apiserver has RBAC on, the admission plugins NamespaceLifecycle, LimitRanger, ServiceAccount and
# ResourceQuota, and logs every write (create, update, patch, delete) to $KUBE_RUN/audit.log, one JSON line each.
# Static tokens: `admin` (system:masters), for the tests' own set-up and kubelet only. Berth itself authenticates
# as the service account berth-system/berth bound by deploy/rbac.yaml, exactly as deployed.
set -euo pipefail
KUBE_CACHE=${KUBE_CACHE:-/var/cache/berth-kube}
KUBE_RUN=${KUBE_RUN:-/tmp/berth-kube}
KUBE_PORT=${KUBE_PORT:-6443}
ETCD_PORT=${ETCD_PORT:-2379}
ETCD_PEER_PORT=${ETCD_PEER_PORT:-2380}
BIN=$KUBE_CACHE/bin

log() { echo "control-plane: $*" >&2; }

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The Debian mirror this machine already uses, for the backports and source entries.
apt_base_uri() {
  local u
  u=$(grep -h -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$u" ] || u=$(grep -h -E '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -n1 || true)
  [ -n "$u" ] || { log "no Debian mirror found in the apt sources"; exit 1; }
  echo "$u"
}

build() {
  if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ]; then log "cached in $BIN"; return; fi
  local began; began=$(date +%s)
  log "building kube-apiserver and kube-controller-manager v1.20.2 into $BIN (once per machine)"
  local uri; uri=$(apt_base_uri)
  cat > /etc/apt/sources.list.d/berth-kube.sources <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports golang-1.23-go >/dev/null
  apt_install etcd-server rsync make golang-github-modern-go-reflect2-dev dpkg-dev openssl curl
  local src; src=$(mktemp -d "${TMPDIR:-/tmp}/berth-kube-src.XXXXXX")
  # Expanded now: the function's local is gone by the time the shell exits (and set -u would fail the trap).
  trap "rm -rf '$src'" EXIT
  cd "$src"
  apt-get source --download-only kubernetes >/dev/null 2>&1
  local orig; orig=$(ls kubernetes_*.orig.tar.* | head -n1)
  mkdir tree; tar -xf "$orig" -C tree --strip-components=1
  cd tree
  # The vendored reflect2 1.0.1 breaks map iteration on Go 1.18 and later; Debian ships 1.0.2.
  rm -rf vendor/github.com/modern-go/reflect2
  cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 vendor/github.com/modern-go/reflect2
  export PATH=/usr/lib/go-1.23/bin:$PATH GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=vendor CGO_ENABLED=0
  make WHAT=cmd/kube-apiserver >/dev/null
  make WHAT=cmd/kube-controller-manager >/dev/null
  mkdir -p "$BIN.tmp"
  cp _output/bin/kube-apiserver _output/bin/kube-controller-manager "$BIN.tmp/"
  rm -rf "$BIN"; mv "$BIN.tmp" "$BIN"
  cd /; rm -rf "$src"; trap - EXIT
  log "built into $BIN in $(( $(date +%s) - began )) s"
}

wait_ready() {
  local i
  for i in $(seq 1 240); do
    if curl -sk -H "Authorization: Bearer admin" "https://127.0.0.1:$KUBE_PORT/readyz" 2>/dev/null | grep -q '^ok'; then
      return 0
    fi
    if [ -f "$KUBE_RUN/apiserver.pid" ] && ! kill -0 "$(cat "$KUBE_RUN/apiserver.pid")" 2>/dev/null; then
      break
    fi
    sleep 0.25
  done
  log "apiserver not ready; last lines of $KUBE_RUN/apiserver.log:"; tail -n 20 "$KUBE_RUN/apiserver.log" >&2 || true
  return 1
}

prepare() {
  mkdir -p "$KUBE_RUN"; cd "$KUBE_RUN"
  [ -f sa.key ] || { openssl genrsa -out sa.key 2048 2>/dev/null; openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null; }
  printf 'admin,admin,1,"system:masters"\n' > tokens.csv
  cat > audit-policy.yaml <<POL
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "ResponseStarted"]
rules:
- level: Metadata
  verbs: ["create", "update", "patch", "delete", "deletecollection"]
- level: None
POL
}

start_etcd() {
  rm -rf etcd-data audit.log
  setsid etcd --data-dir etcd-data --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "default=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync > etcd.log 2>&1 < /dev/null & echo $! > etcd.pid
}

start_apiserver() {
  cd "$KUBE_RUN"
  setsid "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" --bind-address 127.0.0.1 \
    --advertise-address 127.0.0.1 --secure-port "$KUBE_PORT" --insecure-port 0 --cert-dir "$KUBE_RUN/certs" \
    --token-auth-file tokens.csv --authorization-mode RBAC --service-cluster-ip-range 10.96.0.0/16 \
    --service-account-key-file sa.pub --service-account-signing-key-file sa.key \
    --service-account-issuer https://kubernetes.default.svc --api-audiences https://kubernetes.default.svc \
    --enable-admission-plugins NamespaceLifecycle,LimitRanger,ServiceAccount,ResourceQuota \
    --endpoint-reconciler-type none --audit-policy-file audit-policy.yaml --audit-log-path audit.log \
    >> apiserver.log 2>&1 < /dev/null & echo $! > apiserver.pid
  wait_ready
}

start_controller_manager() {
  cat > kubeconfig <<KC
apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "https://127.0.0.1:$KUBE_PORT", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: admin}}]
contexts: [{name: admin, context: {cluster: local, user: admin}}]
current-context: admin
KC
  setsid "$BIN/kube-controller-manager" --kubeconfig kubeconfig --leader-elect=false --port 0 --secure-port 0 \
    --service-account-private-key-file sa.key --root-ca-file "$KUBE_RUN/certs/apiserver.crt" \
    --use-service-account-credentials --controllers '*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle' \
    --concurrent-deployment-syncs 10 --concurrent-replicaset-syncs 10 --concurrent-endpoint-syncs 10 \
    > controller-manager.log 2>&1 < /dev/null & echo $! > controller-manager.pid
}

start() {
  [ -x "$BIN/kube-apiserver" ] || build
  command -v etcd >/dev/null || apt_install etcd-server
  stop >/dev/null 2>&1 || true
  prepare
  start_etcd
  start_apiserver
  start_controller_manager
  log "ready: KUBECONFIG=$KUBE_RUN/kubeconfig"
  echo "$KUBE_RUN/kubeconfig"
}

stop() {
  local p pid
  for p in controller-manager apiserver etcd; do
    if [ -f "$KUBE_RUN/$p.pid" ]; then
      pid=$(cat "$KUBE_RUN/$p.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$KUBE_RUN/$p.pid"
    fi
  done
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  start-apiserver) start_apiserver ;;
  stop) stop ;;
  *) echo "usage: $0 build|start|start-apiserver|stop" >&2; exit 2 ;;
esac
