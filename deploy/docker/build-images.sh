#!/usr/bin/env bash
# Builds every image of docker-compose.dev.yml and deploy/agents/compose.yaml on this machine,
# pulling nothing (no registry is needed): `./stampede images` runs it. Layers:
#   stampede/base:1       an imported rootfs: glibc + curl (for healthchecks) from this host
#   stampede/jre:17       base + a jlink'ed Java runtime of this host's JDK (/opt/java)
#   stampede/nats:dev     base + this host's nats-server          (needs: apt-get install nats-server)
#   stampede/prometheus:dev  base + this host's prometheus, promtool and deploy/prometheus/
#   stampede/gateway:dev, stampede/agent:dev, stampede/chaos-api:dev, stampede/proxy:dev
#                         jre + the packaged jars (chaos-api: also simulations/target for load_test)
#   stampede/loadgen:dev  jre + loadgen.jar, from deploy/agents/Dockerfile (load agents, coordinator)
# Arguments: image names (nats prometheus gateway agent proxy chaos-api loadgen) to build only
# those (and base/jre, and the jars they need); none = all.
# Environment: STAMPEDE_IMAGE_TAG [dev], STAMPEDE_IMAGES_REBUILD_BASE [0: base and jre are built
# only when missing or when this host's JDK changed].
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
TAG="${STAMPEDE_IMAGE_TAG:-dev}"
REBUILD_BASE="${STAMPEDE_IMAGES_REBUILD_BASE:-0}"
# the legacy builder: this engine (20.10) has no buildx plugin here, and nothing is pulled either way
export DOCKER_BUILDKIT=0
WORK="$(mktemp -d /tmp/stampede-images.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
T0=$SECONDS
ALL=(nats prometheus gateway agent proxy chaos-api loadgen)
WANT=("$@")
((${#WANT[@]})) || WANT=("${ALL[@]}")
wants() { [[ " ${WANT[*]} " == *" $1 "* ]]; }

say() { printf 'images: %s\n' "$*"; }
die() { printf 'images: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" ]] || die "$1 is required ($2)"; }
bin() { command -v "$1" 2>/dev/null || printf '/usr/sbin/%s' "$1"; }

need docker "apt-get install docker.io"
timeout 20 docker info >/dev/null 2>&1 || die "no Docker engine answers (start dockerd: setsid dockerd >/tmp/dockerd.log 2>&1 </dev/null &)"
need jlink "a JDK 17+: apt-get install openjdk-17-jdk-headless"
need curl "apt-get install curl"
for w in "${WANT[@]}"; do [[ " ${ALL[*]} " == *" $w "* ]] || die "unknown image $w (known: ${ALL[*]})"; done
! wants nats || need nats-server "apt-get install nats-server"
! wants prometheus || need prometheus "apt-get install prometheus"

# ---------------------------------------------------------------- jars
# the Maven modules whose jars are missing, for the images asked for
modules=()
missing() { for j in "${@:2}"; do [[ -e "$ROOT/$j" ]] || { modules+=("$1"); return; }; done; }
! wants chaos-api || missing chaos-api chaos-api/target/chaos-api.jar
! wants chaos-api || missing simulations simulations/target/lib simulations/target/test-classes
! wants proxy || missing proxy proxy/target/proxy.jar
! wants gateway || missing demo demo/target/gateway.jar
! wants agent || missing demo demo/target/agent.jar
! wants loadgen || missing loadgen loadgen/target/loadgen.jar
if ((${#modules[@]})); then
    mods="$(printf '%s\n' "${modules[@]}" | sort -u | paste -sd,)"
    say "building jars: mvn -B -q -DskipTests -pl $mods -am package"
    (cd "$ROOT" && mvn -B -q -DskipTests -pl "$mods" -am package) || die "the Maven build failed"
fi

# Copies files and every shared library `ldd` lists for them into rootfs $1, at the same paths.
copy_with_libs() {
    local root="$1" f lib
    shift
    for f in "$@"; do
        cp -L --parents "$f" "$root"
        while read -r lib; do
            [[ -n "$lib" && -e "$lib" ]] && cp -L --parents "$lib" "$root"
        done < <(ldd "$f" 2>/dev/null | awk '/=> \// {print $3} $1 ~ /^\// {print $1}')
    done
}

# docker build, its output shown only when it fails (the legacy builder's deprecation notice is noise here)
quiet_build() {
    docker build -q -t "$1" "$2" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "docker build of $1 failed"; }
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------- base: glibc + curl
JDK_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")"
BASE_ID="$(java -version 2>&1 | head -1 | tr -dc 'a-zA-Z0-9.')"
if ((REBUILD_BASE)) || ! image_exists stampede/base:1 || ! image_exists stampede/jre:17 \
    || [[ "$(docker image inspect -f '{{index .Config.Labels "io.stampede.jdk"}}' stampede/jre:17 2>/dev/null)" != "$BASE_ID" ]]; then
    t=$SECONDS
    R="$WORK/rootfs"
    mkdir -p "$R"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,tmp,root,data,var/tmp}
    ln -s usr/bin "$R/bin"; ln -s usr/sbin "$R/sbin"; ln -s usr/lib "$R/lib"; ln -s usr/lib64 "$R/lib64"
    chmod 1777 "$R/tmp" "$R/var/tmp"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$R/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
    printf 'hosts: files dns\n' >"$R/etc/nsswitch.conf"
    copy_with_libs "$R" "$(command -v curl)"
    # glibc's loader and the libraries the JVM opens with dlopen (not listed by ldd of java)
    for lib in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 \
        /lib/x86_64-linux-gnu/libresolv.so.2 /lib/x86_64-linux-gnu/libz.so.1 /lib/x86_64-linux-gnu/libgcc_s.so.1; do
        [[ -e "$lib" ]] && cp -L --parents "$lib" "$R"
    done
    [[ -d /etc/ssl/certs ]] && cp -rL --parents /etc/ssl/certs "$R" 2>/dev/null || true
    tar -C "$R" -c . | docker import -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
        -m "stampede base: glibc + curl from $(hostname)" - stampede/base:1 >/dev/null
    say "stampede/base:1 imported ($((SECONDS - t)) s)"

    t=$SECONDS
    J="$WORK/jre"
    mkdir -p "$J"
    jlink --no-header-files --no-man-pages --strip-debug --compress=2 --output "$J/java" --add-modules \
        java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.management.rmi,java.naming,java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,java.xml.crypto,jdk.crypto.ec,jdk.httpserver,jdk.jfr,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs
    # libraries the runtime's own .so files need that base does not hold yet (besides X11: headless)
    mkdir -p "$J/libs"
    { find "$J/java" -name '*.so' -print0; printf '%s\0' "$J/java/bin/java"; } | xargs -0 ldd 2>/dev/null | awk '/=> \// {print $3}' | sort -u | while read -r lib; do
        cp -L --parents "$lib" "$J/libs"
    done
    cat >"$J/Dockerfile" <<DOCKERFILE
FROM stampede/base:1
COPY libs/ /
COPY java/ /opt/java/
ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:/usr/local/bin:/usr/bin:/bin
LABEL io.stampede.jdk="$BASE_ID"
DOCKERFILE
    quiet_build stampede/jre:17 "$J"
    say "stampede/jre:17 built from $JDK_HOME ($((SECONDS - t)) s)"
else
    say "stampede/base:1 and stampede/jre:17 up to date (STAMPEDE_IMAGES_REBUILD_BASE=1 rebuilds them)"
fi

# ---------------------------------------------------------------- services
build() {
    local name="$1" dir="$WORK/$1" t=$SECONDS
    quiet_build "stampede/$name:$TAG" "$dir"
    say "stampede/$name:$TAG built ($((SECONDS - t)) s)"
}

if wants nats; then
mkdir -p "$WORK/nats"
cp -L "$(bin nats-server)" "$WORK/nats/nats-server"
cat >"$WORK/nats/Dockerfile" <<'DOCKERFILE'
FROM stampede/base:1
COPY nats-server /usr/bin/nats-server
VOLUME /data
EXPOSE 4222 8222
ENTRYPOINT ["/usr/bin/nats-server"]
CMD ["-js", "-sd", "/data", "-m", "8222"]
DOCKERFILE
build nats
fi

if wants prometheus; then
mkdir -p "$WORK/prometheus"
cp -L "$(bin prometheus)" "$(bin promtool)" "$WORK/prometheus/"
cp -r "$ROOT/deploy/prometheus" "$WORK/prometheus/etc"
cat >"$WORK/prometheus/Dockerfile" <<'DOCKERFILE'
FROM stampede/base:1
COPY prometheus promtool /usr/bin/
COPY etc/ /etc/prometheus/
VOLUME /prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--storage.tsdb.retention.time=2d", "--web.listen-address=0.0.0.0:9090", "--web.enable-lifecycle"]
DOCKERFILE
build prometheus
fi

java_image() {
    local name="$1" jar="$2"
    shift 2
    mkdir -p "$WORK/$name"
    cp "$ROOT/$jar" "$WORK/$name/"
    {
        printf 'FROM stampede/jre:17\nWORKDIR /app\nCOPY %s /app/\n' "$(basename "$jar")"
        cat
    } >"$WORK/$name/Dockerfile"
}

if wants gateway; then
java_image gateway demo/target/gateway.jar <<'DOCKERFILE'
ENV DEMO_HTTP_HOST=0.0.0.0 GATEWAY_PORT=8001 NATS_URL=nats://proxy:4223 STAMPEDE_SERVICE=gateway
EXPOSE 8001
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xmx256m", "-jar", "/app/gateway.jar"]
DOCKERFILE
build gateway
fi

if wants agent; then
java_image agent demo/target/agent.jar <<'DOCKERFILE'
ENV DEMO_HTTP_HOST=0.0.0.0 AGENT_PORT=8002 NATS_URL=nats://proxy:4223 STAMPEDE_SERVICE=agent
EXPOSE 8002
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xmx256m", "-jar", "/app/agent.jar"]
DOCKERFILE
build agent
fi

# the NATS proxy is its own jar (same command as the launcher's proxy part)
if wants proxy; then
java_image proxy proxy/target/proxy.jar <<'DOCKERFILE'
ENV STAMPEDE_SERVICE=nats-proxy
EXPOSE 4223 4224
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xms4m", "-Xmx16m", "-Xmn3m", "-XX:MaxDirectMemorySize=320m", "-XX:MaxMetaspaceSize=48m", "-Xss256k", "-jar", "/app/proxy.jar"]
CMD ["--listen=0.0.0.0:4223", "--upstream=nats:4222", "--admin=0.0.0.0:4224"]
DOCKERFILE
build proxy
fi

if wants chaos-api; then
java_image chaos-api chaos-api/target/chaos-api.jar <<'DOCKERFILE'
COPY simulations/ /app/simulations/target/
ENV STAMPEDE_HOME=/app STAMPEDE_DATA_DIR=/var/lib/stampede STAMPEDE_SERVICE=chaos-api
VOLUME /var/lib/stampede
EXPOSE 8008
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xmx384m", "-jar", "/app/chaos-api.jar"]
DOCKERFILE
mkdir -p "$WORK/chaos-api/simulations"
cp -r "$ROOT/simulations/target/lib" "$ROOT/simulations/target/test-classes" "$WORK/chaos-api/simulations/"
build chaos-api
fi

# the load agents' image: deploy/agents/Dockerfile, its context only the files it copies
if wants loadgen; then
    mkdir -p "$WORK/loadgen/loadgen/target" "$WORK/loadgen/deploy/agents"
    cp "$ROOT/loadgen/target/loadgen.jar" "$WORK/loadgen/loadgen/target/"
    cp -r "$ROOT/deploy/agents/runs" "$WORK/loadgen/deploy/agents/"
    cp "$ROOT/deploy/agents/Dockerfile" "$WORK/loadgen/Dockerfile"
    build loadgen
fi

# `docker compose` (the seed's command) on a machine that only has Debian's docker-compose 1.29
if ! docker compose version >/dev/null 2>&1 && command -v docker-compose >/dev/null 2>&1; then
    plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
    mkdir -p "$plugins"
    install -m 0755 "$ROOT/deploy/docker/docker-compose-v1-plugin" "$plugins/docker-compose"
    say "installed $plugins/docker-compose: \`docker compose\` now runs docker-compose $(docker-compose version --short 2>/dev/null) (remove the file to undo)"
fi

say "all images built in $((SECONDS - T0)) s:"
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^stampede/' | sort | sed 's/^/  /'
